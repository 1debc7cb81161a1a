-- Every movement the ledger takes (no exception code), with its value in cents (owned stock
-- as valued by int_valuation_entries; consignment and VMI stock, and moves between locations
-- of one site, carry no value), its running quantity per item x location and its running
-- owned value per item x site (which includes landed costs taken into stock, negative-stock
-- revaluations and standard cost revaluations at the moment they are booked).
-- marts.fct_inventory_ledger is a view over this table (docs/decisions.md): the 22M wide
-- movement rows of the large company are written once after the valuation, not twice.
with movements as not materialized (
    -- not materialized: each use below reads only its own columns from the table
    select * exclude (exception_code)
    from {{ ref('int_movements_prepared') }}
    where exception_code is null
),

entries as not materialized (
    -- not materialized: read narrow for the running value, wide for the movement's own value
    select * from {{ ref('int_valuation_entries') }} where entry_type = 'movement'
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
        movements.movement_key as event_key, movements.area_id,
        coalesce(entries.value_c, 0) + coalesce(entries.revaluation_c, 0) as change_c,
        movements.valuation_seq as slot, 0 as after_movement, movements.qty_u
    from movements
    left join entries on entries.movement_key = movements.movement_key
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
    -- a location is in one site, so the area's valuation order (valuation_seq) orders its movements
    select
        movements.movement_key,
        sum(movements.qty_u) over (
            partition by movements.item_id, movements.location_id order by movements.valuation_seq
            rows between unbounded preceding and current row
        ) as running_qty_u
    from movements
    semi join multi_location_areas on multi_location_areas.area_id = movements.area_id
),

final as (
    select
        movements.* exclude (valuation_seq),
        entries.movement_key is not null as is_valued,
        coalesce(entries.value_c, 0) as value_c,
        coalesce(entries.revaluation_c, 0) as revaluation_c,
        coalesce(entries.deficit_units, 0) as deficit_units,
        coalesce(entries.booked_c, 0) as deficit_booked_c,
        case when movements.valuation_method = 'standard' and movements.movement_type = 'receipt'
                  and entries.movement_key is not null
             then movements.receipt_value_c - entries.value_c else 0 end as price_variance_c,
        movements.valuation_seq as area_seq,
        coalesce(location_running.running_qty_u, running.area_running_qty_u) as running_qty_u,
        running.running_value_c,
        items.base_uom,
        approvals.approved_by
    from movements
    left join entries on entries.movement_key = movements.movement_key
    join running on running.event_key = movements.movement_key
    left join location_running on location_running.movement_key = movements.movement_key
    left join items on items.item_id = movements.item_id
    left join approvals on approvals.movement_key = movements.movement_key
)

select * from final
