-- Days of supply per item x site at each month end (and the as-of day for the running month):
-- backward-looking, on hand over the average daily demand of the trailing window; and
-- forward-looking, how many days the stock on hand lasts against the latest forecast version
-- (of the planning source) made by then. Formulas in _kpi.yml and docs/kpis.md.
with area_daily as not materialized (
    select * from {{ ref('int_kpi_area_daily') }}
),

demand as (
    select * from {{ ref('int_kpi_demand_daily') }}
),

periods as (
    select * from {{ ref('int_kpi_periods') }}
),

forecasts as not materialized (
    select * from {{ ref('stg_lake__forecasts') }}
),

settings as not materialized (
    select * from {{ ref('kpi_settings') }}
),

first_day as (
    select min(day) as day from area_daily
),

points as (
    select a.item_id, a.site_id, p.month, p.period_end as point_day, a.owned_qty as on_hand_qty,
           a.value as on_hand_value,
           least(settings.demand_window_days,
                 datediff('day', (select day from first_day), p.period_end) + 1)::integer as window_days
    from area_daily a
    inner join periods p on p.period_end = a.day
    cross join settings
),

window_demand as (
    select points.item_id, points.site_id, points.point_day,
           coalesce(sum(demand.demand_qty), 0) as window_demand_qty
    from points
    left join demand
        on demand.item_id = points.item_id and demand.site_id = points.site_id
        and demand.day > points.point_day - points.window_days and demand.day <= points.point_day
    group by all
),

versions as (
    -- per item x site and point: the planning source's latest version created by the point
    select points.item_id, points.site_id, points.point_day,
           arg_max(f.version_id, f.created_at) as version_id
    from points
    cross join settings
    inner join forecasts f
        on f.item_id = points.item_id and f.site_id = points.site_id
        and f.forecast_source = settings.planning_forecast_source
        and f.created_at < points.point_day + interval 1 day
    group by all
),

forecast_days as (
    -- the version's months from the day after the point, each with its daily rate
    select v.item_id, v.site_id, v.point_day, v.version_id, f.period,
           greatest(f.period, v.point_day + 1) as start_day,
           last_day(f.period) as end_day,
           f.qty / (datediff('day', f.period, last_day(f.period)) + 1) as daily_rate
    from versions v
    inner join forecasts f
        on f.version_id = v.version_id and f.item_id = v.item_id and f.site_id = v.site_id
    where last_day(f.period) > v.point_day
),

forecast_cumulative as (
    select *,
           daily_rate * (datediff('day', start_day, end_day) + 1) as period_qty,
           coalesce(sum(daily_rate * (datediff('day', start_day, end_day) + 1)) over (
               partition by item_id, site_id, point_day order by period
               rows between unbounded preceding and 1 preceding), 0) as qty_before
    from forecast_days
),

forward as (
    select
        f.item_id, f.site_id, f.point_day,
        any_value(f.version_id) as version_id,
        max(f.end_day) as horizon_end,
        min(datediff('day', f.point_day + 1, f.start_day)
            + (p.on_hand_qty - f.qty_before) / f.daily_rate)
            filter (where f.daily_rate > 0 and f.qty_before < p.on_hand_qty
                          and f.qty_before + f.period_qty >= p.on_hand_qty) as days
    from forecast_cumulative f
    inner join points p on p.item_id = f.item_id and p.site_id = f.site_id and p.point_day = f.point_day
    group by all
),

final as (
    select
        p.item_id,
        p.site_id,
        p.month,
        p.point_day as as_of_day,
        p.on_hand_qty,
        p.on_hand_value,
        p.window_days,
        w.window_demand_qty,
        {{ from_micro(div_half_up(micro('w.window_demand_qty'), 'p.window_days')) }} as avg_daily_demand,
        case when w.window_demand_qty > 0
             then round(greatest(p.on_hand_qty, 0) * p.window_days / w.window_demand_qty, 1)::decimal(18, 1)
        end as days_of_supply,
        fw.version_id as forecast_version_id,
        fw.horizon_end as forecast_horizon_end,
        case when p.on_hand_qty <= 0 then 0.0
             else round(fw.days, 1) end::decimal(18, 1) as forward_days_of_supply,
        fw.version_id is not null and p.on_hand_qty > 0 and fw.days is null as covers_forecast_horizon
    from points p
    inner join window_demand w
        on w.item_id = p.item_id and w.site_id = p.site_id and w.point_day = p.point_day
    left join forward fw
        on fw.item_id = p.item_id and fw.site_id = p.site_id and fw.point_day = p.point_day
)

select * from final
