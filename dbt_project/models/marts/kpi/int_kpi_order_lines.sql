{{ config(schema='intermediate') }}
-- depends_on: {{ ref('int_movements_prepared') }}
-- (scheduling only, docs/decisions.md: the valuation engine starts when the prepared movements
-- are built and leaves most of the second core idle; this model waits for that moment instead
-- of competing with the prepared movements for it.)
-- One row per sales order line that draws on stock (drop-ship lines never touch it), in the
-- item's base unit. A line arrives in several versions as allocation catches up; allocation only
-- grows, so the first version's allocation is the smallest and the final one the largest.
-- short_qty: what the stock could not cover when the line was ordered (it met zero available).
with orders as not materialized (
    -- not materialized: each use below reads only its own columns from the lake
    select * from {{ ref('stg_lake__sales_orders') }}
),

factors as (
    select * from {{ ref('int_uom_factors') }}
),

revised_lines as (
    -- lines with more than one version (~15 %); the rest need no aggregate
    select so_id, so_line from {{ ref('int_sales_order_lines_revised') }}
),

single_version_lines as (
    select
        so_id,
        so_line,
        item_id,
        site_id,
        uom,
        ordered_at,
        qty,
        allocated_qty as first_allocated_qty,
        allocated_qty as final_allocated_qty,
        status = 'cancelled' as is_cancelled,
        drop_ship as is_drop_ship,
        status as last_status
    from orders
    anti join revised_lines using (so_id, so_line)
),

revised_line_versions as (
    select
        so_id,
        so_line,
        any_value(item_id) as item_id,
        any_value(site_id) as site_id,
        any_value(uom) as uom,
        min(ordered_at) as ordered_at,
        max(qty) as qty,
        min(allocated_qty) as first_allocated_qty,
        max(allocated_qty) as final_allocated_qty,
        bool_or(status = 'cancelled') as is_cancelled,
        bool_or(drop_ship) as is_drop_ship,
        -- the latest version; versions of one moment by landing order, so the status is deterministic
        arg_max(status, (coalesce(allocated_at, ordered_at), landed_at, batch_id, source_line)) as last_status
    from orders
    semi join revised_lines using (so_id, so_line)
    group by so_id, so_line
),

lines as (
    select * from single_version_lines
    union all
    select * from revised_line_versions
),

in_base as (
    -- qty x factor_num / factor_den in micro-units, half up (the ledger's conversion rule); a
    -- line in the item's base unit (most) needs no multiplication
    select
        lines.*,
        {%- for qty, micro_units in [('qty', 'qty_u'), ('first_allocated_qty', 'first_allocated_u'),
                                      ('final_allocated_qty', 'final_allocated_u')] %}
        case when factors.factor_num = factors.factor_den then {{ micro('lines.' ~ qty) }}
             else {{ div_half_up(micro('lines.' ~ qty) ~ ' * ' ~ micro('factors.factor_num'), micro('factors.factor_den')) }}
        end as {{ micro_units }}{{ ',' if not loop.last }}
        {%- endfor %}
    from lines
    inner join factors on factors.item_id = lines.item_id and factors.uom = lines.uom
    where not lines.is_drop_ship
),

final as (
    select
        so_id,
        so_line,
        item_id,
        site_id,
        ordered_at,
        ordered_at::date as ordered_day,
        {{ from_micro('qty_u') }} as qty,
        {{ from_micro('qty_u - first_allocated_u') }} as short_qty,
        first_allocated_u < qty_u as is_short,
        -- what was short at order time and never shipped: lost (cancelled) or still open
        {{ from_micro('case when is_cancelled then qty_u - final_allocated_u else 0 end') }} as lost_qty,
        {{ from_micro('case when is_cancelled then 0 else qty_u - final_allocated_u end') }} as open_backorder_qty,
        is_cancelled,
        last_status
    from in_base
)

select * from final
