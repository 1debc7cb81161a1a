-- Everything the ledger could not take as is, one row per finding, with the evidence to trace
-- it to its source row. Movements with an exception code are NOT in fct_inventory_ledger;
-- the other findings are in the ledger and listed here for review.
with prepared as (
    select * from {{ ref('int_movements_prepared') }}
),

valued as not materialized (
    select * from {{ ref('int_movements_valued') }}
),

charges as (
    select * from {{ ref('int_landed_costs_prepared') }}
),

pieces as (
    select * from {{ ref('int_valuation_entries') }} where entry_type = 'piece'
),

rejected_movements as (
    select movement_key, exception_code, movement_type, item_id, location_id, site_id, occurred_at,
           qty, null::hugeint as value_c, source_system, source_file, source_line, batch_id,
           case exception_code
               when 'unknown_item' then 'item ' || item_id || ' is not in the item master; add it, then rebuild'
               when 'unknown_location' then 'location ' || location_id || ' is not in the location master; add it, then rebuild'
               when 'uom_not_convertible' then 'no conversion from ' || uom || ' to the item''s base unit; add a uom_conversions row'
               when 'foreign_currency' then 'receipt in ' || currency || '; only the company currency can be valued'
           end as description,
           false as in_ledger
    from prepared where exception_code is not null
),

rejected_charges as (
    select charge_key, exception_code, 'landed_cost', null, null, null, occurred_at,
           amount, amount_c, source_system, source_file, source_line, batch_id,
           case exception_code
               when 'landed_cost_without_receipt' then 'landed cost names movement ' || movement_id || ', which is not a receipt in the ledger'
               when 'landed_cost_on_excepted_receipt' then 'the receipt ' || movement_id || ' is itself an exception'
               when 'foreign_currency' then 'landed cost in ' || currency || '; only the company currency can be valued'
           end,
           false
    from charges where exception_code is not null
),

negative_stock as (
    select movement_key, 'negative_stock', movement_type, item_id, location_id, site_id, occurred_at,
           {{ from_micro('deficit_units') }}, deficit_booked_c, source_system, source_file, source_line, batch_id,
           'issued ' || {{ from_micro('deficit_units') }} || ' beyond the stock of ' || area_id
               || '; booked at the last known unit cost until an inflow covers it',
           true
    from valued where deficit_units > 0
),

unpaired_transfers as (
    select movement_key, 'transfer_unpaired', movement_type, item_id, location_id, site_id, occurred_at,
           qty, value_c, source_system, source_file, source_line, batch_id,
           movement_type || ' of document ' || document_id || ' has no matching ' ||
               case movement_type when 'transfer_out' then 'transfer_in' else 'transfer_out' end
               || ' for item ' || item_id,
           true
    from valued where movement_type in ('transfer_out', 'transfer_in') and paired_movement_key is null
),

unresolved_returns as (
    select movement_key, 'return_reference_unknown', movement_type, item_id, location_id, site_id, occurred_at,
           qty, value_c, source_system, source_file, source_line, batch_id,
           movement_type || ' names ' || return_of || ', which is not a landed movement; valued at the current unit cost',
           true
    from valued where return_of is not null and return_of_key is null
),

unmatched_vendor_returns as (
    select movement_key, 'vendor_return_not_from_receipt', movement_type, item_id, location_id, site_id,
           occurred_at, qty, value_c, source_system, source_file, source_line, batch_id,
           'vendor return of ' || return_of || ' exceeds what is left of that receipt; taken FIFO instead',
           true
    from valued
    where movement_type = 'vendor_return' and valuation_method = 'fifo' and return_of_key is not null
      and is_valued
      and movement_key not in (select movement_key from pieces where piece_kind = 'vendor_return')
),

unioned as (
    select * from rejected_movements
    union all select * from rejected_charges
    union all select * from negative_stock
    union all select * from unpaired_transfers
    union all select * from unresolved_returns
    union all select * from unmatched_vendor_returns
),

final as (
    select
        exception_code || ':' || movement_key as exception_key,
        exception_code,
        description,
        in_ledger,
        movement_key as record_key,
        movement_type,
        item_id,
        location_id,
        site_id,
        occurred_at,
        qty,
        {{ from_cents('value_c') }} as value,
        source_system as source,
        source_file,
        source_line,
        batch_id
    from unioned
)

select * from final
