with source as (
    select * from {{ source('lake', 'stock_snapshots') }}
),

renamed as (
    select
        snapshot_at,
        item_id,
        location_id,
        lot_id,
        qty,
        uom,
        value,
        coalesce(currency, '{{ var("company_currency") }}') as currency,
        _source as source_system,
        _batch_id as batch_id,
        _file as source_file,
        _line as source_line,
        _landed_at as landed_at
    from source
)

select * from renamed
