-- Landed costs (freight, duty, ...) with the receipt movement they belong to, in cents.
-- A charge whose receipt is not in the ledger, or in a foreign currency, carries an exception code.
with charges as not materialized (
    select * from {{ ref('stg_lake__landed_costs') }}
),

movements as (
    select * from {{ ref('int_movements_prepared') }}
),

receipts as (
    -- movement_id names the receipt; prefer a receipt of the same source system
    select
        charges.charge_id,
        charges.source_system as charge_source,
        movements.movement_key as receipt_key,
        movements.area_id,
        movements.exception_code as receipt_exception
    from charges
    join movements on movements.movement_id = charges.movement_id and movements.movement_type = 'receipt'
    qualify row_number() over (
        partition by charges.source_system, charges.charge_id
        order by (movements.source_system = charges.source_system) desc, movements.movement_key
    ) = 1
),

final as (
    select
        charges.source_system || ':' || charges.charge_id as charge_key,
        charges.charge_id,
        charges.movement_id,
        receipts.receipt_key,
        receipts.area_id,
        charges.charge_type,
        charges.amount,
        {{ div_half_up(micro('charges.amount') ~ ' * 100', '1000000') }} as amount_c,
        charges.currency,
        charges.occurred_at,
        charges.posted_at,
        charges.source_system,
        charges.batch_id,
        charges.source_file,
        charges.source_line,
        case
            when receipts.receipt_key is null then 'landed_cost_without_receipt'
            when receipts.receipt_exception is not null then 'landed_cost_on_excepted_receipt'
            when charges.currency <> '{{ var("company_currency") }}' then 'foreign_currency'
        end as exception_code
    from charges
    left join receipts
        on receipts.charge_id = charges.charge_id and receipts.charge_source = charges.source_system
)

select * from final
