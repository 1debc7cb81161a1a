-- End-of-day stock per item x location x day, from the location's first movement to the
-- ledger's last day: physical quantity, owned quantity, consignment and VMI quantity, and
-- owned value. A site's owned value (item x site) is split over its locations by owned
-- quantity, the rounding remainder going to the location holding the most, so locations
-- add up to the site's value to the cent; an item x site stocked in one location (most) takes
-- the whole value without the split.
{# a row valid from its day to the day before next_day (or to the ledger's last day), one row per day #}
{% set days_until_next -%}
unnest(generate_series(day, coalesce(next_day - interval 1 day, (select day from last_day)), interval 1 day))::date as day
{%- endset %}
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
           {{ days_until_next }}
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
        {{ days_until_next }},
        value_c
    from (
        select area_id, day,
               sum(value_c) over (partition by area_id order by day
                                  rows between unbounded preceding and current row) as value_c,
               lead(day) over (partition by area_id order by day) as next_day
        from (select area_id, day, sum(value_c) as value_c from area_changes group by all)
    )
),

areas_shared as (
    -- the few areas whose stock sits in more than one location; the rest need no split
    select area_id from location_changes group by area_id having count(distinct location_id) > 1
),

stock_valued as not materialized (
    -- not materialized: each branch below reads its own areas
    select
        location_stock.*,
        coalesce(area_value.value_c, 0) as area_value_c,
        areas_shared.area_id is not null as is_shared
    from location_stock
    left join area_value on area_value.area_id = location_stock.area_id and area_value.day = location_stock.day
    left join areas_shared on areas_shared.area_id = location_stock.area_id
),

shares as (
    select
        *,
        sum(greatest(owned_u, 0)) over (partition by area_id, day) as area_owned_u,
        row_number() over (partition by area_id, day order by owned_u desc, location_id) as owned_rank
    from stock_valued
    where is_shared
),

allocated as (
    select *,
        case when area_owned_u > 0
             then {{ div_half_up('area_value_c * greatest(owned_u, 0)', 'area_owned_u') }}
             else 0 end as rounded_c
    from shares
),

split as (
    select
        day, item_id, location_id, site_id, qty_u, owned_u, consignment_u, vmi_u,
        rounded_c + case when owned_rank = 1 then area_value_c - sum(rounded_c) over (partition by area_id, day)
                         else 0 end as value_c
    from allocated
),

located as (
    -- an area with one location: the location holds the area's whole value
    select day, item_id, location_id, site_id, qty_u, owned_u, consignment_u, vmi_u, area_value_c as value_c
    from stock_valued
    where not is_shared
    union all
    select * from split
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
        {{ from_cents('value_c') }} as value
    from located
)

select * from final
