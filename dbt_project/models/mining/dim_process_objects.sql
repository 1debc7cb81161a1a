-- The objects of the object-centric log: every business object some event touches.
with relations as (
    select * from {{ ref('fct_event_objects') }}
),

final as (
    select object_id, object_type, count(*) as events
    from relations
    group by object_id, object_type
)

select * from final
