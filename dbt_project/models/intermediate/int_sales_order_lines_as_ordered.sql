-- Each sales order line as first ordered: its first version (by the moment it carries, then
-- landing order). A line with one version (most) is that version; only the versions of the
-- lines that landed more than once (int_sales_order_lines_revised) are ranked.
-- A view: a filter of staging that the event log's document events and the posting-lag
-- impact read once each.
{{ config(materialized='view') }}
with versions as not materialized (
    select * from {{ ref('stg_lake__sales_orders') }}
),

revised_lines as (
    select so_id, so_line from {{ ref('int_sales_order_lines_revised') }}
),

single_version_lines as (
    select * from versions
    anti join revised_lines using (so_id, so_line)
),

first_versions as (
    select * from versions
    semi join revised_lines using (so_id, so_line)
    qualify row_number() over (partition by so_id, so_line
                               order by coalesce(allocated_at, ordered_at), landed_at, source_line) = 1
),

final as (
    select * from single_version_lines
    union all
    select * from first_versions
)

select * from final
