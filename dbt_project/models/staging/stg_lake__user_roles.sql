with source as (
    select * from {{ source('lake', 'user_roles') }}
),

renamed as (
    select
        user_id,
        role,
        granted_at,
        revoked_at,
        {{ lineage_columns() }}
    from source
)

select * from renamed
