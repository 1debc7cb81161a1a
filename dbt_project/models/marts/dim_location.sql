-- One row per location (bin), with its site, warehouse, zone and type.
with locations as (
    select * from {{ ref('int_locations_current') }}
),

final as (
    select location_id, site_id, warehouse_id, zone, bin, location_type, region, source_system
    from locations
)

select * from final
