-- Change control: movements of an item while its master record said quarantine, blocked or
-- obsolete (the item version valid when the movement occurred), with the status change that
-- set the status and who entered and approved it. One row per movement.
with ledger as (
    select * from {{ ref('fct_inventory_ledger') }}
),

items as not materialized (
    select * from {{ ref('int_items_versioned') }}
),

status_changes as (
    select * from {{ ref('stg_lake__item_status_changes') }}
    qualify row_number() over (partition by change_id order by landed_at desc, source_line desc) = 1
),

ever_inactive as (
    select distinct item_id from items where status in ('quarantine', 'blocked', 'obsolete')
),

with_status as (
    -- only items that were ever inactive need the version of the moment
    select ledger.*, versions.status as item_status, versions.valid_from as status_since
    from (select * from ledger semi join ever_inactive using (item_id)) ledger
    asof join items versions
        on versions.item_id = ledger.item_id and ledger.occurred_at >= versions.valid_from
),

inactive as (
    select * from with_status where item_status in ('quarantine', 'blocked', 'obsolete')
),

with_change as (
    select
        inactive.*,
        changes.change_id,
        changes.user_id as status_changed_by,
        changes.approved_by as status_approved_by
    from inactive
    asof left join status_changes changes
        on changes.item_id = inactive.item_id
        and inactive.occurred_at >= changes.changed_at
),

final as (
    select
        movement_key,
        movement_id,
        source,
        movement_type,
        item_id,
        location_id,
        site_id,
        qty,
        value,
        occurred_at,
        posted_at,
        user_id,
        document_type,
        document_id,
        item_status,
        status_since,
        change_id as status_change_id,
        status_changed_by,
        status_approved_by,
        batch_id,
        source_file,
        source_line,
        movement_type || ' of ' || item_id || ' while it was ' || item_status || ' (since '
            || strftime(status_since, '%Y-%m-%d %H:%M') || coalesce(', change ' || change_id, '') || ')'
            as explanation
    from with_change
)

select * from final
