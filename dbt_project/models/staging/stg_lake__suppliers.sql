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
        _source as source_system,
        _batch_id as batch_id,
        _file as source_file,
        _line as source_line,
        _landed_at as landed_at
    from source
)

select * from renamed
