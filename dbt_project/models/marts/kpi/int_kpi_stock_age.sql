{{ config(schema='intermediate') }}
-- The age of owned stock at each period end (month ends and the as-of day), per item x site,
-- by first-in-first-out: what is on hand is the most recent inflows that add up to it, so each
-- inflow day still (partly) in stock is one row with its age. This is the FIFO layer structure of
-- every item whatever its valuation method, and for past month ends too. Stock the inflows
-- cannot explain (on hand above every inflow so far) is dated to the area's first day.
-- Value: the area's value at the period end split over the rows by quantity, half up, the
-- remainder of rounding on the oldest row, so rows add up to the area's value to the cent.
with ledger as (
    select * from {{ ref('fct_inventory_ledger') }}
),

area_daily as not materialized (
    select * from {{ ref('int_kpi_area_daily') }}
),

periods as (
    select * from {{ ref('int_kpi_periods') }}
),

inflow_days as (
    select item_id, site_id, occurred_at::date as day, sum(qty) as qty
    from ledger
    where qty > 0 and ownership = 'owned' and not is_intra_site_transfer
    group by all
),

inflows as (
    select *,
           sum(qty) over (partition by item_id, site_id order by day
                          rows between unbounded preceding and current row) as cum_qty
    from inflow_days
),

points as (
    select a.item_id, a.site_id, p.period_end as point_day, a.owned_qty as on_hand, a.value
    from area_daily a
    inner join periods p on p.period_end = a.day
    where a.owned_qty > 0
),

with_total as (
    -- everything that came in up to the point
    select points.*, inflows.cum_qty as total_in
    from points
    asof left join inflows
        on inflows.item_id = points.item_id and inflows.site_id = points.site_id
        and inflows.day <= points.point_day
),

covered as (
    select w.item_id, w.site_id, w.point_day, w.on_hand, w.value, i.day as layer_day,
           least(i.qty, w.on_hand - (w.total_in - i.cum_qty)) as qty
    from with_total w
    inner join inflows i
        on i.item_id = w.item_id and i.site_id = w.site_id
        and i.day <= w.point_day and i.cum_qty > w.total_in - w.on_hand
),

unexplained as (
    select w.item_id, w.site_id, w.point_day, w.on_hand, w.value,
           (select min(d.day) from area_daily d where d.item_id = w.item_id and d.site_id = w.site_id) as layer_day,
           w.on_hand - coalesce(w.total_in, 0) as qty
    from with_total w
    where w.on_hand > coalesce(w.total_in, 0)
),

layers as (
    select * from covered
    union all
    select * from unexplained
),

valued as (
    select *,
           {{ div_half_up('cast(value * 100 as hugeint) * ' ~ micro('qty'), micro('on_hand')) }} as value_c,
           row_number() over (partition by item_id, site_id, point_day order by layer_day) as age_rank
    from layers
),

final as (
    select
        item_id,
        site_id,
        point_day,
        layer_day,
        datediff('day', layer_day, point_day) as age_days,
        qty,
        {{ from_cents("value_c + case when age_rank = 1 then cast(value * 100 as hugeint) "
                      "- sum(value_c) over (partition by item_id, site_id, point_day) else 0 end") }} as value
    from valued
)

select * from final
