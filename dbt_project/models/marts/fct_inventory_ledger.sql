-- The inventory ledger: one row per landed movement the ledger takes, in the item's base
-- unit, with its value, unit cost, running quantity per item x location and running owned
-- value per item x site (which includes landed costs taken into stock, negative-stock
-- revaluations and standard cost revaluations at the moment they are booked).
-- A view (docs/decisions.md): int_movements_valued holds every row with its value, running
-- sums and approval in cents and micro-units; this view gives them in money and base units.
{{ config(materialized='view') }}
with movements as (
    select * from {{ ref('int_movements_valued') }}
),

final as (
    select
        movements.movement_key,
        movements.movement_id,
        movements.source_system as source,
        movements.movement_type,
        movements.item_id,
        movements.location_id,
        movements.site_id,
        movements.lot_id,
        movements.serial_no,
        movements.ownership,
        {{ from_micro('movements.qty_u') }} as qty,
        movements.base_uom as uom,
        movements.qty as source_qty,
        movements.uom as source_uom,
        {{ from_cents('movements.value_c') }} as value,
        case when movements.qty_u <> 0 and movements.is_valued then
            {{ unit_cost('abs(movements.value_c)', 'abs(movements.qty_u)') }}
        end as unit_cost,
        {{ from_cents('movements.revaluation_c') }} as revaluation_value,
        {{ from_cents('movements.price_variance_c') }} as price_variance,
        {{ from_micro('movements.deficit_units') }} as qty_beyond_stock,
        movements.valuation_method,
        movements.is_valued,
        movements.is_intra_site_transfer,
        movements.occurred_at,
        movements.posted_at,
        cast(
            cast({{ div_half_up('epoch_us(movements.posted_at) - epoch_us(movements.occurred_at)', '36000000') }}
                 as decimal(18, 0)) * 0.01 as decimal(12, 2)
        ) as posting_delay_hours,
        {{ from_micro('movements.running_qty_u') }} as running_qty,
        {{ from_cents('movements.running_value_c') }} as running_value,
        movements.document_type,
        movements.document_id,
        movements.document_line,
        movements.user_id,
        movements.approved_by,
        movements.reason_code,
        movements.return_of,
        movements.batch_id,
        movements.source_file,
        movements.source_line
    from movements
)

select * from final
