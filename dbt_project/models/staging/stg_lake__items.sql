with source as (
    select * from {{ source('lake', 'items') }}
),

renamed as (
    select
        item_id,
        description,
        base_uom,
        item_type,
        status,
        valuation_method,
        standard_cost,
        lot_tracked,
        serial_tracked,
        vmi,
        shelf_life_days,
        primary_supplier_id,
        lead_time_days,
        min_qty,
        max_qty,
        valid_from,
        category,
        consignment,
        regulated,
        moq,
        order_multiple,
        coalesce(currency, '{{ var("company_currency") }}') as currency,
        {{ lineage_columns() }}
    from source
)

select * from renamed
