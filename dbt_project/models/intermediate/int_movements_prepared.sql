-- Every landed movement with what valuation needs: its site and valuation area, the
-- quantity in the item's base unit (micro-units), a receipt's value in cents, the item's
-- method and standard cost as of the movement, and (from int_movements_linked) the movement a
-- return reverses, the other leg of a transfer and its place in valuation order within the
-- valuation area. A movement the ledger cannot take as is carries an exception code.
-- One pass over the movements: every CTE below is referenced once, so DuckDB streams the
-- wide rows through hash joins instead of materialising them (docs/performance.md).
with movements as (
    select * from {{ ref('stg_lake__inventory_movements') }}
),

links as (
    select * from {{ ref('int_movements_linked') }}
),

items as (
    select item_id, standard_cost, valid_from, valid_to from {{ ref('int_items_versioned') }}
),

current_items as (
    select item_id, valuation_method from {{ ref('int_items_versioned') }} where is_current
),

first_versions as (
    select item_id, standard_cost from {{ ref('int_items_versioned') }}
    qualify row_number() over (partition by item_id order by valid_from) = 1
),

locations as (
    select * from {{ ref('int_locations_current') }}
),

factors as (
    select * from {{ ref('int_uom_factors') }}
),

joined as (
    select
        movements.*,
        movements.source_system || ':' || movements.movement_id as movement_key,
        locations.site_id,
        current_items.item_id is not null as item_known,
        current_items.valuation_method,
        factors.factor_num,
        factors.factor_den,
        -- the standard cost valid when the movement happened (the first version if earlier)
        coalesce(versions.standard_cost, first_versions.standard_cost) as standard_cost
    from movements
    left join locations on movements.location_id = locations.location_id
    left join current_items on movements.item_id = current_items.item_id
    left join factors on movements.item_id = factors.item_id and movements.uom = factors.uom
    -- a hash join on the item with the validity interval as a condition (an item has a few
    -- versions): an ASOF join would sort the wide movements by item and time
    left join items versions
        on movements.item_id = versions.item_id
        and movements.occurred_at >= versions.valid_from
        and (movements.occurred_at < versions.valid_to or versions.valid_to is null)
    left join first_versions on movements.item_id = first_versions.item_id
),

converted as (
    select
        *,
        -- a movement in the item's base unit (most) needs no multiplication (at large scale the
        -- exact conversion of every movement was 13 of this model's CPU seconds)
        case when factor_num = factor_den then {{ micro('qty') }}
             when factor_num is not null then
                 {{ div_half_up(micro('qty') ~ ' * ' ~ micro('factor_num'), micro('factor_den')) }}
        end as qty_u,
        case when movement_type = 'receipt' then
            {{ div_half_up(micro('qty') ~ ' * ' ~ micro('unit_cost'), '10000000000') }}
        end as receipt_value_c
    from joined
),

final as (
    select
        converted.movement_key,
        converted.movement_id,
        converted.source_system,
        converted.movement_type,
        converted.item_id,
        converted.location_id,
        converted.site_id,
        converted.item_id || '@' || converted.site_id as area_id,
        converted.ownership,
        converted.qty,
        converted.uom,
        converted.qty_u,
        converted.unit_cost,
        converted.receipt_value_c,
        converted.currency,
        converted.occurred_at,
        converted.posted_at,
        converted.document_type,
        converted.document_id,
        converted.document_line,
        converted.user_id,
        converted.lot_id,
        converted.serial_no,
        converted.reason_code,
        converted.return_of,
        links.return_of_key,
        links.paired_movement_key,
        links.is_intra_site_transfer,
        converted.valuation_method,
        converted.standard_cost,
        converted.batch_id,
        converted.source_file,
        converted.source_line,
        converted.landed_at,
        links.valuation_seq,
        case
            when not converted.item_known then 'unknown_item'
            when converted.site_id is null then 'unknown_location'
            when converted.qty_u is null then 'uom_not_convertible'
            when converted.currency <> '{{ var("company_currency") }}' and converted.movement_type = 'receipt'
                then 'foreign_currency'
        end as exception_code
    from converted
    join links on converted.movement_key = links.movement_key
)

select * from final
