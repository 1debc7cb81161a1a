-- The monthly value bridge per item x site: opening + receipts + other inflows - outflows
-- + landed costs into stock + revaluations = closing (revaluations: negative-stock settlements
-- and standard cost changes). The identity is tested; closing equals the sum of the month-end
-- values in fct_inventory_daily.
with movements as (
    select * from {{ ref('int_movements_valued') }} where ownership = 'owned'
),

charges as (
    select item_id, site_id, to_stock_c, date_trunc('month', effective_at)::date as month
    from {{ ref('int_landed_costs_valued') }}
),

cost_changes as (
    select item_id, site_id, revaluation_c, date_trunc('month', effective_at)::date as month
    from {{ ref('int_cost_changes_valued') }}
),

flows as (
    select
        item_id, site_id, date_trunc('month', occurred_at)::date as month,
        sum(qty_u) filter (where ownership = 'owned') as qty_change_u,
        sum(value_c) filter (where movement_type = 'receipt') as receipts_c,
        sum(value_c) filter (where movement_type <> 'receipt' and value_c > 0) as other_inflows_c,
        sum(value_c) filter (where value_c < 0) as outflows_c,
        sum(revaluation_c) as revaluations_c,
        0 as landed_c
    from movements group by all
    union all
    select item_id, site_id, month, 0, 0, 0, 0, 0, sum(to_stock_c) from charges group by all
    union all
    select item_id, site_id, month, 0, 0, 0, 0, sum(revaluation_c), 0 from cost_changes group by all
),

monthly as (
    select item_id, site_id, month,
           sum(qty_change_u) as qty_change_u, sum(receipts_c) as receipts_c,
           sum(other_inflows_c) as other_inflows_c, sum(outflows_c) as outflows_c,
           sum(revaluations_c) as revaluations_c, sum(landed_c) as landed_c
    from flows group by all
),

months as (
    select distinct item_id, site_id,
           unnest(generate_series(min(month) over (partition by item_id, site_id),
                                  (select max(month) from monthly), interval 1 month))::date as month
    from monthly
),

dense as (
    select m.item_id, m.site_id, m.month,
           coalesce(f.qty_change_u, 0) as qty_change_u,
           coalesce(f.receipts_c, 0) as receipts_c,
           coalesce(f.other_inflows_c, 0) as other_inflows_c,
           coalesce(f.outflows_c, 0) as outflows_c,
           coalesce(f.revaluations_c, 0) as revaluations_c,
           coalesce(f.landed_c, 0) as landed_c
    from months m
    left join monthly f on f.item_id = m.item_id and f.site_id = m.site_id and f.month = m.month
),

running as (
    select *,
        sum(receipts_c + other_inflows_c + outflows_c + revaluations_c + landed_c) over w as closing_c,
        sum(qty_change_u) over w as closing_u
    from dense
    window w as (partition by item_id, site_id order by month rows between unbounded preceding and current row)
),

final as (
    select
        item_id,
        site_id,
        month,
        {{ from_micro('closing_u - qty_change_u') }} as opening_qty,
        {{ from_micro('closing_u') }} as closing_qty,
        {{ from_cents('closing_c - receipts_c - other_inflows_c - outflows_c - revaluations_c - landed_c') }}
            as opening_value,
        {{ from_cents('receipts_c') }} as receipts_value,
        {{ from_cents('other_inflows_c') }} as other_inflows_value,
        {{ from_cents('-outflows_c') }} as outflows_value,
        {{ from_cents('landed_c') }} as landed_cost_to_stock,
        {{ from_cents('revaluations_c') }} as revaluations,
        {{ from_cents('closing_c') }} as closing_value
    from running
)

select * from final
