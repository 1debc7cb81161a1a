-- Every (item, unit) -> factor to the item's base unit that the conversions allow:
-- same unit; item-specific, then global conversions; direct, then inverse.
-- An inverse factor is kept as a fraction (numerator, denominator) so that no
-- quantity goes through a binary float.
with items as not materialized (
    select item_id, base_uom from {{ ref('int_items_versioned') }} where is_current
),

conversions as (
    select * from {{ ref('stg_lake__uom_conversions') }}
    qualify row_number() over (
        partition by coalesce(item_id, ''), from_uom, to_uom order by landed_at desc, source_line desc
    ) = 1
),

candidates as (
    select item_id, base_uom as uom, 1::decimal(18, 6) as factor_num, 1::decimal(18, 6) as factor_den, 0 as priority
    from items
    union all
    select items.item_id, c.from_uom, c.factor, 1, case when c.item_id is null then 3 else 1 end
    from items join conversions c
        on c.to_uom = items.base_uom and (c.item_id = items.item_id or c.item_id is null)
    union all
    select items.item_id, c.to_uom, 1, c.factor, case when c.item_id is null then 4 else 2 end
    from items join conversions c
        on c.from_uom = items.base_uom and (c.item_id = items.item_id or c.item_id is null)
),

best as (
    select item_id, uom, factor_num, factor_den
    from candidates
    where factor_num > 0 and factor_den > 0
    qualify row_number() over (partition by item_id, uom order by priority) = 1
)

select * from best
