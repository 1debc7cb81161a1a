{{ config(schema='intermediate') }}
-- End-of-day stock per item x site x day (the valuation area), summed over the site's locations,
-- with the space it used (locations holding the item) priced by location type, and the value
-- held in quarantine locations.
with daily as (
    select * from {{ ref('fct_inventory_daily') }}
),

locations as (
    select * from {{ ref('dim_location') }}
),

rates as (
    select * from {{ ref('kpi_storage_rates') }}
),

priced as (
    select
        daily.item_id,
        daily.site_id,
        daily.day,
        daily.qty,
        daily.owned_qty,
        daily.value,
        locations.location_type,
        case when daily.qty > 0 then coalesce(rates.cost_per_location_day, 0) else 0 end as storage_cost
    from daily
    inner join locations on locations.location_id = daily.location_id
    left join rates on rates.location_type = locations.location_type
),

final as (
    select
        item_id,
        site_id,
        day,
        sum(qty) as qty,
        sum(owned_qty) as owned_qty,
        sum(value) as value,
        sum(value) filter (where location_type = 'quarantine') as quarantine_value,
        count(*) filter (where qty > 0) as locations_used,
        sum(storage_cost) as storage_cost
    from priced
    group by item_id, site_id, day
)

select * from final
