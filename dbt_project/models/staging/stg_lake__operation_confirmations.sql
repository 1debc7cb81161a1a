with source as (
    select * from {{ source('lake', 'operation_confirmations') }}
),

renamed as (
    select
        confirmation_id,
        production_order_id,
        stage,
        good_qty,
        scrap_qty,
        uom,
        occurred_at,
        posted_at,
        user_id,
        _source as source_system,
        _batch_id as batch_id,
        _file as source_file,
        _line as source_line,
        _landed_at as landed_at
    from source
)

select * from renamed
