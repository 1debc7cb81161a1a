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
        _source as source_system,
        _batch_id as batch_id,
        _file as source_file,
        _line as source_line,
        _landed_at as landed_at
    from source
)

select * from renamed
