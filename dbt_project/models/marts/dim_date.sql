-- One row per calendar day from the first movement's month to the last movement's month end.
with bounds as (
    select date_trunc('month', min(occurred_at))::date as first_day,
           (date_trunc('month', max(occurred_at)) + interval 1 month - interval 1 day)::date as last_day
    from {{ ref('stg_lake__inventory_movements') }}
),

days as (
    select unnest(generate_series(first_day, last_day, interval 1 day))::date as day from bounds
),

final as (
    select
        day,
        year(day) as year,
        quarter(day) as quarter,
        month(day) as month,
        date_trunc('month', day)::date as month_start,
        strftime(day, '%Y-%m') as year_month,
        isodow(day) as iso_weekday,
        strftime(day, '%A') as weekday_name,
        weekofyear(day) as iso_week,
        isodow(day) >= 6 as is_weekend,
        day = last_day(day) as is_month_end
    from days
)

select * from final
