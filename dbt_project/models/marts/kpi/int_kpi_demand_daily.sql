{{ config(schema='intermediate') }}
-- Demand per item x site x day, in base units. Demand is what was asked of the site's stock:
-- customer order lines at their order date (ordered quantity, drop-ship excluded: it never
-- touches stock), plus internal consumption (production issues, issues to cost centres) and
-- transfers to another site. Shipments are not added again: they fill the order lines.
with order_lines as (
    select * from {{ ref('int_kpi_order_lines') }}
),

ledger as (
    select * from {{ ref('fct_inventory_ledger') }}
),

orders as (
    select item_id, site_id, ordered_day as day,
           sum(qty) as order_qty,
           count(*) as order_lines,
           count(*) filter (where is_short) as short_lines,
           sum(short_qty) as short_qty
    from order_lines
    group by all
),

internal as (
    select item_id, site_id, occurred_at::date as day,
           -sum(qty) filter (where movement_type in ('production_issue', 'issue')) as consumption_qty,
           -sum(qty) filter (where movement_type = 'transfer_out' and not is_intra_site_transfer) as transfer_qty
    from ledger
    where movement_type in ('production_issue', 'issue', 'transfer_out')
    group by all
),

final as (
    select
        coalesce(orders.item_id, internal.item_id) as item_id,
        coalesce(orders.site_id, internal.site_id) as site_id,
        coalesce(orders.day, internal.day) as day,
        coalesce(orders.order_qty, 0) as order_qty,
        coalesce(orders.order_lines, 0) as order_lines,
        coalesce(orders.short_lines, 0) as short_lines,
        coalesce(orders.short_qty, 0) as short_qty,
        coalesce(internal.consumption_qty, 0) as consumption_qty,
        coalesce(internal.transfer_qty, 0) as transfer_qty,
        coalesce(orders.order_qty, 0) + coalesce(internal.consumption_qty, 0)
            + coalesce(internal.transfer_qty, 0) as demand_qty
    from orders
    full outer join internal
        on internal.item_id = orders.item_id and internal.site_id = orders.site_id and internal.day = orders.day
)

select * from final
