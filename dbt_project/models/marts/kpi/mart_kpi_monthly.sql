-- The headline KPIs of the inventory review, per site and month, plus one company row per
-- month (site_id 'ALL', is_company_total): inventory value, turns, days of supply, stockout
-- rate, carrying cost, count accuracy and ledger exceptions, with last month's figures beside
-- them. The company row is computed from the company's totals (never an average of the sites'
-- ratios), and its usage leaves out transfers between sites: they are internal moves.
with area_daily as (
    select * from {{ ref('int_kpi_area_daily') }}
),

cogs as (
    select * from {{ ref('fct_cogs') }}
),

demand as (
    select * from {{ ref('int_kpi_demand_daily') }}
),

stockouts as (
    select * from {{ ref('mart_stockouts') }}
),

carrying as (
    select * from {{ ref('mart_carrying_cost') }}
),

counts as (
    select * from {{ ref('stg_lake__cycle_counts') }}
),

locations as (
    select * from {{ ref('dim_location') }}
),

exceptions as (
    select * from {{ ref('fct_ledger_exceptions') }}
),

periods as not materialized (
    select * from {{ ref('int_kpi_periods') }}
),

settings as not materialized (
    select * from {{ ref('kpi_settings') }}
),

stock as (
    select
        case when grouping(a.site_id) = 1 then 'ALL' else a.site_id end as site_id, p.month,
        cast(sum(a.value) * 100 as hugeint) as value_days_c,
        coalesce(sum(a.value) filter (where a.day = p.period_end), 0) as inventory_value
    from area_daily a
    inner join periods p on a.day between p.month and p.period_end
    group by grouping sets ((a.site_id, p.month), (p.month))
),

daily_usage as (
    select site_id, occurred_at::date as day,
           sum(cogs_value) filter (where cogs_category in ('sales', 'production', 'consumption')) as cogs_value,
           sum(cogs_value) filter (where cogs_category = 'transfer') as transfer_out_value
    from cogs
    group by all
),

usage as (
    -- the month's usage, and the usage of the trailing demand window ending at the period end
    select
        case when grouping(u.site_id) = 1 then 'ALL' else u.site_id end as site_id, p.month,
        coalesce(sum(u.cogs_value) filter (where u.day >= p.month), 0)
            + case when grouping(u.site_id) = 0
                   then coalesce(sum(u.transfer_out_value) filter (where u.day >= p.month), 0) else 0 end
            as usage_value,
        coalesce(sum(u.cogs_value), 0)
            + case when grouping(u.site_id) = 0 then coalesce(sum(u.transfer_out_value), 0) else 0 end
            as window_usage_value,
        any_value(s.demand_window_days) as window_days
    from periods p
    cross join settings s
    inner join daily_usage u
        on u.day > p.period_end - s.demand_window_days and u.day <= p.period_end
    group by grouping sets ((u.site_id, p.month), (p.month))
),

service as (
    select case when grouping(d.site_id) = 1 then 'ALL' else d.site_id end as site_id, date_trunc('month', d.day)::date as month,
           sum(d.order_lines) as order_lines, sum(d.short_lines) as short_lines
    from demand d
    group by grouping sets ((d.site_id, date_trunc('month', d.day)), (date_trunc('month', d.day)))
),

events as (
    select case when grouping(site_id) = 1 then 'ALL' else site_id end as site_id, month, count(*) as stockout_events
    from stockouts
    group by grouping sets ((site_id, month), (month))
),

carrying_totals as (
    select case when grouping(site_id) = 1 then 'ALL' else site_id end as site_id, month, sum(carrying_cost) as carrying_cost
    from carrying
    group by grouping sets ((site_id, month), (month))
),

count_results as (
    select case when grouping(l.site_id) = 1 then 'ALL' else l.site_id end as site_id, date_trunc('month', c.counted_at)::date as month,
           count(*) as cycle_counts,
           count(*) filter (where abs(c.counted_qty - c.system_qty) <= s.count_tolerance_pct * abs(c.system_qty))
               as accurate_counts
    from counts c
    cross join settings s
    inner join locations l on l.location_id = c.location_id
    group by grouping sets ((l.site_id, date_trunc('month', c.counted_at)), (date_trunc('month', c.counted_at)))
),

exception_counts as (
    -- a ledger exception stays open until the data is corrected and the warehouse rebuilt
    select case when grouping(e.site_id) = 1 then 'ALL' else e.site_id end as site_id, p.month,
           count(*) as open_exceptions,
           count(*) filter (where e.occurred_at >= p.month) as new_exceptions
    from exceptions e
    inner join periods p on e.occurred_at < p.period_end + interval 1 day
    group by grouping sets ((e.site_id, p.month), (p.month))
),

combined as (
    select
        stock.site_id,
        stock.month,
        p.days,
        p.is_complete,
        stock.site_id = 'ALL' as is_company_total,
        stock.inventory_value,
        {{ from_cents(div_half_up('stock.value_days_c', 'p.days')) }} as avg_inventory_value,
        coalesce(usage.usage_value, 0) as usage_value,
        case when stock.value_days_c > 0
             then round(coalesce(usage.usage_value, 0) * 100 * 365 / stock.value_days_c, 4)::decimal(18, 4) end as turns,
        case when usage.window_usage_value > 0
             then round(greatest(stock.inventory_value, 0) * usage.window_days / usage.window_usage_value, 1)::decimal(18, 1)
        end as days_of_supply,
        coalesce(service.order_lines, 0) as order_lines,
        coalesce(service.short_lines, 0) as short_order_lines,
        case when service.order_lines > 0
             then round(service.short_lines / service.order_lines, 4)::decimal(9, 4) end as stockout_rate,
        coalesce(events.stockout_events, 0) as stockout_events,
        coalesce(carrying_totals.carrying_cost, 0) as carrying_cost,
        coalesce(count_results.cycle_counts, 0) as cycle_counts,
        case when count_results.cycle_counts > 0
             then round(count_results.accurate_counts / count_results.cycle_counts, 4)::decimal(9, 4) end as count_accuracy,
        coalesce(exception_counts.open_exceptions, 0) as open_exceptions,
        coalesce(exception_counts.new_exceptions, 0) as new_exceptions
    from stock
    inner join periods p on p.month = stock.month
    left join usage on usage.site_id = stock.site_id and usage.month = stock.month
    left join service on service.site_id = stock.site_id and service.month = stock.month
    left join events on events.site_id = stock.site_id and events.month = stock.month
    left join carrying_totals on carrying_totals.site_id = stock.site_id and carrying_totals.month = stock.month
    left join count_results on count_results.site_id = stock.site_id and count_results.month = stock.month
    left join exception_counts on exception_counts.site_id = stock.site_id and exception_counts.month = stock.month
),

final as (
    select
        *,
        lag(inventory_value) over w as prev_inventory_value,
        lag(turns) over w as prev_turns,
        lag(days_of_supply) over w as prev_days_of_supply,
        lag(stockout_rate) over w as prev_stockout_rate,
        lag(carrying_cost) over w as prev_carrying_cost,
        lag(count_accuracy) over w as prev_count_accuracy,
        lag(open_exceptions) over w as prev_open_exceptions
    from combined
    window w as (partition by site_id order by month)
)

select * from final
