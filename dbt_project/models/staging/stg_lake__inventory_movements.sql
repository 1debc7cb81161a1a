with source as (
    select * from {{ source('lake', 'inventory_movements') }}
),

renamed as (
    select
        movement_id,
        movement_type,
        item_id,
        location_id,
        qty,
        uom,
        unit_cost,
        coalesce(currency, '{{ var("company_currency") }}') as currency,
        occurred_at,
        posted_at,
        document_type,
        document_id,
        document_line,
        user_id,
        lot_id,
        serial_no,
        reason_code,
        ownership,
        return_of,
        {{ lineage_columns() }}
    from source
)

select * from renamed
