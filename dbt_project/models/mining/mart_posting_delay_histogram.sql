-- The distribution of posting delays per process and activity, in fixed delay bands.
with events as (
    select * from {{ ref('fct_process_events') }} where posted_at is not null
),

bands as (
    select * from (values
        (1, 'posted ahead', null, 0),
        (2, 'under 1 minute', 0, 60),
        (3, '1-10 minutes', 60, 600),
        (4, '10-60 minutes', 600, 3600),
        (5, '1-4 hours', 3600, 14400),
        (6, '4-8 hours', 14400, 28800),
        (7, '8-24 hours', 28800, 86400),
        (8, '1-2 days', 86400, 172800),
        (9, '2-7 days', 172800, 604800),
        (10, '7 days or more', 604800, null)
    ) as t(band_order, band, from_seconds, to_seconds)
),

banded as (
    select events.process, events.activity, bands.band_order, bands.band
    from events
    inner join bands
        on (bands.from_seconds is null or events.posting_delay_us >= bands.from_seconds::bigint * 1000000)
        and (bands.to_seconds is null or events.posting_delay_us < bands.to_seconds::bigint * 1000000)
),

final as (
    select process, activity, band_order, band, count(*) as events
    from banded
    group by all
)

select * from final
