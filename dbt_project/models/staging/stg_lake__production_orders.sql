with source as (
    select * from {{ source('lake', 'production_orders') }}
),

renamed as (
    select
        production_order_id,
        item_id,
        site_id,
        planned_qty,
        uom,
        released_at,
        due_at,
        status,
        user_id,
        _source as source_system,
        _batch_id as batch_id,
        _file as source_file,
        _line as source_line,
        _landed_at as landed_at
    from source
)

select * from renamed
