-- The objects of the object-centric log: every business object some event touches.
with relations as not materialized (
    select * from {{ ref('fct_event_objects') }}
),

-- a goods receipt or a shipment is the object of its own movement's one event: nothing to count
movement_lines as (
    select object_id, object_type, 1::bigint as events
    from relations
    where qualifier in ('receipt', 'shipment')
),

counted as (
    select object_id, object_type, count(*) as events
    from relations
    where qualifier not in ('receipt', 'shipment')
    group by object_id, object_type
),

final as (
    select * from counted
    union all
    select * from movement_lines
)

select * from final
