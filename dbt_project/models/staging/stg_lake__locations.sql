with source as (
    select * from {{ source('lake', 'locations') }}
),

renamed as (
    select
        location_id,
        site_id,
        warehouse_id,
        zone,
        bin,
        location_type,
        region,
        {{ lineage_columns() }}
    from source
)

select * from renamed
