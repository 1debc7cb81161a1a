-- Master data quality: the item golden record (current version) checked by validation rules
-- across procurement, manufacturing and sales attributes. One row per item x rule broken.
with items as not materialized (
    select * from {{ ref('int_items_versioned') }} where is_current
),

factors as not materialized (
    select * from {{ ref('int_uom_factors') }}
),

purchase_orders as not materialized (
    select * from {{ ref('stg_lake__purchase_orders') }}
),

production_orders as (
    select * from {{ ref('stg_lake__production_orders') }}
),

sales_orders as (
    select distinct item_id from {{ ref('stg_lake__sales_orders') }}
),

boms as (
    select * from {{ ref('stg_lake__boms') }}
    qualify row_number() over (
        partition by parent_item_id, component_item_id, valid_from order by landed_at desc, source_line desc
    ) = 1
),

checks as (
    select item_id, 'general' as area, 'min_above_max' as rule,
           'min_qty ' || min_qty || ' is above max_qty ' || max_qty as detail
    from items where min_qty > max_qty
    union all
    select item_id, 'general', 'lot_and_serial_tracked', 'both lot_tracked and serial_tracked are set'
    from items where lot_tracked and serial_tracked
    union all
    select item_id, 'general', 'vmi_and_consignment', 'both vmi and consignment are set'
    from items where vmi and consignment
    union all
    select item_id, 'general', 'shelf_life_without_lot_tracking',
           'shelf life of ' || shelf_life_days || ' days but no lot tracking to trace expiry'
    from items where shelf_life_days is not null and not lot_tracked and not serial_tracked
    union all
    select item_id, 'valuation', 'standard_cost_missing', 'valued at standard cost with a standard cost of ' || standard_cost
    from items where valuation_method = 'standard' and standard_cost <= 0
    union all
    select items.item_id, 'procurement', 'ordered_without_supplier',
           'on purchase order ' || min(purchase_orders.po_id) || ' but no primary supplier'
    from items join purchase_orders on purchase_orders.item_id = items.item_id
    where items.primary_supplier_id is null
    group by items.item_id
    union all
    select item_id, 'procurement', 'lead_time_missing', 'primary supplier ' || primary_supplier_id || ' but lead time ' || lead_time_days || ' days'
    from items where primary_supplier_id is not null and lead_time_days <= 0
    union all
    select item_id, 'procurement', 'moq_not_order_multiple',
           'minimum order ' || moq || ' is not a multiple of the order multiple ' || order_multiple
    from items where moq > 0 and order_multiple > 0 and moq % order_multiple <> 0
    union all
    select items.item_id, 'procurement', 'purchase_unit_not_convertible',
           'ordered in ' || min(purchase_orders.uom) || ', which does not convert to ' || items.base_uom
    from items
    join purchase_orders on purchase_orders.item_id = items.item_id
    left join factors on factors.item_id = items.item_id and factors.uom = purchase_orders.uom
    where factors.item_id is null
    group by items.item_id, items.base_uom
    union all
    select items.item_id, 'manufacturing', 'produced_without_bom',
           'production order ' || min(production_orders.production_order_id) || ' but no bill of materials'
    from items
    join production_orders on production_orders.item_id = items.item_id
    where not exists (select 1 from boms where boms.parent_item_id = items.item_id)
    group by items.item_id
    union all
    select boms.parent_item_id, 'manufacturing', 'bom_component_unknown',
           'bill of materials names component ' || boms.component_item_id || ', which is not in the item master'
    from boms
    where not exists (select 1 from items where items.item_id = boms.component_item_id)
    union all
    select boms.parent_item_id, 'manufacturing', 'bom_unit_not_convertible',
           'component ' || boms.component_item_id || ' in ' || boms.uom || ', which does not convert to its base unit'
    from boms
    join items on items.item_id = boms.component_item_id
    left join factors on factors.item_id = boms.component_item_id and factors.uom = boms.uom
    where factors.item_id is null
    union all
    select items.item_id, 'sales', 'sold_but_not_finished',
           'on sales orders but item type is ' || items.item_type
    from items join sales_orders on sales_orders.item_id = items.item_id
    where items.item_type <> 'finished'
    union all
    select item_id, 'sales', 'finished_without_category', 'a finished item with no category'
    from items where item_type = 'finished' and category is null
),

final as (
    select checks.item_id, checks.area, checks.rule, checks.detail,
           items.batch_id, items.source_file, items.source_line
    from checks
    left join items on items.item_id = checks.item_id
)

select * from final
