-- Month-end cut-off exposure: at each month end, per site, the stock movements that had
-- physically happened but were not yet posted (and those posted ahead of the physical event),
-- and what that does to the books' inventory value at the cut-off.
with ledger as not materialized (
    select * from {{ ref('fct_inventory_ledger') }}
),

month_ends as (
    select unnest(generate_series(
        date_trunc('month', min(occurred_at)) + interval 1 month,
        date_trunc('month', max(greatest(occurred_at, posted_at))) + interval 1 month,
        interval 1 month)) as cutoff_at
    from ledger
),

sites as (
    select distinct site_id from ledger
),

grid as (
    select month_ends.cutoff_at, sites.site_id from month_ends cross join sites
),

straddling as (
    -- movements on the other side of a cut-off in the books than in the warehouse
    select
        m.cutoff_at,
        l.site_id,
        l.occurred_at < m.cutoff_at as unposted,
        l.qty > 0 as inbound,
        l.value
    from ledger l
    inner join month_ends m
        on (l.occurred_at < m.cutoff_at and l.posted_at >= m.cutoff_at)
        or (l.posted_at < m.cutoff_at and l.occurred_at >= m.cutoff_at)
),

final as (
    select
        grid.cutoff_at::date - 1 as month_end,
        grid.cutoff_at,
        grid.site_id,
        count(s.value) filter (where s.unposted and s.inbound) as unposted_in_movements,
        coalesce(sum(s.value) filter (where s.unposted and s.inbound), 0) as unposted_in_value,
        count(s.value) filter (where s.unposted and not s.inbound) as unposted_out_movements,
        coalesce(-sum(s.value) filter (where s.unposted and not s.inbound), 0) as unposted_out_value,
        count(s.value) filter (where not s.unposted) as booked_ahead_movements,
        coalesce(sum(s.value) filter (where not s.unposted), 0) as booked_ahead_value,
        coalesce(sum(case when s.unposted then -s.value else s.value end), 0) as book_minus_physical_value,
        coalesce(sum(abs(s.value)), 0) as gross_exposure_value
    from grid
    left join straddling s on s.cutoff_at = grid.cutoff_at and s.site_id = grid.site_id
    group by grid.cutoff_at, grid.site_id
)

select * from final
