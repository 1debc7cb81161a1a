-- Stockouts summed per item x site over the ledger's whole period: how often (events, and
-- events a year), how long (days out of stock), how much demand met no stock (lines and
-- quantity, split into backordered and lost), against all the demand placed on the site.
with events as (
    select * from {{ ref('mart_stockouts') }}
),

demand as (
    select * from {{ ref('int_kpi_demand_daily') }}
),

periods as (
    select * from {{ ref('int_kpi_periods') }}
),

observed as (
    select sum(days) as days from periods
),

demand_totals as (
    select item_id, site_id,
           sum(order_lines) as order_lines,
           sum(order_qty) as order_qty,
           sum(demand_qty) as demand_qty
    from demand
    group by all
),

event_totals as (
    select item_id, site_id,
           count(*) as stockout_events,
           count(*) filter (where is_open) as open_events,
           sum(duration_days) as days_out_of_stock,
           sum(short_order_lines) as short_order_lines,
           sum(issues_beyond_stock) as issues_beyond_stock,
           sum(short_qty) as short_qty,
           sum(backordered_qty) as backordered_qty,
           sum(lost_qty) as lost_qty,
           sum(open_backorder_qty) as open_backorder_qty
    from events
    group by all
),

final as (
    select
        d.item_id,
        d.site_id,
        (select days from observed) as observed_days,
        coalesce(e.stockout_events, 0) as stockout_events,
        coalesce(e.open_events, 0) as open_events,
        round(coalesce(e.stockout_events, 0) * 365 / (select days from observed), 2)::decimal(18, 2) as events_per_year,
        coalesce(e.days_out_of_stock, 0) as days_out_of_stock,
        case when e.stockout_events > 0
             then round(e.days_out_of_stock / e.stockout_events, 2)::decimal(18, 2) end as avg_duration_days,
        d.order_lines,
        coalesce(e.short_order_lines, 0) as short_order_lines,
        case when d.order_lines > 0
             then round(coalesce(e.short_order_lines, 0) / d.order_lines, 4)::decimal(9, 4) end as stockout_rate,
        d.order_qty,
        d.demand_qty,
        coalesce(e.issues_beyond_stock, 0) as issues_beyond_stock,
        coalesce(e.short_qty, 0) as short_qty,
        coalesce(e.backordered_qty, 0) as backordered_qty,
        coalesce(e.lost_qty, 0) as lost_qty,
        coalesce(e.open_backorder_qty, 0) as open_backorder_qty,
        case when d.demand_qty > 0
             then round(1 - coalesce(e.short_qty, 0) / d.demand_qty, 4)::decimal(9, 4) end as fill_rate
    from demand_totals d
    left join event_totals e on e.item_id = d.item_id and e.site_id = d.site_id
)

select * from final
