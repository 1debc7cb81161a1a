-- mining.fct_case_steps has one row per process x case x activity x physical moment when, in the
-- events it groups (fct_process_events):
-- (1) each activity of a process has one activity_rank (physical steps are a GROUP BY of the events
--     by process, case, activity, rank and moment),
-- (2) no two activities of a process share a posting activity (each physical step gives at most one
--     posting step, named by its posting activity), and
-- (3) no posting activity of a process is also one of its physical activities.
-- Checked on the events' few distinct activities: the guarantee of a uniqueness test on the view,
-- without grouping its 81.6M steps at large scale (docs/decisions.md).
with activities as (
    select distinct process, activity, activity_rank, posting_activity
    from {{ ref('fct_process_events') }}
),

ranked_twice as (
    select process, activity, 'has more than one activity_rank' as problem
    from activities
    group by process, activity
    having count(distinct activity_rank) > 1
),

posting_shared as (
    select process, posting_activity as activity, 'is the posting activity of more than one activity' as problem
    from activities
    where posting_activity is not null
    group by process, posting_activity
    having count(distinct activity) > 1
),

posting_is_physical as (
    select distinct postings.process, postings.posting_activity as activity,
           'is both a posting and a physical activity' as problem
    from activities postings
    join activities physical
        on physical.process = postings.process and physical.activity = postings.posting_activity
)

select * from ranked_twice
union all
select * from posting_shared
union all
select * from posting_is_physical
