-- The push/pull recommendation per replenishment segment (ABC x XYZ x lead-time band) and site,
-- and for the company ('ALL'), with the segment's demand variability and lead time behind it.
with replenishment as (
    select * from {{ ref('mart_replenishment') }}
),

settings as (
    select * from {{ ref('kpi_settings') }}
),

segments as (
    select
        case when grouping(site_id) = 1 then 'ALL' else site_id end as site_id,
        replenishment_segment,
        any_value(abc_class) as abc_class,
        any_value(xyz_class) as xyz_class,
        any_value(lead_time_band) as lead_time_band,
        any_value(strategy) as strategy,
        count(*) as items,
        round(avg(demand_cv), 2)::decimal(9, 2) as avg_demand_cv,
        round(avg(lead_time_days), 1)::decimal(9, 1) as avg_lead_time_days,
        count(*) filter (where is_order_proposed) as orders_proposed
    from replenishment
    group by grouping sets ((site_id, replenishment_segment), (replenishment_segment))
),

final as (
    select
        s.*,
        case s.strategy
            when 'to_order' then 'no demand in the window: do not stock, replenish against orders'
            when 'pull' then 'lead times average ' || s.avg_lead_time_days || ' d (<= ' || t.pull_max_lead_days
                || ' d): replenish to actual consumption (reorder point, kanban)'
            when 'push' then 'steady demand (CV ' || s.avg_demand_cv || ' on average, X) and lead times of '
                || s.avg_lead_time_days || ' d: plan to forecast ahead of demand (MRP/DRP)'
            else 'variable demand (' || s.xyz_class || ', CV ' || s.avg_demand_cv || ' on average) and lead times of '
                || s.avg_lead_time_days || ' d: push to a decoupling buffer, pull from it to demand'
        end as strategy_reason
    from segments s
    cross join settings t
)

select * from final
