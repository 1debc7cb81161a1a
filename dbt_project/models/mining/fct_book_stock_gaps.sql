-- Book stock versus physical stock at the end of each day, per item x site: where a movement
-- was posted on a later day than it happened, the books (what available-to-promise sees)
-- lag the shelf. One row per item x site x day on which the two differ.
with ledger as (
    select * from {{ ref('fct_inventory_ledger') }}
),

daily as (
    select day, item_id, site_id, sum(qty) as physical_qty
    from {{ ref('fct_inventory_daily') }}
    group by all
),

straddling as (
    -- the days on which a movement is on the shelf but not in the books (+qty), or in the
    -- books but not (yet) on the shelf (-qty)
    select item_id, site_id, qty,
           least(occurred_at, posted_at)::date as first_day,
           greatest(occurred_at, posted_at)::date - 1 as last_day,
           case when occurred_at < posted_at then 1 else -1 end as side
    from ledger
    where occurred_at::date <> posted_at::date
),

gap_days as (
    select item_id, site_id, unnest(generate_series(first_day, last_day, interval 1 day))::date as day,
           qty * side as gap_qty
    from straddling
),

gaps as (
    select item_id, site_id, day, sum(gap_qty) as gap_qty
    from gap_days
    group by all
    having sum(gap_qty) <> 0
),

final as (
    select
        gaps.day,
        gaps.item_id,
        gaps.site_id,
        coalesce(daily.physical_qty, 0) as physical_qty,
        coalesce(daily.physical_qty, 0) - gaps.gap_qty as book_qty,
        gaps.gap_qty as unposted_qty,
        coalesce(daily.physical_qty, 0) > 0 and coalesce(daily.physical_qty, 0) - gaps.gap_qty <= 0
            as phantom_stockout,
        coalesce(daily.physical_qty, 0) <= 0 and coalesce(daily.physical_qty, 0) - gaps.gap_qty > 0
            as hidden_stockout
    from gaps
    left join daily on daily.item_id = gaps.item_id and daily.site_id = gaps.site_id
        and daily.day = gaps.day
)

select * from final
