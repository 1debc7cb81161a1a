with source as (
    select * from {{ source('lake', 'kanban_signals') }}
),

renamed as (
    select
        signal_id,
        item_id,
        location_id,
        qty,
        signaled_at,
        fulfilled_at,
        _source as source_system,
        _batch_id as batch_id,
        _file as source_file,
        _line as source_line,
        _landed_at as landed_at
    from source
)

select * from renamed
