-- Inventory turnover per item x site x month: the cost of what the site's stock was used for over
-- its average inventory value, annualised, for the month and over a trailing window; the same
-- with quantities. Formulas in _kpi.yml and docs/kpis.md.
with area_daily as (
    select * from {{ ref('int_kpi_area_daily') }}
),

cogs as (
    select * from {{ ref('fct_cogs') }}
),

periods as (
    select * from {{ ref('int_kpi_periods') }}
),

settings as (
    select * from {{ ref('kpi_settings') }}
),

stock as (
    select
        a.item_id, a.site_id, p.month, p.days,
        sum(a.owned_qty) as qty_days,
        cast(sum(a.value) * 100 as hugeint) as value_days_c,
        any_value(a.owned_qty) filter (where a.day = p.period_end) as closing_qty,
        any_value(a.value) filter (where a.day = p.period_end) as closing_value
    from area_daily a
    inner join periods p on a.day between p.month and p.period_end
    group by all
),

usage as (
    select
        item_id, site_id, date_trunc('month', occurred_at)::date as month,
        sum(cogs_value) filter (where cogs_category in ('sales', 'production', 'consumption')) as cogs_value,
        sum(qty) filter (where cogs_category in ('sales', 'production', 'consumption')) as cogs_qty,
        sum(cogs_value) filter (where cogs_category = 'transfer') as transfer_out_value,
        sum(qty) filter (where cogs_category = 'transfer') as transfer_out_qty
    from cogs
    group by all
),

monthly as (
    select
        stock.item_id,
        stock.site_id,
        stock.month,
        stock.days,
        stock.qty_days,
        stock.value_days_c,
        coalesce(stock.closing_qty, 0) as closing_qty,
        coalesce(stock.closing_value, 0) as closing_value,
        coalesce(usage.cogs_value, 0) as cogs_value,
        coalesce(usage.transfer_out_value, 0) as transfer_out_value,
        coalesce(usage.cogs_value, 0) + coalesce(usage.transfer_out_value, 0) as usage_value,
        coalesce(usage.cogs_qty, 0) + coalesce(usage.transfer_out_qty, 0) as usage_qty
    from stock
    left join usage
        on usage.item_id = stock.item_id and usage.site_id = stock.site_id and usage.month = stock.month
),

windowed as (
    select
        m.item_id, m.site_id, m.month,
        sum(w.days) as window_days,
        sum(w.value_days_c) as window_value_days_c,
        sum(w.usage_value) as window_usage_value
    from monthly m
    cross join settings
    inner join monthly w
        on w.item_id = m.item_id and w.site_id = m.site_id
        and w.month > m.month - to_months(settings.turnover_window_months) and w.month <= m.month
    group by all
),

final as (
    select
        m.item_id,
        m.site_id,
        m.month,
        m.days,
        m.closing_qty,
        m.closing_value,
        {{ from_micro(div_half_up(micro('m.qty_days'), 'm.days')) }} as avg_inventory_qty,
        {{ from_cents(div_half_up('m.value_days_c', 'm.days')) }} as avg_inventory_value,
        m.cogs_value,
        m.transfer_out_value,
        m.usage_value,
        m.usage_qty,
        case when m.value_days_c > 0
             then round(m.usage_value * 100 * 365 / m.value_days_c, 4)::decimal(18, 4) end as turns,
        case when m.qty_days > 0
             then round(m.usage_qty * 365 / m.qty_days, 4)::decimal(18, 4) end as turns_qty,
        t.window_days as trailing_days,
        t.window_usage_value as trailing_usage_value,
        {{ from_cents(div_half_up('t.window_value_days_c', 't.window_days')) }} as trailing_avg_inventory_value,
        case when t.window_value_days_c > 0
             then round(t.window_usage_value * 100 * 365 / t.window_value_days_c, 4)::decimal(18, 4) end as turns_trailing
    from monthly m
    inner join windowed t on t.item_id = m.item_id and t.site_id = m.site_id and t.month = m.month
)

select * from final
