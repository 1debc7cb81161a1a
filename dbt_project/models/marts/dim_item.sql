-- One row per item: its current master record (the newest version).
with items as (
    select * from {{ ref('int_items_versioned') }} where is_current
),

final as (
    select
        item_id, description, base_uom, item_type, category, status, valuation_method,
        standard_cost, currency, lot_tracked, serial_tracked, vmi, consignment, regulated,
        shelf_life_days, primary_supplier_id, lead_time_days, min_qty, max_qty, moq, order_multiple,
        valid_from as current_since, source_system
    from items
)

select * from final
