-- Replenishment parameters and proposals per item x site on the as-of day: safety stock for the
-- ABC class's target service level from demand and lead-time variability, reorder point,
-- min/max with the economic order quantity, MOQ and order multiple, a proposed order when the
-- inventory position is at or below the reorder point, and a push/pull recommendation with
-- its reason. Formulas in _kpi.yml and docs/kpis.md.
with demand as not materialized (
    select * from {{ ref('int_kpi_demand_daily') }}
),

classes as (
    select * from {{ ref('mart_abc_xyz') }}
),

factors as (
    select * from {{ ref('int_kpi_service_factors') }}
),

receipts as not materialized (
    select * from {{ ref('int_kpi_replenishment_lead_times') }}
),

order_lines as (
    select * from {{ ref('int_kpi_order_lines') }}
),

purchase_orders as (
    select * from {{ ref('stg_lake__purchase_orders') }}
),

uom_factors as (
    select * from {{ ref('int_uom_factors') }}
),

ledger as (
    select * from {{ ref('fct_inventory_ledger') }}
),

valuation as (
    select * from {{ ref('mart_inventory_valuation') }}
),

items as (
    select * from {{ ref('dim_item') }}
),

periods as (
    select * from {{ ref('int_kpi_periods') }}
),

settings as not materialized (
    select * from {{ ref('kpi_settings') }}
),

bounds as (
    select max(p.period_end) as as_of_day,
           least(any_value(s.demand_window_days),
                 datediff('day', min(p.month), max(p.period_end)) + 1)::integer as window_days
    from periods p
    cross join settings s
),

demand_stats as (
    -- daily demand over the window, days without demand counted as zero
    select d.item_id, d.site_id,
           sum(d.demand_qty) / any_value(b.window_days) as mean_daily,
           sqrt(greatest(sum(d.demand_qty * d.demand_qty) / any_value(b.window_days)
                         - (sum(d.demand_qty) / any_value(b.window_days)) ^ 2, 0)) as sd_daily
    from demand d
    cross join bounds b
    where d.day > b.as_of_day - b.window_days and d.day <= b.as_of_day
    group by all
),

area_lead_times as (
    select item_id, site_id, order_type, count(*) as receipts, avg(lead_time_days) as mean_lt,
           coalesce(stddev_samp(lead_time_days), 0) as sd_lt, avg(is_on_time::integer) as on_time_rate
    from receipts group by all
),

supplier_lead_times as (
    select supplier_id, count(*) as receipts, avg(lead_time_days) as mean_lt,
           coalesce(stddev_samp(lead_time_days), 0) as sd_lt, avg(is_on_time::integer) as on_time_rate
    from receipts where order_type = 'purchase' group by all
),

sourcing as (
    -- how the site replenishes the item: bought, made there, or moved in from another site
    select item_id, site_id,
           case when count(*) filter (where movement_type = 'receipt') > 0 then 'purchase'
                when count(*) filter (where movement_type = 'production_receipt') > 0 then 'production'
                when count(*) filter (where movement_type = 'transfer_in' and not is_intra_site_transfer) > 0 then 'transfer'
           end as order_type
    from ledger
    where movement_type in ('receipt', 'production_receipt', 'transfer_in')
    group by all
),

on_order as (
    select po.item_id, po.site_id,
           sum(greatest({{ from_micro(div_half_up(micro('po.qty') ~ ' * ' ~ micro('f.factor_num'), micro('f.factor_den'))) }}
                        - coalesce(r.received, 0), 0)) as qty
    from purchase_orders po
    inner join uom_factors f on f.item_id = po.item_id and f.uom = po.uom
    left join (select po_id, po_line, sum(qty) as received from receipts where order_type = 'purchase' group by all) r
        on r.po_id = po.po_id and r.po_line = po.po_line
    where po.status in ('open', 'partially_received')
    group by all
),

backorders as (
    select item_id, site_id, sum(open_backorder_qty) as qty
    from order_lines group by all
),

inputs as (
    select
        c.item_id,
        c.site_id,
        c.abc_class,
        c.xyz_class,
        c.segment as abc_xyz_segment,
        c.demand_cv,
        c.unit_cost,
        f.service_level,
        f.z,
        coalesce(ds.mean_daily, 0) as mean_daily,
        coalesce(ds.sd_daily, 0) as sd_daily,
        coalesce(src.order_type, case when i.primary_supplier_id is not null then 'purchase' else 'transfer' end) as order_type,
        case
            when alt.receipts >= s.lead_time_min_receipts then 'measured_item_site'
            when coalesce(src.order_type, 'purchase') = 'purchase' and slt.receipts >= s.lead_time_min_receipts then 'measured_supplier'
            else 'item_master'
        end as lead_time_basis,
        alt, slt,
        i.lead_time_days as master_lead_time_days,
        i.moq,
        i.order_multiple,
        i.primary_supplier_id,
        coalesce(v.qty_on_hand, 0) as on_hand_qty,
        coalesce(oo.qty, 0) as on_order_qty,
        coalesce(bo.qty, 0) as backorder_qty,
        s.pull_max_lead_days,
        s.xyz_x_max_cv,
        (s.capital_rate_annual + s.obsolescence_rate_annual) as holding_rate,
        s.order_cost_per_order
    from classes c
    cross join settings s
    inner join factors f on f.abc_class = c.abc_class
    left join items i on i.item_id = c.item_id
    left join demand_stats ds on ds.item_id = c.item_id and ds.site_id = c.site_id
    left join sourcing src on src.item_id = c.item_id and src.site_id = c.site_id
    left join area_lead_times alt
        on alt.item_id = c.item_id and alt.site_id = c.site_id
        and alt.order_type = coalesce(src.order_type, case when i.primary_supplier_id is not null then 'purchase' else 'transfer' end)
    left join supplier_lead_times slt on slt.supplier_id = i.primary_supplier_id
    left join valuation v on v.item_id = c.item_id and v.site_id = c.site_id
    left join on_order oo on oo.item_id = c.item_id and oo.site_id = c.site_id
    left join backorders bo on bo.item_id = c.item_id and bo.site_id = c.site_id
),

lead_times as (
    select
        inputs.* exclude (alt, slt),
        case lead_time_basis when 'measured_item_site' then alt.mean_lt
                             when 'measured_supplier' then slt.mean_lt
                             else master_lead_time_days end::double as lead_time_days,
        case lead_time_basis when 'measured_item_site' then alt.sd_lt
                             when 'measured_supplier' then slt.sd_lt
                             else 0 end::double as lead_time_sd_days,
        case lead_time_basis when 'measured_item_site' then alt.on_time_rate
                             when 'measured_supplier' then slt.on_time_rate end as on_time_rate
    from inputs
),

parameters as (
    select *,
        ceil(z * sqrt(lead_time_days * sd_daily ^ 2 + mean_daily ^ 2 * lead_time_sd_days ^ 2)) as safety_stock,
        case when unit_cost > 0 and mean_daily > 0
             then sqrt(2 * mean_daily * 365 * order_cost_per_order / (unit_cost * holding_rate)) end as eoq
    from lead_times
),

sized as (
    select *,
        safety_stock + ceil(mean_daily * lead_time_days) as reorder_point,
        -- the lot: EOQ (or a day's demand), at least the MOQ, rounded up to the order multiple
        ceil(greatest(coalesce(eoq, mean_daily, 0), coalesce(moq, 0), 1)
             / coalesce(nullif(order_multiple, 0), 1)) * coalesce(nullif(order_multiple, 0), 1) as order_lot,
        on_hand_qty + on_order_qty - backorder_qty as inventory_position
    from parameters
),

proposed as (
    select *,
        reorder_point + order_lot as max_qty,
        case when mean_daily > 0 and inventory_position <= reorder_point then
            ceil(greatest(reorder_point + order_lot - inventory_position, coalesce(moq, 0))
                 / coalesce(nullif(order_multiple, 0), 1)) * coalesce(nullif(order_multiple, 0), 1)
        else 0 end as proposed_qty
    from sized
),

final as (
    select
        p.item_id,
        p.site_id,
        (select as_of_day from bounds) as as_of_day,
        p.abc_class,
        p.xyz_class,
        p.abc_xyz_segment,
        p.demand_cv,
        p.service_level,
        p.z,
        round(p.mean_daily, 6)::decimal(18, 6) as avg_daily_demand,
        round(p.sd_daily, 6)::decimal(18, 6) as sd_daily_demand,
        p.order_type,
        p.primary_supplier_id as supplier_id,
        p.lead_time_basis,
        round(p.lead_time_days, 2)::decimal(18, 2) as lead_time_days,
        round(p.lead_time_sd_days, 2)::decimal(18, 2) as lead_time_sd_days,
        round(p.on_time_rate, 4)::decimal(9, 4) as supplier_on_time_rate,
        p.safety_stock::decimal(18, 6) as safety_stock,
        p.reorder_point::decimal(18, 6) as reorder_point,
        p.reorder_point::decimal(18, 6) as min_qty,
        p.max_qty::decimal(18, 6) as max_qty,
        round(p.eoq, 6)::decimal(18, 6) as eoq,
        p.moq,
        p.order_multiple,
        p.order_lot::decimal(18, 6) as order_lot,
        p.on_hand_qty,
        p.on_order_qty,
        p.backorder_qty,
        p.inventory_position,
        p.proposed_qty::decimal(18, 6) as proposed_qty,
        p.proposed_qty > 0 as is_order_proposed,
        case when p.proposed_qty > 0 then (select as_of_day from bounds) end as proposed_order_day,
        case when p.proposed_qty > 0
             then (select as_of_day from bounds) + ceil(p.lead_time_days)::integer end as expected_receipt_day,
        case when p.lead_time_days <= p.pull_max_lead_days then 'short' else 'long' end as lead_time_band,
        p.abc_xyz_segment || '-' || case when p.lead_time_days <= p.pull_max_lead_days then 'short' else 'long' end
            as replenishment_segment,
        case
            when p.xyz_class = 'N' then 'to_order'
            when p.lead_time_days <= p.pull_max_lead_days then 'pull'
            when p.xyz_class = 'X' then 'push'
            else 'push_pull'
        end as strategy,
        case
            when p.xyz_class = 'N' then 'no demand in the window: do not stock; replenish only against orders'
            when p.lead_time_days <= p.pull_max_lead_days then
                'lead time ' || round(p.lead_time_days, 1) || ' d <= ' || p.pull_max_lead_days
                || ' d: replenish to actual consumption (reorder point, kanban) rather than to a forecast'
            when p.xyz_class = 'X' then
                'steady demand (CV ' || round(p.demand_cv, 2) || ' <= ' || round(p.xyz_x_max_cv, 2) || ') and lead time '
                || round(p.lead_time_days, 1) || ' d > ' || p.pull_max_lead_days
                || ' d: forecasts are reliable and supply must start ahead of demand, plan to forecast (MRP/DRP)'
            else
                'variable demand (' || p.xyz_class || ', CV ' || round(p.demand_cv, 2) || ') and lead time '
                || round(p.lead_time_days, 1) || ' d > ' || p.pull_max_lead_days
                || ' d: push to a decoupling buffer sized by the safety stock, pull from it to demand'
        end as strategy_reason
    from proposed p
)

select * from final
