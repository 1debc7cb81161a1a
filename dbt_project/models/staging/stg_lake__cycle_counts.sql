with source as (
    select * from {{ source('lake', 'cycle_counts') }}
),

renamed as (
    select
        count_id,
        item_id,
        location_id,
        lot_id,
        system_qty,
        counted_qty,
        uom,
        counted_at,
        user_id,
        posted_at,
        _source as source_system,
        _batch_id as batch_id,
        _file as source_file,
        _line as source_line,
        _landed_at as landed_at
    from source
)

select * from renamed
