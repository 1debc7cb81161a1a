with source as (
    select * from {{ source('lake', 'uom_conversions') }}
),

renamed as (
    select
        item_id,
        from_uom,
        to_uom,
        factor,
        {{ lineage_columns() }}
    from source
)

select * from renamed
