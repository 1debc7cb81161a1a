-- FIFO valuation layers: one row per inflow of a FIFO item (receipt, transfer-in, customer
-- return, production receipt, found stock), with what remains of it at the end of the ledger.
with layers as (
    select * from {{ ref('int_valuation_entries') }} where entry_type = 'layer'
),

movements as (
    select * from {{ ref('int_movements_valued') }}
),

final as (
    select
        layers.layer_key,
        movements.item_id,
        movements.site_id,
        movements.location_id,
        movements.lot_id,
        movements.movement_type as layer_source,
        movements.occurred_at as created_at,
        {{ from_micro('layers.units') }} as qty,
        {{ from_cents('layers.value_c') }} as value,
        {{ unit_cost('layers.value_c', 'layers.units') }} as unit_cost,
        {{ from_micro('layers.units - layers.remaining_units') }} as consumed_qty,
        {{ from_micro('layers.remaining_units') }} as remaining_qty,
        {{ from_cents('layers.remaining_value_c') }} as remaining_value,
        layers.remaining_units = 0 as is_consumed
    from layers
    join movements on movements.movement_key = layers.layer_key
)

select * from final
