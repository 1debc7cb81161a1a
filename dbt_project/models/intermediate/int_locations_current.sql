-- One row per location: the last landed version of its master record.
with locations as (
    select * from {{ ref('stg_lake__locations') }}
),

current_version as (
    select * from locations
    qualify row_number() over (partition by location_id order by landed_at desc, source_line desc) = 1
)

select * from current_version
