-- The inventory ledger: one row per landed movement the ledger takes, in the item's base
-- unit, with its value, unit cost, running quantity per item x location and running owned
-- value per item x site (which includes landed costs taken into stock, negative-stock
-- revaluations and standard cost revaluations at the moment they are booked).
with movements as not materialized (
    -- not materialized: each use below reads only its own columns from the table
    select * from {{ ref('int_movements_valued') }}
),

items as (
    select item_id, base_uom from {{ ref('int_items_versioned') }} where is_current
),

charges as (
    select * from {{ ref('int_landed_costs_valued') }}
),

cost_changes as (
    select * from {{ ref('int_cost_changes_valued') }}
),

approvals as (
    select movement_key, approved_by from {{ ref('stg_lake__movement_approvals') }}
),

area_events as (
    -- integers order the area's events: a movement at its valuation_seq, a landed cost or a cost
    -- change right after the movement it follows (after_seq)
    select
        movement_key as event_key, area_id, value_c + revaluation_c as change_c, area_seq as slot,
        0 as after_movement, qty_u
    from movements
    union all
    select charge_key, area_id, to_stock_c, after_seq, 1, null from charges
    union all
    select change_key, area_id, revaluation_c, after_seq, 1, null from cost_changes
),

running as (
    -- the running value, and the area's running quantity, in one sort of these narrow rows,
    -- joined to the wide movements once; a charge's or a change's own row is not kept, so their
    -- order among themselves does not matter
    select
        event_key,
        sum(change_c) over area_order as running_value_c,
        sum(qty_u) over area_order as area_running_qty_u
    from area_events
    window area_order as (
        partition by area_id order by slot, after_movement
        rows between unbounded preceding and current row
    )
),

multi_location_areas as (
    -- in an area stocked in one location (most: ~5 % of areas, ~10 % of movements at large scale
    -- are in more), the location's running quantity is the area's
    select area_id from movements group by area_id having min(location_id) <> max(location_id)
),

location_running as (
    -- a location is in one site, so the area's valuation order (area_seq) orders its movements
    select
        movements.movement_key,
        sum(movements.qty_u) over (
            partition by movements.item_id, movements.location_id order by movements.area_seq
            rows between unbounded preceding and current row
        ) as running_qty_u
    from movements
    semi join multi_location_areas on multi_location_areas.area_id = movements.area_id
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
        items.base_uom as uom,
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
        {{ from_micro('coalesce(location_running.running_qty_u, running.area_running_qty_u)') }} as running_qty,
        {{ from_cents('running.running_value_c') }} as running_value,
        movements.document_type,
        movements.document_id,
        movements.document_line,
        movements.user_id,
        approvals.approved_by,
        movements.reason_code,
        movements.return_of,
        movements.batch_id,
        movements.source_file,
        movements.source_line
    from movements
    left join items on items.item_id = movements.item_id
    join running on running.event_key = movements.movement_key
    left join location_running on location_running.movement_key = movements.movement_key
    left join approvals on approvals.movement_key = movements.movement_key
)

select * from final
