-- Forecast accuracy per item x site x forecast version (and its source), over the version's
-- months that are complete in the ledger: MAPE, WAPE, bias, and the forecast value added over
-- the naive forecast (the last complete month's actual before the version was made, repeated).
-- Actual demand = customer order lines + internal consumption (transfers between sites are
-- not demand on the company). Formulas in _kpi.yml and docs/kpis.md.
with forecasts as not materialized (
    select * from {{ ref('stg_lake__forecasts') }}
),

demand as (
    select * from {{ ref('int_kpi_demand_daily') }}
),

periods as (
    select * from {{ ref('int_kpi_periods') }}
),

actuals as (
    select d.item_id, d.site_id, date_trunc('month', d.day)::date as month,
           sum(d.order_qty + d.consumption_qty) as qty
    from demand d
    group by all
),

complete_months as (
    select month from periods where is_complete
),

versions as (
    select version_id, forecast_source, item_id, site_id,
           min(created_at) as created_at,
           (date_trunc('month', min(created_at)) - interval 1 month)::date as naive_month
    from forecasts
    group by all
),

compared as (
    select
        f.version_id, f.item_id, f.site_id, f.period,
        f.qty as forecast_qty,
        coalesce(a.qty, 0) as actual_qty,
        n.qty as naive_qty,
        v.naive_month in (select month from complete_months) as has_naive
    from forecasts f
    inner join complete_months c on c.month = f.period
    inner join versions v on v.version_id = f.version_id and v.item_id = f.item_id and v.site_id = f.site_id
    left join actuals a on a.item_id = f.item_id and a.site_id = f.site_id and a.month = f.period
    left join actuals n on n.item_id = f.item_id and n.site_id = f.site_id and n.month = v.naive_month
),

scored as (
    select
        version_id, item_id, site_id,
        count(*) as periods_evaluated,
        min(period) as first_period,
        max(period) as last_period,
        sum(forecast_qty) as forecast_qty,
        sum(actual_qty) as actual_qty,
        sum(abs(forecast_qty - actual_qty)) as abs_error_qty,
        avg(abs(forecast_qty - actual_qty) / actual_qty) filter (where actual_qty > 0) as mape,
        count(*) filter (where actual_qty > 0) as periods_with_demand,
        bool_and(has_naive) as has_naive,
        sum(abs(coalesce(naive_qty, 0) - actual_qty)) as naive_abs_error_qty
    from compared
    group by all
),

final as (
    select
        s.version_id,
        v.forecast_source,
        s.item_id,
        s.site_id,
        v.created_at,
        s.first_period,
        s.last_period,
        s.periods_evaluated,
        s.periods_with_demand,
        s.forecast_qty,
        s.actual_qty,
        s.abs_error_qty,
        round(s.mape, 4)::decimal(18, 4) as mape,
        case when s.actual_qty > 0 then round(s.abs_error_qty / s.actual_qty, 4)::decimal(18, 4) end as wape,
        case when s.actual_qty > 0 then round((s.forecast_qty - s.actual_qty) / s.actual_qty, 4)::decimal(18, 4) end as bias,
        v.naive_month,
        case when s.actual_qty > 0 and s.has_naive
             then round(s.naive_abs_error_qty / s.actual_qty, 4)::decimal(18, 4) end as naive_wape,
        case when s.actual_qty > 0 and s.has_naive
             then round((s.naive_abs_error_qty - s.abs_error_qty) / s.actual_qty, 4)::decimal(18, 4) end as value_added
    from scored s
    inner join versions v on v.version_id = s.version_id and v.item_id = s.item_id and v.site_id = s.site_id
)

select * from final
