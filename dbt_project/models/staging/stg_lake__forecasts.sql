with source as (
    select * from {{ source('lake', 'forecasts') }}
),

renamed as (
    select
        version_id,
        source as forecast_source,
        created_at,
        item_id,
        site_id,
        period,
        qty,
        _source as source_system,
        _batch_id as batch_id,
        _file as source_file,
        _line as source_line,
        _landed_at as landed_at
    from source
)

select * from renamed
