-- Value changes that are not a movement's own value: landed costs (the share consumed before
-- they arrived goes to COGS, the rest into stock; on standard-cost items all of it is price
-- variance), negative-stock revaluations, purchase price variances on standard-cost receipts,
-- and revaluations of the stock on hand when an item's standard cost changes.
with charges as (
    select * from {{ ref('int_landed_costs_valued') }}
),

movements as not materialized (
    select * from {{ ref('int_movements_valued') }}
),

cost_changes as (
    select * from {{ ref('int_cost_changes_valued') }}
),

landed as (
    select
        charge_key as adjustment_key,
        'landed_cost' as adjustment_type,
        charge_type as detail,
        item_id,
        site_id,
        receipt_key as movement_key,
        occurred_at,
        amount_c,
        to_stock_c as inventory_c,
        to_cogs_c as cogs_c,
        variance_c
    from charges
),

revaluations as (
    select
        movement_key || ':revaluation', 'negative_stock_revaluation', 'shortfall settled by this inflow',
        item_id, site_id, movement_key, occurred_at,
        revaluation_c, revaluation_c, -revaluation_c, 0
    from movements
    where revaluation_c <> 0
),

price_variances as (
    select
        movement_key || ':ppv', 'purchase_price_variance', 'receipt value minus standard cost',
        item_id, site_id, movement_key, occurred_at,
        price_variance_c, 0, 0, price_variance_c
    from movements
    where price_variance_c <> 0
),

standard_cost_revaluations as (
    select
        change_key, 'standard_cost_revaluation',
        'standard cost ' || old_standard_cost::varchar || ' -> ' || new_standard_cost::varchar,
        item_id, site_id, null, effective_at,
        revaluation_c, revaluation_c, 0, 0
    from cost_changes
    where revaluation_c <> 0
),

unioned as (
    select * from landed
    union all select * from revaluations
    union all select * from price_variances
    union all select * from standard_cost_revaluations
),

final as (
    select
        adjustment_key,
        adjustment_type,
        detail,
        item_id,
        site_id,
        movement_key,
        occurred_at,
        {{ from_cents('amount_c') }} as amount,
        {{ from_cents('inventory_c') }} as inventory_value_change,
        {{ from_cents('cogs_c') }} as cogs_change,
        {{ from_cents('variance_c') }} as price_variance
    from unioned
)

select * from final
