-- Master data quality: unit conversions that disagree. One row per conflict:
--   resent_with_other_factor   the same conversion (item or all items, from, to) landed with different factors
--   inverse_disagrees          a conversion and its inverse are both declared and do not multiply to 1
--   item_overrides_global      an item's own conversion differs from the one declared for all items
with conversions as not materialized (
    select *, coalesce(item_id, '*') as scope from {{ ref('stg_lake__uom_conversions') }}
),

latest as (
    select * from conversions
    qualify row_number() over (partition by scope, from_uom, to_uom order by landed_at desc, source_line desc) = 1
),

resent as (
    select 'resent_with_other_factor' as rule, scope, from_uom, to_uom,
           list(distinct factor order by factor) as factors,
           list(distinct batch_id) as batch_ids,
           'declared with factors ' || string_agg(distinct cast(factor as varchar), ', ') as detail
    from conversions
    group by scope, from_uom, to_uom
    having count(distinct factor) > 1
),

inverse as (
    select 'inverse_disagrees', forward.scope, forward.from_uom, forward.to_uom,
           [forward.factor, backward.factor], [forward.batch_id, backward.batch_id],
           '1 ' || forward.from_uom || ' = ' || forward.factor || ' ' || forward.to_uom || ' but 1 '
               || backward.from_uom || ' = ' || backward.factor || ' ' || backward.to_uom
    from latest forward
    join latest backward
        on backward.scope = forward.scope
        and backward.from_uom = forward.to_uom
        and backward.to_uom = forward.from_uom
    where forward.from_uom < forward.to_uom
        and forward.factor * backward.factor <> 1
),

overrides as (
    select 'item_overrides_global', own.scope, own.from_uom, own.to_uom,
           [own.factor, global.factor], [own.batch_id, global.batch_id],
           'item factor ' || own.factor || ' differs from the factor ' || global.factor || ' declared for all items'
    from latest own
    join latest global
        on global.scope = '*'
        and global.from_uom = own.from_uom
        and global.to_uom = own.to_uom
    where own.scope <> '*' and own.factor <> global.factor
),

final as (
    select
        rule,
        case when scope = '*' then null else scope end as item_id,
        from_uom,
        to_uom,
        factors,
        batch_ids,
        detail
    from (
        select * from resent
        union all select * from inverse
        union all select * from overrides
    )
)

select * from final
