-- The event log: every activity of the procurement, production, fulfilment, transfer,
-- consignment and stock-control processes the warehouse knows, with its physical time
-- (occurred_at) and, where the source records one, the moment it was entered (posted_at).
-- A view (docs/decisions.md): the document events are a table built from staging
-- (int_process_document_events) at the start of the build; the inventory movements are the
-- ledger's rows (int_movements_valued: every movement fct_inventory_ledger takes, with the same
-- base-unit quantity and value), so only movements the ledger takes are events, and they are
-- not written a second time. The derived columns are computed when read.
{{ config(materialized='view') }}
with ledger as (
    select
        movement_key, movement_type, document_type, document_id, document_line, occurred_at,
        posted_at, source_system as source, site_id, location_id, user_id, item_id,
        {{ from_micro('qty_u') }} as qty,
        {{ from_cents('value_c') }} as value
    from {{ ref('int_movements_valued') }}
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

-- How each kind of document event appears in the processes
document_kinds as (
    select * from (values
        ('po', 'procurement', 'Order placed', 10, 'PO'),
        ('asn', 'procurement', 'Shipment notified', 20, 'ASN'),
        ('inv', 'procurement', 'Invoice received', 40, 'INVOICE'),
        ('pay', 'procurement', 'Invoice paid', 50, 'INVOICE'),
        ('mo', 'production', 'Order released', 10, 'MO'),
        ('oc', 'production', 'Operation confirmed', 30, 'CONFIRMATION'),
        ('so', 'fulfilment', 'Order placed', 10, 'SO'),
        ('alloc', 'fulfilment', 'Stock allocated', 20, 'SO')
    ) as t(kind, process, activity, activity_rank, document_type)
),

document_events as (
    -- the event id is the kind, the document key and, for an allocation, its moment; a notice's,
    -- invoice's or confirmation's case is its order (line), any other document's its own key
    select
        d.kind || ':' || d.document_id || coalesce('/' || d.document_line, '')
            || case when d.kind = 'alloc' then '@' || strftime(d.occurred_at, '%Y-%m-%dT%H:%M:%S.%f') else '' end
            as event_id,
        k.process,
        case when d.kind in ('asn', 'inv', 'pay', 'oc') then d.order_case
             else d.document_id || coalesce('/' || d.document_line, '') end as case_id,
        k.activity, null as posting_activity, k.activity_rank, d.occurred_at, d.posted_at, d.source,
        d.site_id, null as location_id, d.user_id, d.item_id, d.qty, d.value, null as movement_key,
        null as movement_type, k.document_type, d.document_id
    from {{ ref('int_process_document_events') }} d
    inner join document_kinds k on k.kind = d.kind
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
