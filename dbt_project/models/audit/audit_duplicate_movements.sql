-- Near-duplicate movements: a landed movement that repeats an earlier one under another id
-- (the same physical event: item, location, type, signed quantity, occurred_at, document and
-- line, lot and serial), entered again later: at least var audit_resend_min_seconds (default
-- 60) and at most var audit_duplicate_window_hours (default 24) after the movement it
-- repeats. Integration retries and system cut-overs that ingestion's (source, movement_id)
-- key cannot catch. Identical lines entered seconds apart in one go are a source splitting a
-- pick over two stock records of the same lot, not a resend. One row per repeat.
with ledger as not materialized (
    select * from {{ ref('fct_inventory_ledger') }}
),

repeated_events as (
    -- physical events entered more than once (a hash aggregate: cheap on the whole ledger)
    select item_id, location_id, movement_type, qty, occurred_at, document_id,
           coalesce(document_line, '') as line, coalesce(lot_id, '') as lot, coalesce(serial_no, '') as serial
    from ledger
    group by all
    having count(*) > 1
),

candidates as (
    select ledger.*
    from ledger
    semi join repeated_events e
        on e.item_id = ledger.item_id
        and e.location_id = ledger.location_id
        and e.movement_type = ledger.movement_type
        and e.qty = ledger.qty
        and e.occurred_at = ledger.occurred_at
        and e.document_id = ledger.document_id
        and e.line = coalesce(ledger.document_line, '')
        and e.lot = coalesce(ledger.lot_id, '')
        and e.serial = coalesce(ledger.serial_no, '')
),

ordered as (
    select
        *,
        lag(movement_id) over copies as previous_movement_id,
        lag(source) over copies as previous_source,
        lag(occurred_at) over copies as previous_occurred_at,
        lag(posted_at) over copies as previous_posted_at,
        lag(user_id) over copies as previous_user_id
    from candidates
    window copies as (
        partition by item_id, location_id, movement_type, qty, occurred_at, document_id,
            coalesce(document_line, ''), coalesce(lot_id, ''), coalesce(serial_no, '')
        order by posted_at, movement_id
    )
),

repeats as (
    select *
    from ordered
    where previous_movement_id is not null
        and posted_at >= previous_posted_at + to_seconds({{ var('audit_resend_min_seconds', 60) }})
        and posted_at <= previous_posted_at + to_hours({{ var('audit_duplicate_window_hours', 24) }})
),

final as (
    select
        movement_key,
        movement_id,
        source,
        previous_movement_id as original_movement_id,
        previous_source as original_source,
        movement_type,
        item_id,
        location_id,
        site_id,
        document_type,
        document_id,
        document_line,
        lot_id,
        serial_no,
        qty as inflated_qty,
        value as inflated_value,
        occurred_at,
        posted_at,
        previous_occurred_at as original_occurred_at,
        previous_posted_at as original_posted_at,
        user_id,
        previous_user_id as original_user_id,
        batch_id,
        source_file,
        source_line,
        'movement ' || movement_id || ' (' || source || ') repeats ' || previous_movement_id || ' ('
            || previous_source || '), entered ' || cast(epoch(posted_at) - epoch(previous_posted_at) as bigint)
            || ' s later: quantity and value counted twice' as explanation
    from repeats
)

select * from final
