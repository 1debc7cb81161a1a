-- The monthly bridge's closing value per item x site equals the value at that month's last
-- day in fct_inventory_daily (summed over the site's locations), and the current valuation.
with month_end as (
    select item_id, site_id, date_trunc('month', day)::date as month, sum(value) as value
    from {{ ref('fct_inventory_daily') }}
    where day = last_day(day) or day = (select max(day) from {{ ref('fct_inventory_daily') }})
    group by all
),

bridge as (
    select * from {{ ref('mart_valuation_bridge_monthly') }}
),

current_value as (
    select item_id, site_id, value_on_hand from {{ ref('mart_inventory_valuation') }}
),

last_bridge as (
    select item_id, site_id, arg_max(closing_value, month) as closing_value from bridge group by all
)

select 'month end' as check_name, bridge.item_id, bridge.site_id, bridge.month
from bridge left join month_end using (item_id, site_id, month)
where bridge.closing_value is distinct from month_end.value
union all
select 'current', last_bridge.item_id, last_bridge.site_id, null
from last_bridge left join current_value using (item_id, site_id)
where last_bridge.closing_value is distinct from current_value.value_on_hand
