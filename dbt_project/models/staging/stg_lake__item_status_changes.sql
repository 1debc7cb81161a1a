with source as (
    select * from {{ source('lake', 'item_status_changes') }}
),

renamed as (
    select
        change_id,
        item_id,
        from_status,
        to_status,
        changed_at,
        user_id,
        approved_by,
        reason,
        {{ lineage_columns() }}
    from source
)

select * from renamed
