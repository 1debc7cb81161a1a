with source as (
    select * from {{ source('lake', 'users') }}
),

renamed as (
    select
        user_id,
        name,
        department,
        active,
        left_on,
        _source as source_system,
        _batch_id as batch_id,
        _file as source_file,
        _line as source_line,
        _landed_at as landed_at
    from source
)

select * from renamed
