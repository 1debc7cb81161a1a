with source as (
    select * from {{ source('lake', 'suppliers') }}
),

renamed as (
    select
        supplier_id,
        name,
        country,
        coalesce(currency, '{{ var("company_currency") }}') as currency,
        payment_terms_days,
        {{ lineage_columns() }}
    from source
)

select * from renamed
