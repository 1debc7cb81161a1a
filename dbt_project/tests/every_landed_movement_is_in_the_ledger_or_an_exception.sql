-- Nothing is lost between the lake and the ledger: every landed movement is in
-- fct_inventory_ledger or listed in fct_ledger_exceptions as not in the ledger, never both.
with landed as (
    select source_system || ':' || movement_id as movement_key
    from {{ ref('stg_lake__inventory_movements') }}
),

accounted as (
    select movement_key, 'ledger' as place from {{ ref('fct_inventory_ledger') }}
    union all
    select record_key, 'exception' from {{ ref('fct_ledger_exceptions') }} where not in_ledger
)

select landed.movement_key, count(accounted.place) as places
from landed left join accounted on accounted.movement_key = landed.movement_key
group by landed.movement_key
having count(accounted.place) <> 1
