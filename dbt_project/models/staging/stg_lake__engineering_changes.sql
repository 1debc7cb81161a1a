with source as (
    select * from {{ source('lake', 'engineering_changes') }}
),

renamed as (
    select
        eco_id,
        item_id,
        change_type,
        effective_at,
        replaced_by_item_id,
        description,
        approved_by,
        {{ lineage_columns() }}
    from source
)

select * from renamed
