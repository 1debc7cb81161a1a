{{ config(schema='intermediate') }}
-- The document events of the event log (mining.fct_process_events): purchase orders placed,
-- supplier shipments notified, invoices received and paid, production orders released,
-- operations confirmed, sales orders placed and stock allocated, each from the latest landed
-- version of its document in staging (a sales order line's first version for "Order placed",
-- every allocation moment of its versions). Built from staging alone, so it runs while the
-- ledger is being valued; fct_process_events adds the inventory movements and the derived
-- columns when it is read.
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

sales_orders as (
    -- the first version: the line as ordered
    select * from sales_order_versions
    qualify row_number() over (partition by so_id, so_line
                               order by coalesce(allocated_at, ordered_at), landed_at, source_line) = 1
),

allocations as (
    -- every moment a version of the line says stock was allocated to it
    select so_id, so_line, allocated_at, max(allocated_qty) as allocated_qty,
           any_value(site_id) as site_id, any_value(item_id) as item_id,
           any_value(source_system) as source_system
    from sales_order_versions
    where allocated_at is not null and allocated_qty > 0
    group by so_id, so_line, allocated_at
),

document_events as (
    select 'po:' || po_id || '/' || po_line as event_id, 'procurement' as process,
           po_id || '/' || po_line as case_id, 'Order placed' as activity, 10 as activity_rank,
           ordered_at as occurred_at, null::timestamp as posted_at, source_system as source, site_id,
           user_id, item_id, qty, null::decimal(18, 2) as value, 'PO' as document_type,
           po_id as document_id
    from purchase_orders
    union all
    select 'asn:' || asn.asn_id || '/' || asn.asn_line, 'procurement', asn.po_id || '/' || asn.po_line,
           'Shipment notified', 20, asn.shipped_at, null, asn.source_system, po.site_id,
           null, asn.item_id, asn.qty, null, 'ASN', asn.asn_id
    from asn
    left join purchase_orders po on po.po_id = asn.po_id and po.po_line = asn.po_line
    union all
    select 'inv:' || i.invoice_id || '/' || i.invoice_line, 'procurement', i.po_id || '/' || i.po_line,
           'Invoice received', 40, i.invoiced_at, i.posted_at, i.source_system, po.site_id,
           null, i.item_id, i.qty, cast(i.amount as decimal(18, 2)), 'INVOICE', i.invoice_id
    from invoices i
    left join purchase_orders po on po.po_id = i.po_id and po.po_line = i.po_line
    union all
    select 'pay:' || i.invoice_id || '/' || i.invoice_line, 'procurement', i.po_id || '/' || i.po_line,
           'Invoice paid', 50, i.paid_at, null, i.source_system, po.site_id,
           null, i.item_id, i.qty, cast(i.amount as decimal(18, 2)), 'INVOICE', i.invoice_id
    from invoices i
    left join purchase_orders po on po.po_id = i.po_id and po.po_line = i.po_line
    where i.paid_at is not null
    union all
    select 'mo:' || production_order_id, 'production', production_order_id, 'Order released', 10,
           released_at, null, source_system, site_id, user_id, item_id, planned_qty, null,
           'MO', production_order_id
    from production_orders
    union all
    select 'oc:' || c.confirmation_id, 'production', c.production_order_id, 'Operation confirmed',
           30, c.occurred_at, c.posted_at, c.source_system, mo.site_id, c.user_id,
           mo.item_id, c.good_qty, null, 'CONFIRMATION', c.confirmation_id
    from confirmations c
    left join production_orders mo on mo.production_order_id = c.production_order_id
    union all
    select 'so:' || so_id || '/' || so_line, 'fulfilment', so_id || '/' || so_line, 'Order placed',
           10, ordered_at, null, source_system, site_id, null, item_id, qty, null, 'SO', so_id
    from sales_orders
    union all
    select 'alloc:' || so_id || '/' || so_line || '@' || strftime(allocated_at, '%Y-%m-%dT%H:%M:%S.%f'),
           'fulfilment', so_id || '/' || so_line, 'Stock allocated', 20, allocated_at, null,
           source_system, site_id, null, item_id, allocated_qty, null, 'SO', so_id
    from allocations
)

select * from document_events
