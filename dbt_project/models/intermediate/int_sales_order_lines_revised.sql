-- The sales order lines that landed in more than one version (allocation catching up, a
-- cancellation): about 15 % of the lines. A line with one version is that version, so the
-- models that summarise lines (int_kpi_order_lines, int_sales_order_lines_as_ordered, the
-- event log's allocations) aggregate or rank only these and take every other line as it is.
with versions as (
    select so_id, so_line from {{ ref('stg_lake__sales_orders') }}
),

final as (
    select so_id, so_line, count(*) as versions
    from versions
    group by so_id, so_line
    having count(*) > 1
)

select * from final
