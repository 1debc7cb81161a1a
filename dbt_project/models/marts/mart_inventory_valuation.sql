-- Current stock and its value per item x site (valuation area), owned stock only in value;
-- consignment and VMI quantities in their own columns.
with ledger as (
    select * from {{ ref('fct_inventory_ledger') }}
),

items as (
    select * from {{ ref('int_items_versioned') }} where is_current
),

daily as not materialized (
    select * from {{ ref('fct_inventory_daily') }}
),

last_day as (
    select max(day) as day from daily
),

per_site as (
    select
        item_id, site_id,
        sum(owned_qty) as qty_on_hand,
        sum(value) as value_on_hand,
        sum(consignment_qty) as consignment_qty,
        sum(vmi_qty) as vmi_qty,
        sum(qty) as physical_qty
    from daily
    where day = (select day from last_day)
    group by all
),

activity as (
    select item_id, site_id, max(occurred_at) as last_movement_at, count(*) as movements
    from ledger group by all
),

final as (
    select
        per_site.item_id,
        per_site.site_id,
        items.valuation_method,
        per_site.qty_on_hand,
        per_site.value_on_hand,
        case when per_site.qty_on_hand > 0 then
            {{ unit_cost('cast(per_site.value_on_hand * 100 as hugeint)', micro('per_site.qty_on_hand')) }}
        end as unit_cost,
        per_site.consignment_qty,
        per_site.vmi_qty,
        per_site.physical_qty,
        items.base_uom as uom,
        items.standard_cost,
        per_site.qty_on_hand < 0 as is_negative,
        activity.last_movement_at,
        activity.movements,
        (select day from last_day) as as_of_day
    from per_site
    left join items on items.item_id = per_site.item_id
    left join activity on activity.item_id = per_site.item_id and activity.site_id = per_site.site_id
)

select * from final
