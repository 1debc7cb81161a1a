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
        _source as source_system,
        _batch_id as batch_id,
        _file as source_file,
        _line as source_line,
        _landed_at as landed_at
    from source
)

select * from renamed
