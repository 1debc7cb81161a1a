-- One row per reconciliation gap: a run of consecutive report days on which a system's stock
-- of an item x location differed from the authoritative system's. Its latest difference
-- (quantity, value at standard cost), when it first appeared, its age in days (first to last
-- day seen; for an open gap, to the authority's latest report day), and whether it is still
-- open on that latest report day.
with daily as (
    select * from {{ ref('audit_reconciliation_daily') }}
),

aligned as (
    select * from {{ ref('int_stock_reports_aligned') }}
),

ledger as (
    select * from {{ ref('fct_inventory_ledger') }}
),

latest_report as (
    select site_id, compared_source, max(day) as day from aligned group by all
),

runs as (
    select
        gap_id,
        any_value(site_id) as site_id,
        any_value(item_id) as item_id,
        any_value(location_id) as location_id,
        any_value(authority_source) as authority_source,
        any_value(compared_source) as compared_source,
        min(first_seen_on) as first_seen_on,
        max(day) as last_seen_on,
        count(*) as report_days,
        arg_max(gap_qty, day) as gap_qty,
        arg_max(gap_value, day) as gap_value,
        arg_max(authority_qty, day) as authority_qty,
        arg_max(compared_qty, day) as compared_qty,
        max(abs(gap_qty)) as max_abs_gap_qty,
        arg_min(authority_batch_ids, day) as authority_batch_ids,
        arg_min(authority_source_line, day) as authority_source_line
    from daily
    group by gap_id
),

first_day_movements as (
    -- the ledger's movements of the first day: where an auditor starts looking
    select
        runs.gap_id,
        list(ledger.movement_id order by ledger.occurred_at, ledger.movement_id) as movement_ids,
        list(distinct ledger.document_id order by ledger.document_id) as document_ids,
        list(distinct ledger.user_id order by ledger.user_id) as user_ids
    from runs
    join ledger
        on ledger.item_id = runs.item_id
        and ledger.location_id = runs.location_id
        and ledger.occurred_at::date = runs.first_seen_on
    group by runs.gap_id
),

final as (
    select
        runs.gap_id,
        runs.site_id,
        runs.item_id,
        runs.location_id,
        runs.authority_source,
        runs.compared_source,
        runs.first_seen_on,
        runs.last_seen_on,
        runs.report_days,
        runs.last_seen_on = latest_report.day as is_open,
        datediff('day', runs.first_seen_on, runs.last_seen_on) as age_days,
        runs.authority_qty,
        runs.compared_qty,
        runs.gap_qty,
        runs.gap_value,
        runs.max_abs_gap_qty,
        coalesce(first_day_movements.movement_ids, []) as evidence_movement_ids,
        coalesce(first_day_movements.document_ids, []) as evidence_document_ids,
        coalesce(first_day_movements.user_ids, []) as evidence_user_ids,
        runs.authority_batch_ids,
        runs.authority_source_line
    from runs
    join latest_report
        on latest_report.site_id = runs.site_id and latest_report.compared_source = runs.compared_source
    left join first_day_movements on first_day_movements.gap_id = runs.gap_id
)

select * from final
