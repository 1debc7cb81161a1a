with source as (
    select * from {{ source('lake', 'supplier_invoices') }}
),

renamed as (
    select
        invoice_id,
        invoice_line,
        supplier_id,
        po_id,
        po_line,
        item_id,
        qty,
        unit_price,
        amount,
        coalesce(currency, '{{ var("company_currency") }}') as currency,
        invoiced_at,
        posted_at,
        paid_at,
        {{ lineage_columns() }}
    from source
)

select * from renamed
