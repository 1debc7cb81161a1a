{{ config(schema='intermediate') }}
-- One row per replenishment that arrived, with the lead time it took in days: a purchase
-- receipt that names its purchase order line (ordered -> received, and whether it came by the
-- promised date), or the receiving leg of a transfer between sites (shipped -> received).
with ledger as (
    select * from {{ ref('fct_inventory_ledger') }}
),

movements as not materialized (
    select * from {{ ref('int_movements_valued') }}
),

purchase_orders as (
    select * from {{ ref('stg_lake__purchase_orders') }}
),

purchases as (
    select
        ledger.movement_key,
        'purchase' as order_type,
        ledger.item_id,
        ledger.site_id,
        purchase_orders.supplier_id,
        purchase_orders.po_id,
        purchase_orders.po_line,
        purchase_orders.ordered_at as ordered_at,
        purchase_orders.promised_at,
        ledger.occurred_at as received_at,
        ledger.qty,
        ledger.occurred_at::date <= purchase_orders.promised_at::date as is_on_time
    from ledger
    inner join purchase_orders
        on purchase_orders.po_id = ledger.document_id
        and purchase_orders.po_line = coalesce(ledger.document_line, '1')
    where ledger.movement_type = 'receipt'
),

transfers as (
    select
        arrived.movement_key,
        'transfer',
        arrived.item_id,
        arrived.site_id,
        null,
        null,
        null,
        shipped.occurred_at,
        null::timestamp,
        arrived.occurred_at,
        arrived.qty,
        null::boolean
    from movements arrived
    inner join movements shipped on shipped.movement_key = arrived.paired_movement_key
    where arrived.movement_type = 'transfer_in' and not arrived.is_intra_site_transfer
),

unioned as (
    select * from purchases
    union all
    select * from transfers
),

final as (
    select
        *,
        round(datediff('second', ordered_at, received_at) / 86400, 4)::decimal(18, 4) as lead_time_days
    from unioned
)

select * from final
