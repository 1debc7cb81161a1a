with source as (
    select * from {{ source('lake', 'customers') }}
),

renamed as (
    select
        customer_id,
        name,
        priority_tier,
        region,
        {{ lineage_columns() }}
    from source
)

select * from renamed
