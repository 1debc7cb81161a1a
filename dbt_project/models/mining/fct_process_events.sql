-- The event log: every activity of the procurement, production, fulfilment, transfer,
-- consignment and stock-control processes the warehouse knows, with its physical time
-- (occurred_at) and, where the source records one, the moment it was entered (posted_at).
-- Documents come from staging (their latest landed version); inventory movements from the
-- ledger's rows (int_movements_valued: every movement fct_inventory_ledger takes, with the
-- same base-unit quantity and value), so only movements the ledger takes are events. Read
-- before the ledger's running sums, the event log builds beside the ledger instead of after it.
with ledger as (
    select
        movement_key, movement_type, document_type, document_id, document_line, occurred_at,
        posted_at, source_system as source, site_id, location_id, user_id, item_id,
        {{ from_micro('qty_u') }} as qty,
        {{ from_cents('value_c') }} as value
    from {{ ref('int_movements_valued') }}
),

purchase_orders as (
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

-- How each movement type appears in the processes: its process (receipts by document
-- type), its physical activity, the step that posts it, and its place in the expected flow.
movement_activities as (
    select * from (values
        ('receipt', 'procurement', 'Goods received', 'Receipt posted', 30),
        ('production_issue', 'production', 'Material issued', 'Material issue posted', 20),
        ('production_receipt', 'production', 'Output received', 'Output receipt posted', 40),
        ('shipment', 'fulfilment', 'Shipped', 'Shipment posted', 30),
        ('transfer_out', 'transfer', 'Transfer shipped', 'Transfer shipment posted', 10),
        ('transfer_in', 'transfer', 'Transfer received', 'Transfer receipt posted', 20),
        ('issue', 'stock_control', 'Issued', 'Issue posted', 10),
        ('scrap', 'stock_control', 'Scrapped', 'Scrap posted', 10),
        ('adjustment', 'stock_control', 'Adjusted', 'Adjustment posted', 10),
        ('count_adjustment', 'stock_control', 'Count adjusted', 'Count adjustment posted', 10),
        ('customer_return', 'stock_control', 'Customer return received', 'Customer return posted', 10),
        ('vendor_return', 'stock_control', 'Returned to vendor', 'Vendor return posted', 10)
    ) as t(movement_type, process, activity, posting_activity, activity_rank)
),

movement_events as (
    select
        'mv:' || ledger.movement_key as event_id,
        case when ledger.movement_type = 'receipt' and ledger.document_type in ('VMI', 'CONSIGNMENT')
             then 'consignment' else a.process end as process,
        case when a.process in ('procurement', 'fulfilment')
                  and not (ledger.movement_type = 'receipt'
                           and ledger.document_type in ('VMI', 'CONSIGNMENT'))
             then ledger.document_id || '/' || coalesce(ledger.document_line, '1')
             else ledger.document_id end as case_id,
        a.activity,
        a.posting_activity,
        case when ledger.movement_type = 'receipt' and ledger.document_type in ('VMI', 'CONSIGNMENT')
             then 10 else a.activity_rank end as activity_rank,
        ledger.occurred_at,
        ledger.posted_at,
        ledger.source,
        ledger.site_id,
        ledger.location_id,
        ledger.user_id,
        ledger.item_id,
        ledger.qty,
        ledger.value,
        ledger.movement_key,
        ledger.movement_type,
        ledger.document_type,
        ledger.document_id
    from ledger
    inner join movement_activities a on a.movement_type = ledger.movement_type
),

document_events as (
    select 'po:' || po_id || '/' || po_line as event_id, 'procurement' as process,
           po_id || '/' || po_line as case_id, 'Order placed' as activity,
           null as posting_activity, 10 as activity_rank,
           ordered_at as occurred_at, null::timestamp as posted_at, source_system as source, site_id,
           null as location_id, user_id, item_id, qty, null::decimal(18, 2) as value,
           null as movement_key, null as movement_type, 'PO' as document_type, po_id as document_id
    from purchase_orders
    union all
    select 'asn:' || asn.asn_id || '/' || asn.asn_line, 'procurement', asn.po_id || '/' || asn.po_line,
           'Shipment notified', null, 20, asn.shipped_at, null, asn.source_system, po.site_id,
           null, null, asn.item_id, asn.qty, null, null, null, 'ASN', asn.asn_id
    from asn
    left join purchase_orders po on po.po_id = asn.po_id and po.po_line = asn.po_line
    union all
    select 'inv:' || i.invoice_id || '/' || i.invoice_line, 'procurement', i.po_id || '/' || i.po_line,
           'Invoice received', null, 40, i.invoiced_at, i.posted_at, i.source_system, po.site_id,
           null, null, i.item_id, i.qty, cast(i.amount as decimal(18, 2)), null, null, 'INVOICE',
           i.invoice_id
    from invoices i
    left join purchase_orders po on po.po_id = i.po_id and po.po_line = i.po_line
    union all
    select 'pay:' || i.invoice_id || '/' || i.invoice_line, 'procurement', i.po_id || '/' || i.po_line,
           'Invoice paid', null, 50, i.paid_at, null, i.source_system, po.site_id,
           null, null, i.item_id, i.qty, cast(i.amount as decimal(18, 2)), null, null, 'INVOICE',
           i.invoice_id
    from invoices i
    left join purchase_orders po on po.po_id = i.po_id and po.po_line = i.po_line
    where i.paid_at is not null
    union all
    select 'mo:' || production_order_id, 'production', production_order_id, 'Order released', null, 10,
           released_at, null, source_system, site_id, null, user_id, item_id, planned_qty, null,
           null, null, 'MO', production_order_id
    from production_orders
    union all
    select 'oc:' || c.confirmation_id, 'production', c.production_order_id, 'Operation confirmed',
           null, 30, c.occurred_at, c.posted_at, c.source_system, mo.site_id, null, c.user_id,
           mo.item_id, c.good_qty, null, null, null, 'CONFIRMATION', c.confirmation_id
    from confirmations c
    left join production_orders mo on mo.production_order_id = c.production_order_id
    union all
    select 'so:' || so_id || '/' || so_line, 'fulfilment', so_id || '/' || so_line, 'Order placed',
           null, 10, ordered_at, null, source_system, site_id, null, null, item_id, qty, null,
           null, null, 'SO', so_id
    from sales_orders
    union all
    select 'alloc:' || so_id || '/' || so_line || '@' || strftime(allocated_at, '%Y-%m-%dT%H:%M:%S.%f'),
           'fulfilment', so_id || '/' || so_line, 'Stock allocated', null, 20, allocated_at, null,
           source_system, site_id, null, null, item_id, allocated_qty, null, null, null, 'SO', so_id
    from allocations
),

events as (
    select * from movement_events
    union all
    select * from document_events
),

final as (
    select
        event_id,
        process,
        case_id,
        activity,
        posting_activity,
        activity_rank,
        occurred_at,
        posted_at,
        epoch_us(posted_at) - epoch_us(occurred_at) as posting_delay_us,
        cast(
            cast({{ div_half_up('epoch_us(posted_at) - epoch_us(occurred_at)', '36000000') }}
                 as decimal(18, 0)) * 0.01 as decimal(12, 2)
        ) as posting_delay_hours,
        source,
        site_id,
        location_id,
        user_id,
        item_id,
        qty,
        value,
        movement_key,
        movement_type,
        document_type,
        document_id,
        isodow(occurred_at) as occurred_weekday,
        hour(occurred_at) as occurred_hour
    from events
)

select * from final
