{{ config(schema='intermediate') }}
-- The months the KPI marts report: from the ledger's first month to the month of its last day
-- (the as-of day). The last month runs only to the as-of day: period_end and days say so.
with daily as (
    select * from {{ ref('fct_inventory_daily') }}
),

bounds as (
    select min(day) as first_day, max(day) as as_of_day from daily
),

months as (
    select unnest(generate_series(date_trunc('month', first_day), as_of_day, interval 1 month))::date as month,
           as_of_day
    from bounds
),

final as (
    select
        month,
        least(last_day(month), as_of_day) as period_end,
        datediff('day', month, least(last_day(month), as_of_day)) + 1 as days,
        last_day(month) <= as_of_day as is_complete,
        as_of_day
    from months
)

select * from final
