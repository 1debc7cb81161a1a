-- Event-to-object relations of the object-centric log (OCEL 2.0 "relationships"): each event
-- with the business objects it touches and the role (qualifier) they play in it.
-- A view: four projections of fct_process_events, computed when read (at large scale it
-- would be the biggest table of the warehouse; docs/decisions.md).
{{ config(materialized='view') }}
with events as not materialized (
    select * from {{ ref('fct_process_events') }}
),

document_objects as (
    select
        event_id,
        document_id as object_id,
        case
            when process = 'procurement' and document_type = 'ASN' then 'shipment_notice'
            when process = 'procurement' and document_type = 'INVOICE' then 'supplier_invoice'
            when process = 'procurement' then 'purchase_order'
            when process = 'production' and document_type = 'CONFIRMATION' then 'confirmation'
            when process = 'production' then 'production_order'
            when process = 'fulfilment' then 'sales_order'
            when process = 'transfer' then 'transfer_order'
            when process = 'consignment' then 'consignment_delivery'
            else 'stock_document'
        end as object_type,
        'document' as qualifier
    from events
    where document_id is not null
),

order_objects as (
    -- notices, invoices and confirmations (document events, not movements) also belong to their order
    select event_id, split_part(case_id, '/', 1) as object_id,
           case process when 'procurement' then 'purchase_order' else 'production_order' end,
           'order'
    from events
    where document_type in ('ASN', 'INVOICE', 'CONFIRMATION') and movement_key is null
),

movement_objects as (
    -- a goods receipt and a shipment are objects of their own (one per movement line)
    select event_id, movement_key,
           case when movement_type = 'shipment' then 'shipment' else 'goods_receipt' end,
           case when movement_type = 'shipment' then 'shipment' else 'receipt' end
    from events
    where movement_type in ('receipt', 'shipment', 'production_receipt')
),

item_objects as (
    select event_id, item_id, 'item', 'item'
    from events
    where item_id is not null
),

final as (
    select * from document_objects
    union all
    select * from order_objects
    union all
    select * from movement_objects
    union all
    select * from item_objects
)

select * from final
