with source as (
    select * from {{ source('lake', 'sales_orders') }}
),

renamed as (
    select
        so_id,
        so_line,
        customer_id,
        item_id,
        site_id,
        qty,
        uom,
        unit_price,
        coalesce(currency, '{{ var("company_currency") }}') as currency,
        ordered_at,
        requested_at,
        allocated_qty,
        allocated_at,
        backordered_qty,
        drop_ship,
        status,
        channel,
        {{ lineage_columns() }}
    from source
)

select * from renamed
