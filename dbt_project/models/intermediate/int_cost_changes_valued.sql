-- Every standard cost change that met stock in its valuation area, with the quantity on hand
-- at that moment and the revaluation (round(quantity x new cost) minus the value before).
with changes as (
    select * from {{ ref('int_standard_cost_changes') }}
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
        entries.revaluation_c
    from changes
    join entries on entries.revaluation_key = changes.change_key
)

select * from final
