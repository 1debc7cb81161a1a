with source as (
    select * from {{ source('lake', 'item_status_changes') }}
),

renamed as (
    select
        change_id,
        item_id,
        from_status,
        to_status,
        changed_at,
        user_id,
        approved_by,
        reason,
        _source as source_system,
        _batch_id as batch_id,
        _file as source_file,
        _line as source_line,
        _landed_at as landed_at
    from source
)

select * from renamed
