-- Change control: item status changes without an approval (no approver recorded). A change
-- approved by the person who entered it is a segregation-of-duties breach
-- (audit_sod_breaches). One row per status change.
with status_changes as (
    select * from {{ ref('stg_lake__item_status_changes') }}
    qualify row_number() over (partition by change_id order by landed_at desc, source_line desc) = 1
),

final as (
    select
        change_id,
        item_id,
        from_status,
        to_status,
        changed_at,
        user_id,
        reason,
        batch_id,
        source_file,
        source_line,
        'status of ' || item_id || ' changed from ' || from_status || ' to ' || to_status
            || ' by ' || user_id || ' with no approver recorded' as explanation
    from status_changes
    where approved_by is null
)

select * from final
