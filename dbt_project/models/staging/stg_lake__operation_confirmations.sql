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
        {{ lineage_columns() }}
    from source
)

select * from renamed
