-- Late postings: inventory movements entered more than var('late_posting_hours', 24) after
-- they physically happened - longer than any source system's normal posting cycle (the ERP's
-- nightly batch, the MES's shift end). Documents (invoices, confirmations) have delays too
-- (mart_posting_delay_stats) but do not move stock, so they are not late postings here.
with events as (
    select * from {{ ref('fct_process_events') }}
),

final as (
    select
        event_id,
        process,
        case_id,
        activity,
        source,
        site_id,
        location_id,
        item_id,
        user_id,
        movement_key,
        occurred_at,
        posted_at,
        posting_delay_hours,
        date_trunc('month', occurred_at) <> date_trunc('month', posted_at) as crosses_month_end,
        case when qty > 0 then 'in' else 'out' end as direction,
        qty,
        value
    from events
    where movement_key is not null
      and posting_delay_us > cast({{ var('late_posting_hours', 24) }} as bigint) * 3600000000
)

select * from final
