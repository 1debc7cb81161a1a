with source as (
    select * from {{ source('lake', 'cycle_counts') }}
),

renamed as (
    select
        count_id,
        item_id,
        location_id,
        lot_id,
        system_qty,
        counted_qty,
        uom,
        counted_at,
        user_id,
        posted_at,
        {{ lineage_columns() }}
    from source
)

select * from renamed
