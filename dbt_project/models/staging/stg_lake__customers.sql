with source as (
    select * from {{ source('lake', 'customers') }}
),

renamed as (
    select
        customer_id,
        name,
        priority_tier,
        region,
        _source as source_system,
        _batch_id as batch_id,
        _file as source_file,
        _line as source_line,
        _landed_at as landed_at
    from source
)

select * from renamed
