{{ config(schema='intermediate') }}
-- Every system's end-of-day stock per item x location x day, next to the authoritative
-- system's on the days the authority reported (audit_data_ownership: an exact site row wins
-- over '*'). Compared systems: Onhand's ledger (marts.fct_inventory_daily) and any other
-- system that sent a stock report for the site that day. A position one side does not
-- report is zero (sources leave empty bins out). Quantities in the item's base unit.
with ownership as not materialized (
    select * from {{ ref('audit_data_ownership') }} where entity = 'stock_quantity'
),

snapshots as (
    select * from {{ ref('stg_lake__stock_snapshots') }}
    qualify row_number() over (
        partition by source_system, snapshot_at, item_id, location_id, coalesce(lot_id, '')
        order by landed_at desc, source_line desc
    ) = 1
),

locations as (
    select location_id, site_id from {{ ref('int_locations_current') }}
),

factors as (
    select * from {{ ref('int_uom_factors') }}
),

daily as (
    select * from {{ ref('fct_inventory_daily') }}
),

reported as (
    -- lots added up; the report's unit converted to the item's base unit
    select
        snapshots.snapshot_at::date as day,
        snapshots.source_system,
        locations.site_id,
        snapshots.item_id,
        snapshots.location_id,
        sum({{ from_micro(div_half_up(micro('snapshots.qty') ~ ' * ' ~ micro('factors.factor_num'), micro('factors.factor_den'))) }}) as qty,
        string_agg(distinct snapshots.batch_id, ';') as batch_ids,
        min(snapshots.source_file || ':' || snapshots.source_line) as first_source_line
    from snapshots
    join locations on locations.location_id = snapshots.location_id
    join factors on factors.item_id = snapshots.item_id and factors.uom = snapshots.uom
    group by all
),

authorities as (
    select
        sites.site_id,
        coalesce(exact.authoritative_source, wildcard.authoritative_source) as authority_source
    from (select distinct site_id from reported) sites
    left join ownership exact on exact.site_id = sites.site_id
    left join ownership wildcard on wildcard.site_id = '*'
),

authority_positions as (
    select reported.*
    from reported
    join authorities
        on authorities.site_id = reported.site_id
        and authorities.authority_source = reported.source_system
),

report_days as (
    select distinct site_id, day from authority_positions
),

compared_positions as (
    select daily.day, 'ledger' as compared_source, daily.site_id, daily.item_id, daily.location_id,
           daily.qty, cast(null as varchar) as batch_ids, cast(null as varchar) as first_source_line
    from daily
    join report_days on report_days.site_id = daily.site_id and report_days.day = daily.day
    union all
    select reported.day, reported.source_system, reported.site_id, reported.item_id,
           reported.location_id, reported.qty, reported.batch_ids, reported.first_source_line
    from reported
    join authorities on authorities.site_id = reported.site_id
    join report_days on report_days.site_id = reported.site_id and report_days.day = reported.day
    where reported.source_system <> authorities.authority_source
),

compared_days as (
    select *, dense_rank() over (partition by site_id, compared_source order by day) as report_no
    from (
        select site_id, day, 'ledger' as compared_source from report_days
        union
        select site_id, day, compared_source from compared_positions
    )
),

position_keys as (
    select day, compared_source, site_id, item_id, location_id from compared_positions
    union
    select authority_positions.day, compared_days.compared_source, authority_positions.site_id,
           authority_positions.item_id, authority_positions.location_id
    from authority_positions
    join compared_days
        on compared_days.site_id = authority_positions.site_id
        and compared_days.day = authority_positions.day
),

aligned as (
    select
        keys.day,
        keys.site_id,
        keys.item_id,
        keys.location_id,
        authorities.authority_source,
        keys.compared_source,
        coalesce(authority_positions.qty, 0) as authority_qty,
        coalesce(compared_positions.qty, 0) as compared_qty,
        authority_positions.batch_ids as authority_batch_ids,
        authority_positions.first_source_line as authority_source_line,
        compared_positions.batch_ids as compared_batch_ids,
        compared_days.report_no
    from position_keys keys
    join authorities on authorities.site_id = keys.site_id
    join compared_days
        on compared_days.site_id = keys.site_id
        and compared_days.day = keys.day
        and compared_days.compared_source = keys.compared_source
    left join authority_positions
        on authority_positions.day = keys.day
        and authority_positions.item_id = keys.item_id
        and authority_positions.location_id = keys.location_id
    left join compared_positions
        on compared_positions.day = keys.day
        and compared_positions.compared_source = keys.compared_source
        and compared_positions.item_id = keys.item_id
        and compared_positions.location_id = keys.location_id
)

select * from aligned
