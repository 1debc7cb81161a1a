with source as (
    select * from {{ source('lake', 'engineering_changes') }}
),

renamed as (
    select
        eco_id,
        item_id,
        change_type,
        effective_at,
        replaced_by_item_id,
        description,
        approved_by,
        _source as source_system,
        _batch_id as batch_id,
        _file as source_file,
        _line as source_line,
        _landed_at as landed_at
    from source
)

select * from renamed
