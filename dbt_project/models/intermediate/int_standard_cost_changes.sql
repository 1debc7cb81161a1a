-- Standard cost changes that revalue stock: per valuation area of a standard-cost item, each
-- item version (after the first) whose standard cost differs from the version before, from
-- its valid_from on. Versions dated after the ledger's last movement are not yet in effect.
with items as not materialized (
    select * from {{ ref('int_items_versioned') }}
),

movements as not materialized (
    select * from {{ ref('int_movements_prepared') }} where exception_code is null
),

standard_items as (
    select item_id from items where is_current and valuation_method = 'standard'
),

areas as (
    select distinct item_id, site_id, area_id from movements
),

versions as (
    select
        item_id,
        valid_from,
        standard_cost,
        lag(standard_cost) over (partition by item_id order by valid_from) as previous_cost
    from items
),

final as (
    select
        areas.area_id || '@' || strftime(versions.valid_from, '%Y-%m-%dT%H:%M:%S.%f') as change_key,
        areas.item_id,
        areas.site_id,
        areas.area_id,
        versions.valid_from as effective_at,
        versions.previous_cost as old_standard_cost,
        versions.standard_cost as new_standard_cost
    from versions
    join standard_items on standard_items.item_id = versions.item_id
    join areas on areas.item_id = versions.item_id
    where versions.previous_cost is not null
        and versions.standard_cost <> versions.previous_cost
        and versions.valid_from <= (select max(occurred_at) from movements)
)

select * from final
