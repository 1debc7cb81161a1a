-- What posting lags cost, per month and site: the item-days on which the books disagreed
-- with the shelf at day end, the phantom stockouts (stock on the shelf, none in the books:
-- available-to-promise says no) and hidden stockouts (none on the shelf, some in the books:
-- available-to-promise promises stock that is gone), and the sales order lines that were
-- backordered at order time on a phantom-stockout day.
with gaps as not materialized (
    select * from {{ ref('fct_book_stock_gaps') }}
),

sales_orders as (
    -- each line as first ordered
    select * from {{ ref('int_sales_order_lines_as_ordered') }}
),

backordered_on_phantom_days as (
    select gaps.site_id, gaps.day, so.so_id, so.backordered_qty * so.unit_price as backordered_value
    from sales_orders so
    inner join gaps
        on gaps.item_id = so.item_id and gaps.site_id = so.site_id
        and gaps.day = so.ordered_at::date and gaps.phantom_stockout
    where so.backordered_qty > 0
),

monthly_gaps as (
    select date_trunc('month', day)::date as month, site_id,
           count(*) as item_days_with_gap,
           count(*) filter (where phantom_stockout) as phantom_stockout_item_days,
           count(*) filter (where hidden_stockout) as hidden_stockout_item_days
    from gaps
    group by all
),

monthly_orders as (
    select date_trunc('month', day)::date as month, site_id,
           count(*) as lines_backordered_on_phantom_days,
           cast(sum(backordered_value) as decimal(18, 2)) as backordered_value_on_phantom_days
    from backordered_on_phantom_days
    group by all
),

final as (
    select
        g.month,
        g.site_id,
        g.item_days_with_gap,
        g.phantom_stockout_item_days,
        g.hidden_stockout_item_days,
        coalesce(o.lines_backordered_on_phantom_days, 0) as lines_backordered_on_phantom_days,
        coalesce(o.backordered_value_on_phantom_days, 0) as backordered_value_on_phantom_days
    from monthly_gaps g
    left join monthly_orders o on o.month = g.month and o.site_id = g.site_id
)

select * from final
