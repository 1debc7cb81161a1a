with source as (
    select * from {{ source('lake', 'asn') }}
),

renamed as (
    select
        asn_id,
        asn_line,
        po_id,
        po_line,
        supplier_id,
        item_id,
        qty,
        uom,
        shipped_at,
        expected_at,
        lot_id,
        {{ lineage_columns() }}
    from source
)

select * from renamed
