with source as (
    select * from {{ source('lake', 'boms') }}
),

renamed as (
    select
        parent_item_id,
        component_item_id,
        qty_per,
        uom,
        scrap_factor,
        role,
        valid_from,
        valid_to,
        {{ lineage_columns() }}
    from source
)

select * from renamed
