-- Every standard cost change that met stock in its valuation area, with the quantity on hand
-- at that moment and the revaluation (round(quantity x new cost) minus the value before).
-- after_seq: the valuation_seq of the last movement of the area before its moment (0 if none),
-- so the ledger orders its running value by integers.
with changes as (
    select * from {{ ref('int_standard_cost_changes') }}
),

movements as (
    select area_id, occurred_at, valuation_seq from {{ ref('int_movements_prepared') }}
),

entries as (
    select * from {{ ref('int_valuation_entries') }} where entry_type = 'cost_change'
),

final as (
    select
        changes.change_key,
        changes.item_id,
        changes.site_id,
        changes.area_id,
        changes.effective_at,
        changes.old_standard_cost,
        changes.new_standard_cost,
        entries.units as qty_on_hand_u,
        entries.revaluation_c,
        -- a change applies to the movements at and after its moment
        coalesce((
            select max(movements.valuation_seq) from movements
            where movements.area_id = changes.area_id and movements.occurred_at < changes.effective_at
        ), 0) as after_seq
    from changes
    join entries on entries.revaluation_key = changes.change_key
)

select * from final
