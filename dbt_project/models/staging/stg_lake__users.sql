with source as (
    select * from {{ source('lake', 'users') }}
),

renamed as (
    select
        user_id,
        name,
        department,
        active,
        left_on,
        {{ lineage_columns() }}
    from source
)

select * from renamed
