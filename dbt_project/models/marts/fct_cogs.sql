-- One row per valued outbound movement of owned stock with its cost (cost of goods sold in
-- the wide sense); cogs_category says what consumed it (sales, production, scrap, ...).
-- A view: a filter and projection of int_movements_valued, so the build does not write the
-- outbound movements a second time (tens of millions at large scale; docs/decisions.md).
{{ config(materialized='view') }}
with movements as (
    select * from {{ ref('int_movements_valued') }}
),

outbound as (
    select * from movements
    where is_valued and qty_u < 0
),

final as (
    select
        movement_key,
        movement_id,
        source_system as source,
        movement_type,
        case movement_type
            when 'shipment' then 'sales'
            when 'production_issue' then 'production'
            when 'scrap' then 'scrap'
            when 'transfer_out' then 'transfer'
            when 'vendor_return' then 'vendor_return'
            when 'issue' then 'consumption'
            else 'adjustment'
        end as cogs_category,
        item_id,
        site_id,
        location_id,
        occurred_at,
        posted_at,
        {{ from_micro('-qty_u') }} as qty,
        {{ from_cents('-value_c') }} as cogs_value,
        {{ unit_cost('abs(value_c)', '-qty_u') }} as unit_cost,
        {{ from_micro('deficit_units') }} as qty_beyond_stock,
        {{ from_cents('deficit_booked_c') }} as value_at_last_cost,
        document_type,
        document_id
    from outbound
)

select * from final
