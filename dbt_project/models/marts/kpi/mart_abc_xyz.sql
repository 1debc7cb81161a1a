-- ABC x XYZ classification per item x site on the as-of day. ABC: by consumption value over the
-- trailing window (demand x unit cost), largest first; an item is A while the items before it
-- make up less than abc_a_share of the site's consumption value, B below abc_b_share, then C.
-- XYZ: by the coefficient of variation of weekly demand over the same window (zero weeks
-- included): X steady, Y variable, Z sporadic; N = no demand in the window.
with demand as (
    select * from {{ ref('int_kpi_demand_daily') }}
),

area_daily as (
    select * from {{ ref('int_kpi_area_daily') }}
),

valuation as (
    select * from {{ ref('mart_inventory_valuation') }}
),

items as (
    select * from {{ ref('dim_item') }}
),

periods as (
    select * from {{ ref('int_kpi_periods') }}
),

settings as not materialized (
    select * from {{ ref('kpi_settings') }}
),

bounds as (
    select
        max(p.period_end) as as_of_day,
        -- whole weeks ending on the as-of day, within the window and the ledger's history
        (least(any_value(s.abc_window_days),
               datediff('day', min(p.month), max(p.period_end)) + 1) // 7)::integer as weeks
    from periods p
    cross join settings s
),

weekly as (
    select d.item_id, d.site_id,
           datediff('day', d.day, b.as_of_day) // 7 as week_back,
           sum(d.demand_qty) as qty
    from demand d
    cross join bounds b
    where d.day <= b.as_of_day and d.day > b.as_of_day - b.weeks * 7
    group by all
),

stats as (
    select item_id, site_id,
           sum(qty) as window_demand_qty,
           sum(qty * qty) as sum_squares
    from weekly
    group by all
),

areas as (
    select item_id, site_id from stats
    union
    select item_id, site_id from area_daily
    where day = (select as_of_day from bounds) and owned_qty > 0
),

valued as (
    select
        a.item_id,
        a.site_id,
        coalesce(s.window_demand_qty, 0) as window_demand_qty,
        coalesce(v.unit_cost, i.standard_cost, 0) as unit_cost,
        cast(round(coalesce(s.window_demand_qty, 0) * coalesce(v.unit_cost, i.standard_cost, 0), 2) as decimal(18, 2))
            as consumption_value,
        coalesce(v.value_on_hand, 0) as inventory_value,
        s.window_demand_qty / b.weeks as mean_weekly_demand,
        case when s.window_demand_qty > 0
             then sqrt(greatest(s.sum_squares / b.weeks - (s.window_demand_qty / b.weeks) ^ 2, 0)) end as sd_weekly_demand,
        b.weeks
    from areas a
    cross join bounds b
    left join stats s on s.item_id = a.item_id and s.site_id = a.site_id
    left join valuation v on v.item_id = a.item_id and v.site_id = a.site_id
    left join items i on i.item_id = a.item_id
),

ranked as (
    select *,
           sum(consumption_value) over (partition by site_id order by consumption_value desc, item_id
                                        rows between unbounded preceding and 1 preceding) as value_before,
           sum(consumption_value) over (partition by site_id) as site_value
    from valued
),

final as (
    select
        r.item_id,
        r.site_id,
        (select as_of_day from bounds) as as_of_day,
        r.weeks as window_weeks,
        r.window_demand_qty,
        r.unit_cost,
        r.consumption_value,
        case when r.site_value > 0 then round(r.consumption_value / r.site_value, 6)::decimal(9, 6) end as consumption_share,
        case when r.site_value > 0
             then round((coalesce(r.value_before, 0) + r.consumption_value) / r.site_value, 6)::decimal(9, 6)
        end as cumulative_share,
        case
            when r.consumption_value > 0 and coalesce(r.value_before, 0) < s.abc_a_share * r.site_value then 'A'
            when r.consumption_value > 0 and coalesce(r.value_before, 0) < s.abc_b_share * r.site_value then 'B'
            else 'C'
        end as abc_class,
        round(r.mean_weekly_demand, 6)::decimal(18, 6) as mean_weekly_demand,
        round(r.sd_weekly_demand, 6)::decimal(18, 6) as sd_weekly_demand,
        case when r.mean_weekly_demand > 0
             then round(r.sd_weekly_demand / r.mean_weekly_demand, 4)::decimal(18, 4) end as demand_cv,
        case
            when not r.mean_weekly_demand > 0 or r.mean_weekly_demand is null then 'N'
            when r.sd_weekly_demand / r.mean_weekly_demand <= s.xyz_x_max_cv then 'X'
            when r.sd_weekly_demand / r.mean_weekly_demand <= s.xyz_y_max_cv then 'Y'
            else 'Z'
        end as xyz_class,
        r.inventory_value
    from ranked r
    cross join settings s
)

select *, abc_class || xyz_class as segment from final
