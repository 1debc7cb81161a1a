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
        _source as source_system,
        _batch_id as batch_id,
        _file as source_file,
        _line as source_line,
        _landed_at as landed_at
    from source
)

select * from renamed
