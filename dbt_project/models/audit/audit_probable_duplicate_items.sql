-- Master data quality: probable duplicate items, pairs of current items that look like one:
-- the same description once case, spaces and punctuation are ignored, or the same supplier,
-- type, base unit and standard cost with the same category. One row per pair (item_id < other).
with items as not materialized (
    select
        *,
        regexp_replace(lower(description), '[^a-z0-9]', '', 'g') as description_key
    from {{ ref('int_items_versioned') }}
    where is_current
),

pairs as (
    select
        items.item_id,
        other.item_id as other_item_id,
        items.description_key = other.description_key as same_description,
        items.primary_supplier_id = other.primary_supplier_id
            and items.item_type = other.item_type
            and items.base_uom = other.base_uom
            and items.standard_cost = other.standard_cost
            and items.category is not distinct from other.category as same_attributes,
        items.description,
        other.description as other_description
    from items
    join items other
        on other.item_id > items.item_id
        and (
            other.description_key = items.description_key
            or (other.primary_supplier_id = items.primary_supplier_id
                and other.item_type = items.item_type
                and other.base_uom = items.base_uom
                and other.standard_cost = items.standard_cost
                and other.category is not distinct from items.category)
        )
),

final as (
    select
        item_id,
        other_item_id,
        same_description,
        same_attributes,
        description,
        other_description,
        case when same_description and same_attributes then 'same description and attributes'
             when same_description then 'same description'
             else 'same supplier, type, unit, standard cost and category' end as detail
    from pairs
)

select * from final
