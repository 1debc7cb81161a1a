with source as (
    select * from {{ source('lake', 'purchase_orders') }}
),

renamed as (
    select
        po_id,
        po_line,
        supplier_id,
        item_id,
        site_id,
        qty,
        uom,
        unit_price,
        coalesce(currency, '{{ var("company_currency") }}') as currency,
        ordered_at,
        promised_at,
        status,
        user_id,
        {{ lineage_columns() }}
    from source
)

select * from renamed
