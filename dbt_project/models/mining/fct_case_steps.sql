-- The case-centric view the process maps are mined from: per process and case, each physical
-- step (events of the same activity at the same moment, e.g. the lot lines of one shipment,
-- are one step) and, for inventory movements, the step that posts it (when the last of its
-- lines was posted). Steps are ordered by step_at, then activity_rank.
-- A view: one GROUP BY over fct_process_events, computed when read (81.6M rows at large scale,
-- read only by `onhand mine`, which materialises it once per run; docs/decisions.md).
{{ config(materialized='view') }}
with events as (
    select * from {{ ref('fct_process_events') }}
),

physical as (
    select
        process, case_id, activity, activity_rank, occurred_at,
        any_value(posting_activity) as posting_activity,
        max(posted_at) as last_posted_at,
        count(*) as events
    from events
    group by process, case_id, activity, activity_rank, occurred_at
),

steps as (
    select process, case_id, activity, 'physical' as step_kind, activity_rank,
           occurred_at as physical_at, occurred_at as step_at, events
    from physical
    union all
    select process, case_id, posting_activity, 'posting', activity_rank + 1,
           occurred_at, last_posted_at, events
    from physical
    where posting_activity is not null
)

select * from steps
