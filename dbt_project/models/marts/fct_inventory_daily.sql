-- End-of-day stock per item x location x day, from the location's first movement to the
-- ledger's last day: physical quantity, owned quantity, consignment and VMI quantity, and
-- owned value. A site's owned value (item x site) is split over its locations by owned
-- quantity, the rounding remainder going to the location holding the most, so locations
-- add up to the site's value to the cent.
with movements as not materialized (
    select * from {{ ref('int_movements_valued') }}
),

charges as not materialized (
    select area_id, to_stock_c, effective_at::date as day
    from {{ ref('int_landed_costs_valued') }}
),

cost_changes as (
    select area_id, revaluation_c, effective_at::date as day
    from {{ ref('int_cost_changes_valued') }}
),

last_day as (
    -- the ledger's last day: its last movement, or a landed cost that came after it
    select greatest(max(occurred_at)::date, (select max(day) from charges)) as day from movements
),

location_changes as (
    -- sparse: one row per item x location x day with movements
    select item_id, location_id, any_value(site_id) as site_id, any_value(area_id) as area_id,
           occurred_at::date as day,
           sum(qty_u) as qty_u,
           sum(qty_u) filter (where ownership = 'owned') as owned_u,
           sum(qty_u) filter (where ownership = 'consignment') as consignment_u,
           sum(qty_u) filter (where ownership = 'vmi') as vmi_u
    from movements
    group by item_id, location_id, occurred_at::date
),

location_running as (
    -- running sums over the days with movements only, each valid until the next such day
    select
        item_id, location_id, site_id, area_id, day,
        sum(coalesce(qty_u, 0)) over w as qty_u,
        sum(coalesce(owned_u, 0)) over w as owned_u,
        sum(coalesce(consignment_u, 0)) over w as consignment_u,
        sum(coalesce(vmi_u, 0)) over w as vmi_u,
        lead(day) over (partition by item_id, location_id order by day) as next_day
    from location_changes
    window w as (partition by item_id, location_id order by day
                 rows between unbounded preceding and current row)
),

location_stock as (
    -- every day from the location's first movement to the ledger's last day
    select item_id, location_id, site_id, area_id, qty_u, owned_u, consignment_u, vmi_u,
           unnest(generate_series(
               day, coalesce(next_day - interval 1 day, (select day from last_day)), interval 1 day
           ))::date as day
    from location_running
),

area_changes as (
    select area_id, occurred_at::date as day, sum(value_c + revaluation_c) as value_c
    from movements group by all
    union all
    select area_id, day, sum(to_stock_c) from charges group by all
    union all
    select area_id, day, sum(revaluation_c) from cost_changes group by all
),

area_value as (
    select
        area_id,
        unnest(generate_series(
            day, coalesce(next_day - interval 1 day, (select day from last_day)), interval 1 day
        ))::date as day,
        value_c
    from (
        select area_id, day,
               sum(value_c) over (partition by area_id order by day
                                  rows between unbounded preceding and current row) as value_c,
               lead(day) over (partition by area_id order by day) as next_day
        from (select area_id, day, sum(value_c) as value_c from area_changes group by all)
    )
),

shares as (
    select
        s.*,
        coalesce(a.value_c, 0) as area_value_c,
        sum(greatest(s.owned_u, 0)) over (partition by s.area_id, s.day) as area_owned_u,
        row_number() over (partition by s.area_id, s.day order by s.owned_u desc, s.location_id) as owned_rank
    from location_stock s
    left join area_value a on a.area_id = s.area_id and a.day = s.day
),

allocated as (
    select *,
        case when area_owned_u > 0
             then {{ div_half_up('area_value_c * greatest(owned_u, 0)', 'area_owned_u') }}
             else 0 end as rounded_c
    from shares
),

final as (
    select
        day,
        item_id,
        location_id,
        site_id,
        {{ from_micro('qty_u') }} as qty,
        {{ from_micro('owned_u') }} as owned_qty,
        {{ from_micro('consignment_u') }} as consignment_qty,
        {{ from_micro('vmi_u') }} as vmi_qty,
        {{ from_cents("rounded_c + case when owned_rank = 1 then area_value_c - sum(rounded_c) over "
                      "(partition by area_id, day) else 0 end") }} as value
    from allocated
)

select * from final
