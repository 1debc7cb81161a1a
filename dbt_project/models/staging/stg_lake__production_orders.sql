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
        {{ lineage_columns() }}
    from source
)

select * from renamed
