-- Inventory carrying cost per item x site x month: capital, storage (space used, by location
-- type), obsolescence and expiry risk, and handling, at the rates of seeds/kpi_settings.csv and
-- seeds/kpi_storage_rates.csv. Money is computed in cents, half up. Formulas in _kpi.yml and
-- docs/kpis.md.
with area_daily as (
    select * from {{ ref('int_kpi_area_daily') }}
),

stock_age as (
    select * from {{ ref('int_kpi_stock_age') }}
),

ledger as (
    select * from {{ ref('fct_inventory_ledger') }}
),

items as not materialized (
    select * from {{ ref('int_items_versioned') }}
),

periods as (
    select * from {{ ref('int_kpi_periods') }}
),

settings as not materialized (
    select * from {{ ref('kpi_settings') }}
),

monthly as (
    select
        a.item_id, a.site_id, p.month, p.days, p.period_end,
        cast(sum(a.value) * 100 as hugeint) as value_days_c,
        sum(a.locations_used) as location_days,
        cast(round(sum(a.storage_cost) * 100) as hugeint) as storage_c,
        greatest(coalesce(any_value(a.value) filter (where a.day = p.period_end), 0), 0) as end_value,
        greatest(coalesce(any_value(a.quarantine_value) filter (where a.day = p.period_end), 0), 0) as end_quarantine_location_value
    from area_daily a
    inner join periods p on a.day between p.month and p.period_end
    group by all
),

ages as (
    select s.item_id, s.site_id, s.point_day,
           coalesce(sum(s.value) filter (where s.age_days > i.shelf_life_days), 0) as expired_value,
           coalesce(sum(s.value) filter (where s.age_days > settings.aged_stock_days
                                          and not coalesce(s.age_days > i.shelf_life_days, false)), 0) as aged_value
    from stock_age s
    cross join settings
    left join items i
        on i.item_id = s.item_id and i.valid_from <= s.point_day + interval 1 day
        and (i.valid_to is null or i.valid_to > s.point_day + interval 1 day)
    group by all
),

status as (
    select m.item_id, m.site_id, m.month, i.status
    from monthly m
    left join items i
        on i.item_id = m.item_id and i.valid_from < m.period_end + interval 1 day
        and (i.valid_to is null or i.valid_to >= m.period_end + interval 1 day)
),

handling as (
    select item_id, site_id, date_trunc('month', occurred_at)::date as month, count(*) as movements
    from ledger group by all
),

risk as (
    -- the month-end value in one risk category each, in this order of precedence
    select
        m.*,
        s.status,
        case when s.status = 'obsolete' then m.end_value else 0 end as obsolete_value,
        case when s.status in ('quarantine', 'blocked') then m.end_value else 0 end as quarantine_status_value,
        case when s.status in ('obsolete', 'quarantine', 'blocked') then 0
             else least(coalesce(a.expired_value, 0), m.end_value) end as expired_value,
        case when s.status in ('obsolete', 'quarantine', 'blocked') then 0
             else least(coalesce(a.aged_value, 0), m.end_value - least(coalesce(a.expired_value, 0), m.end_value)) end as aged_value
    from monthly m
    left join status s on s.item_id = m.item_id and s.site_id = m.site_id and s.month = m.month
    left join ages a on a.item_id = m.item_id and a.site_id = m.site_id and a.point_day = m.period_end
),

categorised as (
    select
        r.*,
        r.quarantine_status_value + case when r.status in ('obsolete', 'quarantine', 'blocked') then 0
            else least(r.end_quarantine_location_value, r.end_value - r.expired_value - r.aged_value) end
            as quarantine_value
    from risk r
),

costed as (
    select
        c.*,
        c.end_value - c.obsolete_value - c.quarantine_value - c.expired_value - c.aged_value as normal_value,
        coalesce(h.movements, 0) as movements,
        {{ div_half_up('c.value_days_c * ' ~ micro('settings.capital_rate_annual'), '365000000') }} as capital_c,
        {{ div_half_up(
            '(cast(c.obsolete_value * 100 as hugeint) * ' ~ micro('settings.obsolete_stock_rate_annual')
            ~ ' + cast(c.quarantine_value * 100 as hugeint) * ' ~ micro('settings.quarantine_stock_rate_annual')
            ~ ' + cast(c.expired_value * 100 as hugeint) * ' ~ micro('settings.expired_stock_rate_annual')
            ~ ' + cast(c.aged_value * 100 as hugeint) * ' ~ micro('settings.aged_stock_rate_annual')
            ~ ' + cast((c.end_value - c.obsolete_value - c.quarantine_value - c.expired_value - c.aged_value) * 100 as hugeint) * '
            ~ micro('settings.obsolescence_rate_annual') ~ ') * c.days', '365000000') }} as obsolescence_c,
        coalesce(h.movements, 0) * cast(settings.handling_cost_per_movement * 100 as hugeint) as handling_c
    from categorised c
    cross join settings
    left join handling h on h.item_id = c.item_id and h.site_id = c.site_id and h.month = c.month
),

final as (
    select
        item_id,
        site_id,
        month,
        days,
        {{ from_cents(div_half_up('value_days_c', 'days')) }} as avg_inventory_value,
        end_value as closing_value,
        location_days,
        movements,
        obsolete_value,
        quarantine_value,
        expired_value,
        aged_value,
        normal_value,
        {{ from_cents('capital_c') }} as capital_cost,
        {{ from_cents('storage_c') }} as storage_cost,
        {{ from_cents('obsolescence_c') }} as obsolescence_cost,
        {{ from_cents('handling_c') }} as handling_cost,
        {{ from_cents('capital_c + storage_c + obsolescence_c + handling_c') }} as carrying_cost,
        case when value_days_c > 0
             then round((capital_c + storage_c + obsolescence_c + handling_c) * 365 / value_days_c, 4)::decimal(18, 4)
        end as carrying_cost_rate
    from costed
)

select * from final
