-- How each landed movement links to the others: its place in valuation order within its
-- valuation area (valuation_seq: occurred_at, posted_at, movement id, source system), the
-- other leg of a transfer, and the movement a return reverses.
-- Kept narrow on purpose: window functions and self-joins over tens of millions of movements
-- are cheap on these few columns and spill to disk when they carry the whole movement
-- (docs/performance.md); int_movements_prepared joins the result back by movement_key.
with movements as not materialized (
    select
        source_system || ':' || movement_id as movement_key,
        movement_id,
        source_system,
        movement_type,
        item_id,
        location_id,
        document_id,
        coalesce(document_line, '') as line,
        occurred_at,
        posted_at,
        return_of
    from {{ ref('stg_lake__inventory_movements') }}
),

locations as not materialized (
    select location_id, site_id from {{ ref('int_locations_current') }}
),

sequenced as (
    select
        movements.movement_key,
        row_number() over (
            partition by movements.item_id, locations.site_id
            order by movements.occurred_at, movements.posted_at, movements.movement_id, movements.source_system
        ) as valuation_seq
    from movements
    left join locations on movements.location_id = locations.location_id
),

transfer_legs as (
    select
        movements.movement_key,
        movements.movement_type,
        locations.site_id,
        row_number() over (
            partition by movements.document_id, movements.item_id, movements.line, movements.movement_type
            order by movements.occurred_at, movements.posted_at, movements.movement_id
        ) as leg_no,
        movements.document_id,
        movements.item_id,
        movements.line
    from movements
    left join locations on movements.location_id = locations.location_id
    where movements.movement_type in ('transfer_out', 'transfer_in')
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
        returned.movement_key,
        reversed.movement_key as return_of_key
    from movements returned
    join movements reversed on returned.return_of = reversed.movement_id
    where returned.return_of is not null
    qualify row_number() over (
        partition by returned.movement_key
        order by (reversed.source_system = returned.source_system) desc, reversed.movement_key
    ) = 1
),

final as (
    select
        sequenced.movement_key,
        sequenced.valuation_seq,
        returns_resolved.return_of_key,
        transfer_pairs.paired_movement_key,
        coalesce(transfer_pairs.is_intra_site, false) as is_intra_site_transfer
    from sequenced
    left join transfer_pairs on sequenced.movement_key = transfer_pairs.movement_key
    left join returns_resolved on sequenced.movement_key = returns_resolved.movement_key
)

select * from final
