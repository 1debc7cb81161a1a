-- Month-end cut-off per source system and month: how many movements of the month were
-- posted in a later month, and their value (signed net and absolute).
with cutoff as (
    select * from {{ ref('audit_cutoff_movements') }}
),

final as (
    select
        source,
        occurred_period,
        count(*) as movements,
        sum(value) as net_value,
        sum(abs(value)) as absolute_value,
        max(posting_delay_hours) as max_posting_delay_hours
    from cutoff
    group by source, occurred_period
)

select * from final
