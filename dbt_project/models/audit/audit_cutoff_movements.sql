-- Month-end cut-off: movements that occurred in one month and were posted in a later one,
-- so the earlier month's books missed them. One row per movement, with its value.
with ledger as (
    select * from {{ ref('fct_inventory_ledger') }}
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
        posting_delay_hours,
        date_trunc('month', occurred_at)::date as occurred_period,
        date_trunc('month', posted_at)::date as posted_period,
        document_type,
        document_id,
        user_id,
        batch_id,
        source_file,
        source_line
    from ledger
    where date_trunc('month', posted_at) > date_trunc('month', occurred_at)
)

select * from final
