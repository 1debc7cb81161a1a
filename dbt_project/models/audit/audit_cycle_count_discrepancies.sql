-- Cycle-count discrepancies with their root cause and its evidence. One row per count whose
-- counted quantity differs from the system quantity. Causes are tried in this order, the
-- first that explains the difference exactly wins:
--   lot_mixup           another lot count of the same item and bin the same day differs by the opposite amount
--   wrong_bin           another bin of the same item and site, counted within the hour, differs by the opposite amount
--   late_posting        a movement at the bin occurred before the count and was posted after it, for the difference
--   duplicate_posting   a near-duplicate movement at the bin (audit_duplicate_movements) posted before the count, for the difference
--   unposted_receipt    an advance shipment notice or a transfer sent to the item that was never received, for the difference
--   unposted_shipment   a sales order allocated at the site but never (fully) shipped, for the difference
--   uom_error           the counted quantity is the system quantity expressed in a larger unit of the item (a conversion factor off)
--   unexplained_shrinkage / unexplained_gain   none of the above
-- Evidence windows: var audit_count_lookback_days (default 14) before the count.
with counts as (
    select * from {{ ref('stg_lake__cycle_counts') }}
    qualify row_number() over (partition by count_id order by landed_at desc, source_line desc) = 1
),

locations as (
    select location_id, site_id from {{ ref('int_locations_current') }}
),

items as (
    select * from {{ ref('int_items_versioned') }}
),

factors as not materialized (
    select * from {{ ref('int_uom_factors') }}
),

ledger_all as (
    select * from {{ ref('fct_inventory_ledger') }}
),

duplicates as (
    select * from {{ ref('audit_duplicate_movements') }}
),

asn as (
    select * from {{ ref('stg_lake__asn') }}
    qualify row_number() over (partition by asn_id, asn_line order by landed_at desc, source_line desc) = 1
),

discrepancies as (
    select
        counts.*,
        locations.site_id,
        counts.counted_qty - counts.system_qty as difference_qty
    from counts
    left join locations on locations.location_id = counts.location_id
    where counts.counted_qty <> counts.system_qty
),

discrepant_items as (
    select distinct item_id from discrepancies
),

ledger as (
    -- every cause is about the counted items: the rest of the ledger is never needed
    select * from ledger_all semi join discrepant_items using (item_id)
),

sales_order_versions as (
    -- the versions of the order lines allocated at a short count's site, item and time
    -- (every version of them: the latest says what was allocated in the end)
    select versions.*
    from {{ ref('stg_lake__sales_orders') }} versions
    semi join (
        select distinct so.so_id, so.so_line
        from {{ ref('stg_lake__sales_orders') }} so
        join discrepancies d
            on d.item_id = so.item_id
            and d.site_id = so.site_id
            and d.difference_qty < 0
            and so.allocated_at < d.counted_at
            and so.allocated_at >= d.counted_at - to_days({{ var('audit_count_lookback_days', 14) }})
    ) recent on recent.so_id = versions.so_id and recent.so_line = versions.so_line
),

sales_orders as (
    select * from sales_order_versions
    qualify row_number() over (partition by so_id, so_line order by landed_at desc, source_line desc) = 1
),

lot_mixups as (
    select this.count_id, min(other.count_id) as other_count_id
    from discrepancies this
    join discrepancies other
        on other.item_id = this.item_id
        and other.location_id = this.location_id
        and other.counted_at::date = this.counted_at::date
        and other.count_id <> this.count_id
        and other.lot_id is not null
        and this.lot_id is not null
        and other.difference_qty = -this.difference_qty
    group by this.count_id
),

wrong_bins as (
    select this.count_id, min(other.count_id) as other_count_id, min(other.location_id) as other_location_id
    from discrepancies this
    join discrepancies other
        on other.item_id = this.item_id
        and other.site_id = this.site_id
        and other.location_id <> this.location_id
        and abs(epoch(other.counted_at) - epoch(this.counted_at)) <= 3600
        and other.difference_qty = -this.difference_qty
    group by this.count_id
),

late_postings as (
    select d.count_id, min(ledger.movement_id) as movement_id, min(ledger.document_id) as document_id,
           min(ledger.user_id) as user_id
    from discrepancies d
    join ledger
        on ledger.item_id = d.item_id
        and ledger.location_id = d.location_id
        and ledger.occurred_at < d.counted_at
        and ledger.posted_at >= d.counted_at
        and ledger.qty = d.difference_qty
    group by d.count_id
),

duplicate_postings as (
    select d.count_id, min(dup.movement_id) as movement_id, min(dup.original_movement_id) as original_movement_id,
           min(dup.document_id) as document_id, min(dup.user_id) as user_id
    from discrepancies d
    join duplicates dup
        on dup.item_id = d.item_id
        and dup.location_id = d.location_id
        and dup.posted_at < d.counted_at
        and dup.occurred_at >= d.counted_at - to_days({{ var('audit_count_lookback_days', 14) }})
        and -dup.inflated_qty = d.difference_qty
    group by d.count_id
),

asn_shortfalls as (
    -- per order and item: what its notices announced, less what was received on it
    select announced.po_id, announced.item_id, po.site_id, announced.expected_ats,
           announced.qty - coalesce(received.qty, 0) as missing_qty
    from (
        select asn.po_id, asn.item_id, list(asn.expected_at) as expected_ats,
               sum({{ from_micro(div_half_up(micro('asn.qty') ~ ' * ' ~ micro('factors.factor_num'), micro('factors.factor_den'))) }}) as qty
        from asn
        join factors on factors.item_id = asn.item_id and factors.uom = asn.uom
        group by asn.po_id, asn.item_id
    ) announced
    join (select distinct po_id, site_id from {{ ref('stg_lake__purchase_orders') }}) po on po.po_id = announced.po_id
    left join (
        select document_id, item_id, sum(qty) as qty from ledger
        where movement_type = 'receipt' group by document_id, item_id
    ) received on received.document_id = announced.po_id and received.item_id = announced.item_id
),

transfer_shortfalls as (
    select document_id, item_id, list(occurred_at) filter (where movement_type = 'transfer_out') as sent_ats,
           -sum(qty) filter (where movement_type = 'transfer_out')
               - coalesce(sum(qty) filter (where movement_type = 'transfer_in'), 0) as missing_qty
    from ledger
    where movement_type in ('transfer_out', 'transfer_in')
    group by document_id, item_id
),

unposted_receipts as (
    select d.count_id, min(found.document_id) as document_id
    from discrepancies d
    join (
        select po_id as document_id, item_id, site_id, expected_ats as ats, missing_qty
        from asn_shortfalls
        union all
        select document_id, item_id, null, sent_ats, missing_qty from transfer_shortfalls
    ) found
        on found.item_id = d.item_id
        and (found.site_id is null or found.site_id = d.site_id)
        and found.missing_qty = d.difference_qty
        and len(list_filter(found.ats, lambda t: t < d.counted_at
            and t >= d.counted_at - to_days({{ var('audit_count_lookback_days', 14) }}))) > 0
    where d.difference_qty > 0
    group by d.count_id
),

shipment_shortfalls as (
    -- per sales order line: what it allocated (latest version), less what was shipped on it,
    -- with the moments of every allocation it went through
    select latest.so_id, latest.item_id, latest.site_id, allocations.allocated_ats,
           latest.allocated_qty + coalesce(shipped.qty, 0) as missing_qty
    from sales_orders latest
    join (
        select so_id, so_line, list(allocated_at) as allocated_ats
        from sales_order_versions
        where allocated_at is not null
        group by so_id, so_line
    ) allocations on allocations.so_id = latest.so_id and allocations.so_line = latest.so_line
    left join (
        select document_id, item_id, sum(qty) as qty from ledger
        where movement_type = 'shipment' group by document_id, item_id
    ) shipped on shipped.document_id = latest.so_id and shipped.item_id = latest.item_id
    where latest.allocated_qty > 0
),

unposted_shipments as (
    select d.count_id, min(s.so_id) as document_id
    from discrepancies d
    join shipment_shortfalls s
        on s.item_id = d.item_id
        and s.site_id = d.site_id
        and s.missing_qty = -d.difference_qty
        and len(list_filter(s.allocated_ats, lambda t: t < d.counted_at
            and t >= d.counted_at - to_days({{ var('audit_count_lookback_days', 14) }}))) > 0
    where d.difference_qty < 0
    group by d.count_id
),

uom_errors as (
    select d.count_id, min(f.uom) as uom, min(f.factor_num) as factor
    from discrepancies d
    join factors f
        on f.item_id = d.item_id
        and f.factor_den = 1
        and f.factor_num > 1
        and d.system_qty >= f.factor_num
        and (floor(d.system_qty / f.factor_num) = d.counted_qty or d.system_qty * f.factor_num = d.counted_qty)
    group by d.count_id
),

adjustments as (
    select document_id as count_id, list(movement_id order by movement_id) as movement_ids,
           sum(value) as value
    from ledger
    where movement_type = 'count_adjustment'
    group by document_id
),

classified as (
    select
        d.*,
        case
            when lot_mixups.count_id is not null then 'lot_mixup'
            when wrong_bins.count_id is not null then 'wrong_bin'
            when late_postings.count_id is not null then 'late_posting'
            when duplicate_postings.count_id is not null then 'duplicate_posting'
            when unposted_receipts.count_id is not null then 'unposted_receipt'
            when unposted_shipments.count_id is not null then 'unposted_shipment'
            when uom_errors.count_id is not null then 'uom_error'
            when d.difference_qty < 0 then 'unexplained_shrinkage'
            else 'unexplained_gain'
        end as root_cause,
        lot_mixups.other_count_id as mixup_count_id,
        wrong_bins.other_count_id as wrong_bin_count_id,
        wrong_bins.other_location_id as wrong_bin_location_id,
        late_postings.movement_id as late_movement_id,
        late_postings.document_id as late_document_id,
        late_postings.user_id as late_user_id,
        duplicate_postings.movement_id as duplicate_movement_id,
        duplicate_postings.original_movement_id,
        duplicate_postings.document_id as duplicate_document_id,
        duplicate_postings.user_id as duplicate_user_id,
        unposted_receipts.document_id as unreceived_document_id,
        unposted_shipments.document_id as unshipped_document_id,
        uom_errors.uom as mistaken_uom,
        uom_errors.factor as mistaken_factor,
        adjustments.movement_ids as adjustment_movement_ids,
        adjustments.value as adjustment_value
    from discrepancies d
    left join lot_mixups on lot_mixups.count_id = d.count_id
    left join wrong_bins on wrong_bins.count_id = d.count_id
    left join late_postings on late_postings.count_id = d.count_id
    left join duplicate_postings on duplicate_postings.count_id = d.count_id
    left join unposted_receipts on unposted_receipts.count_id = d.count_id
    left join unposted_shipments on unposted_shipments.count_id = d.count_id
    left join uom_errors on uom_errors.count_id = d.count_id
    left join adjustments on adjustments.count_id = d.count_id
),

valued as (
    select
        classified.*,
        cast(round(classified.difference_qty * versions.standard_cost, 2) as decimal(18, 2)) as difference_value
    from classified
    asof left join items versions
        on versions.item_id = classified.item_id and classified.counted_at >= versions.valid_from
),

final as (
    select
        count_id,
        item_id,
        location_id,
        site_id,
        lot_id,
        counted_at,
        user_id as counted_by,
        system_qty,
        counted_qty,
        difference_qty,
        difference_value,
        root_cause,
        list_filter([count_id, mixup_count_id, wrong_bin_count_id], lambda x: x is not null) as evidence_count_ids,
        list_filter([late_movement_id, original_movement_id, duplicate_movement_id], lambda x: x is not null)
            || coalesce(adjustment_movement_ids, []) as evidence_movement_ids,
        list_filter([late_document_id, duplicate_document_id, unreceived_document_id, unshipped_document_id],
                    lambda x: x is not null) as evidence_document_ids,
        list_distinct(list_filter([user_id, late_user_id, duplicate_user_id], lambda x: x is not null))
            as evidence_user_ids,
        list_distinct(list_filter([late_user_id, duplicate_user_id], lambda x: x is not null))
            as cause_user_ids,
        case root_cause
            when 'lot_mixup' then 'lot ' || lot_id || ' differs by the opposite of count ' || mixup_count_id || ' of another lot in the same bin'
            when 'wrong_bin' then 'offset by count ' || wrong_bin_count_id || ' in bin ' || wrong_bin_location_id || ': goods put away in the wrong bin'
            when 'late_posting' then 'movement ' || late_movement_id || ' occurred before the count and was posted after it'
            when 'duplicate_posting' then 'movement ' || duplicate_movement_id || ' repeats ' || original_movement_id || ' (posted twice)'
            when 'unposted_receipt' then 'document ' || unreceived_document_id || ' was sent but its receipt was never posted'
            when 'unposted_shipment' then 'sales order ' || unshipped_document_id || ' was allocated but its shipment was never posted'
            when 'uom_error' then 'counted in ' || mistaken_uom || ' and entered as the base unit (factor ' || cast(mistaken_factor as bigint) || ')'
            when 'unexplained_shrinkage' then 'stock missing with no movement, document or count to explain it'
            else 'stock found with no movement, document or count to explain it'
        end as explanation,
        coalesce(adjustment_movement_ids, []) as adjustment_movement_ids,
        coalesce(adjustment_value, 0) as adjustment_value,
        batch_id,
        source_file,
        source_line
    from valued
)

select * from final
