-- Posting-delay statistics over every event that has a posting time, by one dimension at a
-- time: activity, source system, site, user, weekday and hour of the physical event.
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

final as (
    select
        dimension,
        dimension_value,
        count(*) as events,
        cast(cast({{ div_half_up('sum(posting_delay_us)', 'count(*) * 36000000') }}
                  as decimal(18, 0)) * 0.01 as decimal(12, 2)) as mean_delay_hours,
        quantile_disc(posting_delay_hours, 0.5) as median_delay_hours,
        quantile_disc(posting_delay_hours, 0.9) as p90_delay_hours,
        quantile_disc(posting_delay_hours, 0.99) as p99_delay_hours,
        max(posting_delay_hours) as max_delay_hours,
        count(*) filter (where posting_delay_us < 0) as posted_ahead_events,
        count(*) filter (where movement_key is not null and posting_delay_us
                         > cast({{ var('late_posting_hours', 24) }} as bigint) * 3600000000) as late_events,
        coalesce(sum(abs(value)) filter (where movement_key is not null and posting_delay_us
                         > cast({{ var('late_posting_hours', 24) }} as bigint) * 3600000000), 0)
            as late_value
    from by_dimension
    group by dimension, dimension_value
)

select * from final
