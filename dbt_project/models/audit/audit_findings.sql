-- Every audit finding in one shape, for the dashboard and for triage: one row per finding of
-- every audit rule, with a stable finding_id (a hash of the rule and the record it is about, so
-- the same finding keeps its id from build to build), its severity, where and when, its
-- quantity and value, the evidence ids to drill to marts.fct_inventory_ledger and the source
-- documents, and a sentence that explains it. The per-rule models hold the full detail.
with gaps as (
    select * from {{ ref('audit_reconciliation_gaps') }}
),

counts as (
    select * from {{ ref('audit_cycle_count_discrepancies') }}
),

duplicates as (
    select * from {{ ref('audit_duplicate_movements') }}
),

inactive as (
    select * from {{ ref('audit_movements_on_inactive_items') }}
),

unapproved as (
    select * from {{ ref('audit_status_changes_unapproved') }}
),

engineering as (
    select * from {{ ref('audit_engineering_changes_not_reclassified') }}
),

sod as (
    select * from {{ ref('audit_sod_breaches') }}
),

item_issues as (
    select * from {{ ref('audit_item_master_issues') }}
),

uom_conflicts as (
    select * from {{ ref('audit_uom_conversion_conflicts') }}
),

duplicate_items as (
    select * from {{ ref('audit_probable_duplicate_items') }}
),

cutoff as (
    select * from {{ ref('audit_cutoff_movements') }}
),

unioned as (
    select 'reconciliation_gap' as rule, 'reconciliation' as category, gap_id as record_id,
           case when is_open then 'high' else 'medium' end as severity,
           site_id, item_id, location_id, cast(first_seen_on as timestamp) as occurred_at,
           gap_value as value, gap_qty as quantity,
           evidence_movement_ids, evidence_document_ids, evidence_user_ids,
           compared_source || ' differs from ' || authority_source || ' by ' || gap_qty || ' since '
               || strftime(first_seen_on, '%Y-%m-%d') || case when is_open then ' (still open)' else '' end
               as explanation,
           'audit_reconciliation_gaps' as source_model
    from gaps
    union all
    select 'count_' || root_cause, 'cycle_count', count_id,
           case when root_cause in ('unexplained_shrinkage', 'unposted_shipment', 'unposted_receipt', 'duplicate_posting')
                then 'high' else 'medium' end,
           site_id, item_id, location_id, counted_at, difference_value, difference_qty,
           evidence_movement_ids, evidence_document_ids, evidence_user_ids, explanation,
           'audit_cycle_count_discrepancies'
    from counts
    union all
    select 'duplicate_movement', 'duplicate', movement_key, 'high', site_id, item_id, location_id,
           occurred_at, inflated_value, inflated_qty, [original_movement_id, movement_id], [document_id],
           list_distinct([original_user_id, user_id]), explanation, 'audit_duplicate_movements'
    from duplicates
    union all
    select 'movement_on_inactive_item', 'change_control', movement_key, 'high', site_id, item_id,
           location_id, occurred_at, value, qty, [movement_id],
           list_filter([document_id, status_change_id], lambda x: x is not null),
           list_distinct(list_filter([user_id, status_changed_by, status_approved_by], lambda x: x is not null)),
           explanation, 'audit_movements_on_inactive_items'
    from inactive
    union all
    select 'status_change_without_approval', 'change_control', change_id, 'medium', null, item_id, null,
           changed_at, null, null, [], [change_id], [user_id], explanation, 'audit_status_changes_unapproved'
    from unapproved
    union all
    select 'engineering_change_not_reclassified', 'change_control', eco_id || '|' || item_id || '|' || location_id,
           'medium', site_id, item_id, location_id, effective_at, unreclassified_value, unreclassified_qty,
           [], [eco_id], list_filter([approved_by], lambda x: x is not null), explanation,
           'audit_engineering_changes_not_reclassified'
    from engineering
    union all
    select rule, 'segregation_of_duties', record_id,
           case when rule in ('self_approved_adjustment', 'self_approved_status_change', 'posting_after_leaving')
                then 'high' when rule in ('dormant_user_with_active_role') then 'low' else 'medium' end,
           site_id, item_id, location_id, occurred_at, value, qty, evidence_movement_ids,
           evidence_document_ids, evidence_user_ids, explanation, 'audit_sod_breaches'
    from sod
    union all
    select 'item_' || rule, 'master_data', item_id || '|' || rule, 'low', null, item_id, null, null, null, null,
           [], [], [], area || ': ' || detail, 'audit_item_master_issues'
    from item_issues
    union all
    select 'uom_' || rule, 'master_data', coalesce(item_id, '*') || '|' || from_uom || '|' || to_uom || '|' || rule,
           'medium', null, item_id, null, null, null, null, [], [], [],
           from_uom || ' -> ' || to_uom || ': ' || detail, 'audit_uom_conversion_conflicts'
    from uom_conflicts
    union all
    select 'probable_duplicate_item', 'master_data', item_id || '|' || other_item_id, 'low', null, item_id,
           null, null, null, null, [], [], [], item_id || ' and ' || other_item_id || ': ' || detail,
           'audit_probable_duplicate_items'
    from duplicate_items
    union all
    select 'cutoff_' || source, 'cutoff', movement_key, 'low', site_id, item_id, location_id, occurred_at,
           value, qty, [movement_id], [document_id], [user_id],
           movement_type || ' of ' || strftime(occurred_at, '%Y-%m') || ' posted in ' || strftime(posted_at, '%Y-%m')
               || ' by ' || source, 'audit_cutoff_movements'
    from cutoff
),

final as (
    select
        md5(rule || '|' || record_id) as finding_id,
        rule,
        category,
        severity,
        record_id,
        site_id,
        item_id,
        location_id,
        occurred_at,
        cast(value as decimal(18, 2)) as value,
        cast(quantity as decimal(18, 6)) as quantity,
        evidence_movement_ids,
        evidence_document_ids,
        evidence_user_ids,
        explanation,
        source_model
    from unioned
)

select * from final
