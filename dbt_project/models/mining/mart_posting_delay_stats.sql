-- Posting-delay statistics over every event that has a posting time, by one dimension at a
-- time: activity, source system, site, user, weekday and hour of the physical event.
-- The quantiles are exact, from counts per distinct delay: DuckDB's quantile_disc is the value
-- at 1-based position ceil(n x q), i.e. the smallest delay whose cumulative count reaches n x q.
-- (quantile_disc itself holds every value of a group in memory and cannot spill: at tens of
-- millions of events it runs out of memory.)
with events as not materialized (
    select * from {{ ref('fct_process_events') }} where posted_at is not null
),

by_dimension as (
    select 'activity' as dimension, process || ': ' || activity as dimension_value, * from events
    union all
    select 'source', source, * from events
    union all
    select 'site', coalesce(site_id, '(none)'), * from events
    union all
    select 'user', coalesce(user_id, '(none)'), * from events
    union all
    select 'weekday', cast(occurred_weekday as varchar), * from events
    union all
    select 'hour', lpad(cast(occurred_hour as varchar), 2, '0'), * from events
),

delay_counts as (
    -- one pass: every sum and count per group and distinct delay, rolled up below
    select
        dimension,
        dimension_value,
        posting_delay_hours,
        count(*) as at_delay,
        sum(posting_delay_us) as delay_us,
        count(*) filter (where posting_delay_us < 0) as posted_ahead_events,
        count(*) filter (where movement_key is not null and posting_delay_us
                         > cast({{ var('late_posting_hours', 24) }} as bigint) * 3600000000) as late_events,
        sum(abs(value)) filter (where movement_key is not null and posting_delay_us
                         > cast({{ var('late_posting_hours', 24) }} as bigint) * 3600000000) as late_value
    from by_dimension
    group by dimension, dimension_value, posting_delay_hours
),

cumulative as (
    select
        *,
        sum(at_delay) over (partition by dimension, dimension_value order by posting_delay_hours
                            rows between unbounded preceding and current row) as up_to_delay,
        sum(at_delay) over (partition by dimension, dimension_value) as n
    from delay_counts
),

final as (
    select
        dimension,
        dimension_value,
        sum(at_delay)::bigint as events,
        cast(cast({{ div_half_up('sum(delay_us)', 'sum(at_delay) * 36000000') }}
                  as decimal(18, 0)) * 0.01 as decimal(12, 2)) as mean_delay_hours,
        min(posting_delay_hours) filter (where up_to_delay * 100 >= n * 50) as median_delay_hours,
        min(posting_delay_hours) filter (where up_to_delay * 100 >= n * 90) as p90_delay_hours,
        min(posting_delay_hours) filter (where up_to_delay * 100 >= n * 99) as p99_delay_hours,
        max(posting_delay_hours) as max_delay_hours,
        sum(posted_ahead_events)::bigint as posted_ahead_events,
        sum(late_events)::bigint as late_events,
        coalesce(sum(late_value), 0) as late_value
    from cumulative
    group by dimension, dimension_value
)

select * from final
