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
        {{ lineage_columns() }}
    from source
)

select * from renamed
