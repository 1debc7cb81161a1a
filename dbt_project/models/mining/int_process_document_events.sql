{{ config(schema='intermediate') }}
-- The document events of the event log (mining.fct_process_events): purchase orders placed,
-- supplier shipments notified, invoices received and paid, production orders released,
-- operations confirmed, sales orders placed and stock allocated, each from the latest landed
-- version of its document in staging (a sales order line's first version for "Order placed",
-- every allocation moment of its versions).
-- Narrow on purpose: an event's kind, document and line; the event log derives the event id,
-- case, process, activity and document type from them when read (writing them here was half
-- this table's cost at large scale). Built from staging alone, at the start of the build: run
-- beside the valuation engine instead, it slowed the engine (docs/decisions.md).
with purchase_orders as (
    select * from {{ ref('stg_lake__purchase_orders') }}
    qualify row_number() over (partition by po_id, po_line
                               order by landed_at desc, batch_id desc, source_line desc) = 1
),

asn as (
    select * from {{ ref('stg_lake__asn') }}
    qualify row_number() over (partition by asn_id, asn_line
                               order by landed_at desc, batch_id desc, source_line desc) = 1
),

invoices as (
    select * from {{ ref('stg_lake__supplier_invoices') }}
    qualify row_number() over (partition by invoice_id, invoice_line
                               order by landed_at desc, batch_id desc, source_line desc) = 1
),

production_orders as (
    select * from {{ ref('stg_lake__production_orders') }}
    qualify row_number() over (partition by production_order_id
                               order by landed_at desc, batch_id desc, source_line desc) = 1
),

confirmations as (
    select * from {{ ref('stg_lake__operation_confirmations') }}
    qualify row_number() over (partition by confirmation_id
                               order by landed_at desc, batch_id desc, source_line desc) = 1
),

sales_order_versions as not materialized (
    select * from {{ ref('stg_lake__sales_orders') }}
),

revised_lines as (
    -- lines with more than one version (~15 %): a line with one version is that version
    select so_id, so_line from {{ ref('int_sales_order_lines_revised') }}
),

sales_orders as (
    select * from {{ ref('int_sales_order_lines_as_ordered') }}
),

allocations as (
    -- every moment a version of the line says stock was allocated to it
    select so_id, so_line, allocated_at, allocated_qty, site_id, item_id, source_system
    from sales_order_versions
    anti join revised_lines using (so_id, so_line)
    where allocated_at is not null and allocated_qty > 0
    union all
    select so_id, so_line, allocated_at, max(allocated_qty) as allocated_qty,
           any_value(site_id) as site_id, any_value(item_id) as item_id,
           any_value(source_system) as source_system
    from sales_order_versions
    semi join revised_lines using (so_id, so_line)
    where allocated_at is not null and allocated_qty > 0
    group by so_id, so_line, allocated_at
),

document_events as (
    -- kind: the event id's prefix (the event log maps it to its process, activity and document
    -- type); order_case: the order line or production order a notice, invoice or confirmation
    -- belongs to
    select 'po' as kind, po_id as document_id, po_line as document_line, null as order_case,
           ordered_at as occurred_at, null::timestamp as posted_at, source_system as source, site_id,
           user_id, item_id, qty, null::decimal(18, 2) as value
    from purchase_orders
    union all
    select 'asn', asn.asn_id, asn.asn_line, asn.po_id || '/' || asn.po_line, asn.shipped_at, null,
           asn.source_system, po.site_id, null, asn.item_id, asn.qty, null
    from asn
    left join purchase_orders po on po.po_id = asn.po_id and po.po_line = asn.po_line
    union all
    select 'inv', i.invoice_id, i.invoice_line, i.po_id || '/' || i.po_line, i.invoiced_at, i.posted_at,
           i.source_system, po.site_id, null, i.item_id, i.qty, cast(i.amount as decimal(18, 2))
    from invoices i
    left join purchase_orders po on po.po_id = i.po_id and po.po_line = i.po_line
    union all
    select 'pay', i.invoice_id, i.invoice_line, i.po_id || '/' || i.po_line, i.paid_at, null,
           i.source_system, po.site_id, null, i.item_id, i.qty, cast(i.amount as decimal(18, 2))
    from invoices i
    left join purchase_orders po on po.po_id = i.po_id and po.po_line = i.po_line
    where i.paid_at is not null
    union all
    select 'mo', production_order_id, null, null, released_at, null, source_system, site_id, user_id,
           item_id, planned_qty, null
    from production_orders
    union all
    select 'oc', c.confirmation_id, null, c.production_order_id, c.occurred_at, c.posted_at,
           c.source_system, mo.site_id, c.user_id, mo.item_id, c.good_qty, null
    from confirmations c
    left join production_orders mo on mo.production_order_id = c.production_order_id
    union all
    select 'so', so_id, so_line, null, ordered_at, null, source_system, site_id, null, item_id, qty, null
    from sales_orders
    union all
    select 'alloc', so_id, so_line, null, allocated_at, null, source_system, site_id, null, item_id,
           allocated_qty, null
    from allocations
)

select * from document_events
