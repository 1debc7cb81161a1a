with source as (
    select * from {{ source('lake', 'kanban_signals') }}
),

renamed as (
    select
        signal_id,
        item_id,
        location_id,
        qty,
        signaled_at,
        fulfilled_at,
        {{ lineage_columns() }}
    from source
)

select * from renamed
