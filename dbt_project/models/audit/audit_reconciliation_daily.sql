-- Cross-system reconciliation: one row per item x location x day x compared system where the
-- compared system's end-of-day stock differs from the authoritative system's. Consecutive
-- report days with a difference form one gap (gap_id), first seen on its first day; the gap
-- is valued at the item's standard cost of that day (the current one if the item had no
-- version yet).
with aligned as (
    select * from {{ ref('int_stock_reports_aligned') }}
),

items as not materialized (
    select * from {{ ref('int_items_versioned') }}
),

differences as (
    select *, compared_qty - authority_qty as gap_qty
    from aligned
    where compared_qty <> authority_qty
),

islands as (
    select
        *,
        report_no - row_number() over (
            partition by compared_source, item_id, location_id order by day
        ) as island
    from differences
),

first_seen as (
    select
        *,
        min(day) over (partition by compared_source, item_id, location_id, island) as first_seen_on
    from islands
),

valued as (
    select
        first_seen.*,
        cast(round(first_seen.gap_qty * coalesce(versions.standard_cost, current_items.standard_cost), 2)
             as decimal(18, 2)) as gap_value
    from first_seen
    asof left join items versions
        on versions.item_id = first_seen.item_id
        and cast(first_seen.day as timestamp) + interval 1 day > versions.valid_from
    left join items current_items
        on current_items.item_id = first_seen.item_id and current_items.is_current
),

final as (
    select
        md5(concat_ws('|', 'stock_quantity', authority_source, compared_source, item_id,
                      location_id, first_seen_on)) as gap_id,
        day,
        site_id,
        item_id,
        location_id,
        authority_source,
        compared_source,
        authority_qty,
        compared_qty,
        gap_qty,
        gap_value,
        first_seen_on,
        datediff('day', first_seen_on, day) as age_days,
        authority_batch_ids,
        authority_source_line,
        compared_batch_ids
    from valued
)

select * from final
