-- Every landed movement with what valuation needs: its site and valuation area,
-- the quantity in the item's base unit (micro-units), a receipt's value in
-- cents, the item's method and standard cost as of the movement, the movement
-- a return reverses, the other leg of a transfer, and its place in valuation order within
-- the valuation area (valuation_seq: occurred_at, posted_at, movement id, source system).
-- A movement the ledger cannot take as is carries an exception code.
with movements as (
    select * from {{ ref('stg_lake__inventory_movements') }}
),

items as (
    select * from {{ ref('int_items_versioned') }}
),

current_items as (
    select * from items where is_current
),

locations as (
    select * from {{ ref('int_locations_current') }}
),

factors as (
    select * from {{ ref('int_uom_factors') }}
),

keyed as (
    select
        movements.*,
        movements.source_system || ':' || movements.movement_id as movement_key
    from movements
),

joined as (
    select
        keyed.*,
        locations.site_id,
        current_items.item_id is not null as item_known,
        current_items.valuation_method,
        factors.factor_num,
        factors.factor_den
    from keyed
    left join locations on keyed.location_id = locations.location_id
    left join current_items on keyed.item_id = current_items.item_id
    left join factors on keyed.item_id = factors.item_id and keyed.uom = factors.uom
),

first_versions as (
    select item_id, standard_cost from items
    qualify row_number() over (partition by item_id order by valid_from) = 1
),

with_standard_cost as (
    -- the standard cost valid when the movement happened (the first version if earlier)
    select
        joined.*,
        coalesce(versions.standard_cost, first_versions.standard_cost) as standard_cost
    from joined
    asof left join items versions
        on joined.item_id = versions.item_id and joined.occurred_at >= versions.valid_from
    left join first_versions on joined.item_id = first_versions.item_id
),

converted as (
    select
        *,
        case when factor_num is not null then
            {{ div_half_up(micro('qty') ~ ' * ' ~ micro('factor_num'), micro('factor_den')) }}
        end as qty_u,
        case when movement_type = 'receipt' then
            {{ div_half_up(micro('qty') ~ ' * ' ~ micro('unit_cost'), '10000000000') }}
        end as receipt_value_c
    from with_standard_cost
),

transfer_legs as (
    select
        movement_key,
        movement_type,
        site_id,
        row_number() over (
            partition by document_id, item_id, coalesce(document_line, ''), movement_type
            order by occurred_at, posted_at, movement_id
        ) as leg_no,
        document_id,
        item_id,
        coalesce(document_line, '') as line
    from converted
    where movement_type in ('transfer_out', 'transfer_in')
),

transfer_pairs as (
    select
        legs.movement_key,
        other.movement_key as paired_movement_key,
        legs.site_id = other.site_id as is_intra_site
    from transfer_legs legs
    join transfer_legs other
        on legs.document_id = other.document_id
        and legs.item_id = other.item_id
        and legs.line = other.line
        and legs.leg_no = other.leg_no
        and legs.movement_type <> other.movement_type
),

returns_resolved as (
    -- return_of names a movement id; prefer the same source system, then any
    select
        converted.movement_key,
        reversed.movement_key as return_of_key
    from converted
    join converted reversed on converted.return_of = reversed.movement_id
    where converted.return_of is not null
    qualify row_number() over (
        partition by converted.movement_key
        order by (reversed.source_system = converted.source_system) desc, reversed.movement_key
    ) = 1
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
        returns_resolved.return_of_key,
        transfer_pairs.paired_movement_key,
        coalesce(transfer_pairs.is_intra_site, false) as is_intra_site_transfer,
        converted.valuation_method,
        converted.standard_cost,
        converted.batch_id,
        converted.source_file,
        converted.source_line,
        converted.landed_at,
        row_number() over (
            partition by converted.item_id, converted.site_id
            order by converted.occurred_at, converted.posted_at, converted.movement_id, converted.source_system
        ) as valuation_seq,
        case
            when not converted.item_known then 'unknown_item'
            when converted.site_id is null then 'unknown_location'
            when converted.qty_u is null then 'uom_not_convertible'
            when converted.currency <> '{{ var("company_currency") }}' and converted.movement_type = 'receipt'
                then 'foreign_currency'
        end as exception_code
    from converted
    left join transfer_pairs on converted.movement_key = transfer_pairs.movement_key
    left join returns_resolved on converted.movement_key = returns_resolved.movement_key
)

select * from final
