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
        {{ lineage_columns() }}
    from source
)

select * from renamed
