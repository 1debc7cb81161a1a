-- Segregation of duties and the access review. One row per breach (rule x record):
--   self_approved_adjustment       a stock adjustment approved by the user who entered it
--   self_approved_status_change    an item status change approved by the user who entered it
--   counted_own_discrepancy        a count reconciled by the user who entered the movement that caused its difference
--   unjustified_adjustment         a high-value (var audit_high_value_adjustment, default 1000) or regulated-item
--                                  adjustment without a reason code or without an approver
--   posting_after_leaving          a movement entered or approved by a user after the day they left
--   departed_user_with_active_role a role still granted more than var audit_revoke_grace_days (default 7) after the user left
--   dormant_user_with_active_role  an employed user with roles and no recorded activity in the last
--                                  var audit_dormant_days (default 90) of the data
--   conflicting_roles              a user holding two roles that must not meet (seed audit_sod_conflicting_roles)
with movements as not materialized (
    -- not materialized: each use reads only its own columns (the ledger carries approved_by)
    select * from {{ ref('fct_inventory_ledger') }}
),

status_changes as (
    select * from {{ ref('stg_lake__item_status_changes') }}
    qualify row_number() over (partition by change_id order by landed_at desc, source_line desc) = 1
),

counts as (
    select * from {{ ref('audit_cycle_count_discrepancies') }}
),

users as (
    select * from {{ ref('stg_lake__users') }}
    qualify row_number() over (partition by user_id order by landed_at desc, source_line desc) = 1
),

roles as (
    select * from {{ ref('stg_lake__user_roles') }}
    qualify row_number() over (partition by user_id, role, granted_at order by landed_at desc, source_line desc) = 1
),

conflicts as (
    select * from {{ ref('audit_sod_conflicting_roles') }}
),

items as (
    select item_id, regulated from {{ ref('int_items_versioned') }} where is_current
),

data_end as (
    select max(occurred_at) as active_at from movements
),

activity as (
    select user_id, occurred_at as active_at from movements
    union all select approved_by, occurred_at from movements where approved_by is not null
    union all select user_id, counted_at from {{ ref('stg_lake__cycle_counts') }}
    union all select user_id, changed_at from status_changes
    union all select approved_by, changed_at from status_changes where approved_by is not null
    union all select user_id, ordered_at from {{ ref('stg_lake__purchase_orders') }} where user_id is not null
    union all select user_id, released_at from {{ ref('stg_lake__production_orders') }} where user_id is not null
    union all select user_id, occurred_at from {{ ref('stg_lake__operation_confirmations') }} where user_id is not null
),

last_activity as (
    select user_id, max(active_at) as active_at from activity group by user_id
),

self_approved_adjustments as (
    select 'self_approved_adjustment' as rule, 'movement' as record_type, movement_key as record_id,
           user_id, site_id, item_id, location_id, occurred_at, qty, value,
           [movement_id] as evidence_movement_ids, [document_id] as evidence_document_ids,
           [user_id] as evidence_user_ids,
           movement_type || ' ' || movement_id || ' entered and approved by ' || user_id as explanation
    from movements
    where approved_by = user_id
),

self_approved_status_changes as (
    select 'self_approved_status_change', 'status_change', change_id, user_id, null, item_id, null,
           changed_at, null, null, [], [change_id], [user_id],
           'status change ' || change_id || ' of ' || item_id || ' (' || from_status || ' -> ' || to_status
               || ') entered and approved by ' || user_id
    from status_changes
    where approved_by = user_id
),

counted_own as (
    select 'counted_own_discrepancy', 'cycle_count', count_id, counted_by, site_id, item_id, location_id,
           counted_at, difference_qty, difference_value, evidence_movement_ids, evidence_document_ids,
           evidence_user_ids,
           'count ' || count_id || ' (' || root_cause || ') reconciled by ' || counted_by
               || ', who entered the movement that caused the difference'
    from counts
    where list_contains(cause_user_ids, counted_by)
),

unjustified as (
    select 'unjustified_adjustment', 'movement', movements.movement_key, movements.user_id,
           movements.site_id, movements.item_id, movements.location_id, movements.occurred_at,
           movements.qty, movements.value, [movements.movement_id], [movements.document_id],
           list_filter([movements.user_id, movements.approved_by], lambda x: x is not null),
           case when coalesce(items.regulated, false) then 'regulated-item' else 'high-value' end
               || ' adjustment ' || movements.movement_id || ' without '
               || case when movements.reason_code is null and movements.approved_by is null then 'a reason code or an approver'
                       when movements.reason_code is null then 'a reason code' else 'an approver' end
    from movements
    left join items on items.item_id = movements.item_id
    where movements.movement_type = 'adjustment'
        and (abs(movements.value) >= {{ var('audit_high_value_adjustment', 1000) }} or coalesce(items.regulated, false))
        and (movements.reason_code is null or movements.approved_by is null)
),

after_leaving as (
    -- entered (user_id) or approved (approved_by) by a user after the day they left
    select 'posting_after_leaving', 'movement', acts.movement_key, users.user_id, acts.site_id,
           acts.item_id, acts.location_id, acts.occurred_at, acts.qty, acts.value,
           [acts.movement_id], [acts.document_id], [users.user_id],
           acts.movement_type || ' ' || acts.movement_id || ' ' || acts.act || ' by ' || users.user_id
               || ' after leaving on ' || strftime(users.left_on, '%Y-%m-%d')
    from (
        select *, user_id as actor, 'entered' as act from movements
        union all
        select *, approved_by, 'approved' from movements where approved_by is not null
    ) acts
    join users on users.user_id = acts.actor and users.left_on is not null
    where acts.occurred_at::date > users.left_on
    qualify row_number() over (partition by acts.movement_key order by acts.act desc) = 1
),

departed_roles as (
    select 'departed_user_with_active_role', 'user_role', users.user_id || '|' || roles.role || '|' || roles.granted_at,
           users.user_id, null, null, null, cast(users.left_on as timestamp), null, null, [], [], [users.user_id],
           users.user_id || ' left on ' || strftime(users.left_on, '%Y-%m-%d') || ' but role ' || roles.role
               || coalesce(' was revoked only on ' || strftime(roles.revoked_at, '%Y-%m-%d'), ' is still granted')
    from users
    join roles on roles.user_id = users.user_id and roles.granted_at <= users.left_on
    where users.left_on is not null
        and (roles.revoked_at is null
             or roles.revoked_at > users.left_on + to_days({{ var('audit_revoke_grace_days', 7) }}))
),

dormant as (
    select 'dormant_user_with_active_role', 'user', users.user_id, users.user_id, null, null, null,
           last_activity.active_at, null, null, [], [], [users.user_id],
           users.user_id || ' holds ' || string_agg(roles.role, ', ' order by roles.role) || ' but '
               || coalesce('was last active on ' || strftime(last_activity.active_at, '%Y-%m-%d'), 'has no recorded activity')
    from users
    join roles on roles.user_id = users.user_id and roles.revoked_at is null
    cross join data_end
    left join last_activity on last_activity.user_id = users.user_id
    where users.left_on is null
        and coalesce(users.active, true)
        and (last_activity.active_at is null
             or last_activity.active_at < data_end.active_at - to_days({{ var('audit_dormant_days', 90) }}))
    group by users.user_id, last_activity.active_at
),

conflicting as (
    select 'conflicting_roles', 'user', first.user_id || '|' || conflicts.role || '|' || conflicts.conflicting_role,
           first.user_id, null, null, null, greatest(first.granted_at, second.granted_at), null, null,
           [], [], [first.user_id],
           first.user_id || ' holds both ' || conflicts.role || ' and ' || conflicts.conflicting_role
               || ': ' || lower(conflicts.why)
    from conflicts
    join roles first on first.role = conflicts.role
    join roles second
        on second.user_id = first.user_id
        and second.role = conflicts.conflicting_role
        and second.granted_at < coalesce(first.revoked_at, timestamp '9999-12-31')
        and first.granted_at < coalesce(second.revoked_at, timestamp '9999-12-31')
    qualify row_number() over (partition by first.user_id, conflicts.role, conflicts.conflicting_role
                               order by greatest(first.granted_at, second.granted_at)) = 1
),

unioned as (
    select * from self_approved_adjustments
    union all select * from self_approved_status_changes
    union all select * from counted_own
    union all select * from unjustified
    union all select * from after_leaving
    union all select * from departed_roles
    union all select * from dormant
    union all select * from conflicting
)

select * from unioned
