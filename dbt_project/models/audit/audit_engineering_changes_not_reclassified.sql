-- Change control: engineering changes whose affected stock was not reclassified. For each
-- change and location of the affected item: the stock still on hand when the grace period
-- after the change's effective date ends (var audit_eco_grace_days, default 30; or the
-- ledger's last day, if earlier) that must predate the change — on hand then, less everything
-- that came in since the change (a lower bound). One row per change x item x location with
-- such stock, valued at standard cost.
with changes as (
    select * from {{ ref('stg_lake__engineering_changes') }}
    qualify row_number() over (partition by eco_id, item_id order by landed_at desc, source_line desc) = 1
),

daily as not materialized (
    select * from {{ ref('fct_inventory_daily') }}
),

ledger as (
    select * from {{ ref('fct_inventory_ledger') }}
),

items as (
    select item_id, standard_cost, status from {{ ref('int_items_versioned') }} where is_current
),

last_day as (
    select max(day) as day from daily
),

checkpoints as (
    select
        changes.*,
        least(changes.effective_at::date + {{ var('audit_eco_grace_days', 30) }}, last_day.day) as checked_on
    from changes, last_day
    where changes.effective_at::date <= last_day.day
),

stock_then as (
    select checkpoints.eco_id, checkpoints.item_id, daily.location_id, daily.site_id,
           checkpoints.change_type, checkpoints.effective_at, checkpoints.checked_on,
           checkpoints.replaced_by_item_id, checkpoints.approved_by, daily.qty as on_hand_qty
    from checkpoints
    join daily
        on daily.item_id = checkpoints.item_id and daily.day = checkpoints.checked_on and daily.qty > 0
),

inflows_since as (
    select stock_then.eco_id, stock_then.item_id, stock_then.location_id, sum(ledger.qty) as qty
    from stock_then
    join ledger
        on ledger.item_id = stock_then.item_id
        and ledger.location_id = stock_then.location_id
        and ledger.qty > 0
        and ledger.occurred_at >= stock_then.effective_at
        and ledger.occurred_at::date <= stock_then.checked_on
    group by all
),

remaining as (
    select
        stock_then.*,
        stock_then.on_hand_qty - coalesce(inflows_since.qty, 0) as unreclassified_qty
    from stock_then
    left join inflows_since
        on inflows_since.eco_id = stock_then.eco_id
        and inflows_since.item_id = stock_then.item_id
        and inflows_since.location_id = stock_then.location_id
),

final as (
    select
        remaining.eco_id,
        remaining.item_id,
        remaining.location_id,
        remaining.site_id,
        remaining.change_type,
        remaining.effective_at,
        remaining.checked_on,
        remaining.replaced_by_item_id,
        remaining.approved_by,
        remaining.on_hand_qty,
        remaining.unreclassified_qty,
        cast(round(remaining.unreclassified_qty * items.standard_cost, 2) as decimal(18, 2)) as unreclassified_value,
        remaining.unreclassified_qty || ' of ' || remaining.item_id || ' from before change ' || remaining.eco_id
            || ' (' || remaining.change_type || ', effective ' || strftime(remaining.effective_at, '%Y-%m-%d')
            || ') still in ' || remaining.location_id || ' on ' || strftime(remaining.checked_on, '%Y-%m-%d')
            as explanation
    from remaining
    left join items on items.item_id = remaining.item_id
    where remaining.unreclassified_qty > 0
)

select * from final
