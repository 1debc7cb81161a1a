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
        _source as source_system,
        _batch_id as batch_id,
        _file as source_file,
        _line as source_line,
        _landed_at as landed_at
    from source
)

select * from renamed
