-- Stockout events per item x site. A stockout starts when demand meets zero available stock: a
-- customer order line that could not be allocated in full when it was ordered, or an issue to
-- production, a cost centre or another site that went beyond the stock. It lasts until stock
-- next comes in (receipt, transfer in, production receipt, return or found stock): every trigger
-- between two inflows belongs to one event. Definitions in _kpi.yml and docs/kpis.md.
with order_lines as (
    select * from {{ ref('int_kpi_order_lines') }}
),

cogs as (
    select * from {{ ref('fct_cogs') }}
),

ledger as (
    select * from {{ ref('fct_inventory_ledger') }}
),

periods as (
    select * from {{ ref('int_kpi_periods') }}
),

triggers as (
    select item_id, site_id, ordered_at as event_at, 'order' as kind, short_qty,
           short_qty - lost_qty - open_backorder_qty as backordered_qty, lost_qty, open_backorder_qty
    from order_lines
    where is_short
    union all
    select item_id, site_id, occurred_at, 'issue', qty_beyond_stock, 0, 0, 0
    from cogs
    where qty_beyond_stock > 0 and cogs_category in ('production', 'consumption', 'transfer')
),

inflows as (
    select item_id, site_id, occurred_at as event_at
    from ledger
    where qty > 0 and not is_intra_site_transfer
),

grouped as (
    -- the inflow before a trigger delimits its event: triggers after the same inflow are one event
    select triggers.*, inflows.event_at as previous_inflow_at
    from triggers
    asof left join inflows
        on inflows.item_id = triggers.item_id and inflows.site_id = triggers.site_id
        and inflows.event_at <= triggers.event_at
),

events as (
    select
        item_id, site_id, previous_inflow_at,
        min(event_at) as started_at,
        count(*) filter (where kind = 'order') as short_order_lines,
        count(*) filter (where kind = 'issue') as issues_beyond_stock,
        sum(short_qty) as short_qty,
        sum(backordered_qty) as backordered_qty,
        sum(lost_qty) as lost_qty,
        sum(open_backorder_qty) as open_backorder_qty
    from grouped
    group by item_id, site_id, previous_inflow_at
),

ended as (
    select events.*, inflows.event_at as ended_at
    from events
    asof left join inflows
        on inflows.item_id = events.item_id and inflows.site_id = events.site_id
        and inflows.event_at > events.started_at
),

final as (
    select
        item_id || '@' || site_id || '@' || strftime(started_at, '%Y-%m-%dT%H:%M:%S') as stockout_id,
        item_id,
        site_id,
        date_trunc('month', started_at)::date as month,
        started_at,
        ended_at,
        ended_at is null as is_open,
        round(datediff('second', started_at,
                       coalesce(ended_at, (select max(period_end) from periods) + interval 1 day)) / 86400, 2)::decimal(18, 2)
            as duration_days,
        short_order_lines,
        issues_beyond_stock,
        short_qty,
        backordered_qty,
        lost_qty,
        open_backorder_qty
    from ended
)

select * from final
