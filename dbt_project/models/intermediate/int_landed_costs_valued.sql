-- Every valued landed cost with its split (to COGS, into stock, price variance) and the moment it
-- takes effect in its valuation area: its own time, or its receipt's if it is dated earlier.
-- after_seq: the valuation_seq of the last movement of the area before it, so the ledger orders
-- its running value by integers.
with entries as (
    select * from {{ ref('int_valuation_entries') }} where entry_type = 'charge'
),

charges as (
    select * from {{ ref('int_landed_costs_prepared') }}
),

movements as not materialized (
    -- read twice: the charge's receipt, and the area's movements before the charge
    select * from {{ ref('int_movements_prepared') }}
),

valued as (
    select
        entries.charge_key,
        charges.charge_id,
        charges.charge_type,
        entries.movement_key as receipt_key,
        receipts.item_id,
        receipts.site_id,
        receipts.area_id,
        charges.occurred_at,
        charges.posted_at,
        entries.value_c as amount_c,
        entries.to_cogs_c,
        entries.to_stock_c,
        entries.variance_c,
        case when (charges.occurred_at, charges.posted_at) < (receipts.occurred_at, receipts.posted_at)
             then struct_pack(a := receipts.occurred_at, b := receipts.posted_at, c := receipts.movement_id, d := 1)
             else struct_pack(a := charges.occurred_at, b := charges.posted_at, c := charges.charge_id, d := 1)
        end as valuation_order,
        greatest(charges.occurred_at, receipts.occurred_at) as effective_at
    from entries
    join charges on charges.charge_key = entries.charge_key
    join movements receipts on receipts.movement_key = entries.movement_key
),

slots as (
    -- a movement is before the charge when (occurred_at, posted_at, movement_id) is at or before
    -- its valuation_order: the fct_inventory_ledger order (its receipt is always before it)
    select valued.charge_key, max(movements.valuation_seq) as after_seq
    from valued
    join movements
        on movements.area_id = valued.area_id
        and (movements.occurred_at, movements.posted_at, movements.movement_id)
            <= (valued.valuation_order.a, valued.valuation_order.b, valued.valuation_order.c)
    group by valued.charge_key
),

final as (
    select valued.*, slots.after_seq
    from valued
    join slots on slots.charge_key = valued.charge_key
)

select * from final
