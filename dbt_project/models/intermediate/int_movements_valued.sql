-- Every movement the ledger takes (no exception code), with its value in cents:
-- owned stock as valued by int_valuation_entries; consignment and VMI stock, and
-- moves between locations of one site, carry no value.
with prepared as (
    select * from {{ ref('int_movements_prepared') }} where exception_code is null
),

entries as (
    select * from {{ ref('int_valuation_entries') }} where entry_type = 'movement'
),

valued as (
    select
        prepared.*,
        entries.movement_key is not null as is_valued,
        coalesce(entries.value_c, 0) as value_c,
        coalesce(entries.revaluation_c, 0) as revaluation_c,
        coalesce(entries.deficit_units, 0) as deficit_units,
        coalesce(entries.booked_c, 0) as deficit_booked_c,
        case when prepared.valuation_method = 'standard' and prepared.movement_type = 'receipt'
                  and entries.movement_key is not null
             then prepared.receipt_value_c - entries.value_c else 0 end as price_variance_c,
        prepared.valuation_seq as area_seq
    from prepared
    left join entries on entries.movement_key = prepared.movement_key
)

select * from valued
