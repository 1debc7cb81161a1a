with source as (
    select * from {{ source('lake', 'landed_costs') }}
),

renamed as (
    select
        charge_id,
        movement_id,
        amount,
        coalesce(currency, '{{ var("company_currency") }}') as currency,
        charge_type,
        occurred_at,
        posted_at,
        {{ lineage_columns() }}
    from source
)

select * from renamed
