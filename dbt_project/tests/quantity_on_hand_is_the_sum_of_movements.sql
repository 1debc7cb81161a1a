-- Per item x location, the last day's quantity in fct_inventory_daily equals the sum of the
-- ledger's movements, and the ledger's last running quantity says the same.
with movements as (
    select item_id, location_id, sum(qty) as qty,
           arg_max(running_qty, (occurred_at, posted_at, movement_id, source)) as last_running_qty
    from {{ ref('fct_inventory_ledger') }}
    group by all
),

daily as (
    select item_id, location_id, qty
    from {{ ref('fct_inventory_daily') }}
    where day = (select max(day) from {{ ref('fct_inventory_daily') }})
)

select movements.*, daily.qty as daily_qty
from movements full join daily using (item_id, location_id)
where movements.qty is distinct from daily.qty or movements.qty <> movements.last_running_qty
