-- Aging of the stock on hand per item x site on the as-of day: FIFO layer ages in five buckets
-- (bounds in seeds/kpi_settings.csv), the oldest and the average age, expired stock, and the
-- movement class (active, slow-moving, non-moving) from the days since the item was last used
-- at the site. Definitions in _kpi.yml and docs/kpis.md.
with stock_age as (
    select * from {{ ref('int_kpi_stock_age') }}
),

ledger as (
    select * from {{ ref('fct_inventory_ledger') }}
),

items as (
    select * from {{ ref('dim_item') }}
),

periods as (
    select * from {{ ref('int_kpi_periods') }}
),

settings as not materialized (
    select * from {{ ref('kpi_settings') }}
),

layers as (
    select stock_age.*, items.shelf_life_days
    from stock_age
    left join items on items.item_id = stock_age.item_id
    where stock_age.point_day = (select max(period_end) from periods)
),

last_use as (
    select item_id, site_id, max(occurred_at)::date as last_used_on
    from ledger
    where movement_type in ('shipment', 'production_issue', 'issue')
       or (movement_type = 'transfer_out' and not is_intra_site_transfer)
    group by all
),

bucketed as (
    select
        l.item_id, l.site_id, any_value(l.point_day) as as_of_day,
        sum(l.qty) as qty_on_hand,
        sum(l.value) as value_on_hand,
        coalesce(sum(l.qty) filter (where l.age_days <= s.age_bucket_1_days), 0) as bucket_1_qty,
        coalesce(sum(l.value) filter (where l.age_days <= s.age_bucket_1_days), 0) as bucket_1_value,
        coalesce(sum(l.qty) filter (where l.age_days > s.age_bucket_1_days and l.age_days <= s.age_bucket_2_days), 0) as bucket_2_qty,
        coalesce(sum(l.value) filter (where l.age_days > s.age_bucket_1_days and l.age_days <= s.age_bucket_2_days), 0) as bucket_2_value,
        coalesce(sum(l.qty) filter (where l.age_days > s.age_bucket_2_days and l.age_days <= s.age_bucket_3_days), 0) as bucket_3_qty,
        coalesce(sum(l.value) filter (where l.age_days > s.age_bucket_2_days and l.age_days <= s.age_bucket_3_days), 0) as bucket_3_value,
        coalesce(sum(l.qty) filter (where l.age_days > s.age_bucket_3_days and l.age_days <= s.age_bucket_4_days), 0) as bucket_4_qty,
        coalesce(sum(l.value) filter (where l.age_days > s.age_bucket_3_days and l.age_days <= s.age_bucket_4_days), 0) as bucket_4_value,
        coalesce(sum(l.qty) filter (where l.age_days > s.age_bucket_4_days), 0) as bucket_5_qty,
        coalesce(sum(l.value) filter (where l.age_days > s.age_bucket_4_days), 0) as bucket_5_value,
        max(l.age_days) as oldest_age_days,
        round(sum(l.qty * l.age_days) / sum(l.qty), 1)::decimal(18, 1) as avg_age_days,
        coalesce(sum(l.qty) filter (where l.age_days > l.shelf_life_days), 0) as expired_qty,
        coalesce(sum(l.value) filter (where l.age_days > l.shelf_life_days), 0) as expired_value,
        min(l.layer_day) as oldest_layer_day
    from layers l
    cross join settings s
    group by l.item_id, l.site_id
),

final as (
    select
        b.item_id,
        b.site_id,
        b.as_of_day,
        b.qty_on_hand,
        b.value_on_hand,
        b.bucket_1_qty, b.bucket_1_value,
        b.bucket_2_qty, b.bucket_2_value,
        b.bucket_3_qty, b.bucket_3_value,
        b.bucket_4_qty, b.bucket_4_value,
        b.bucket_5_qty, b.bucket_5_value,
        b.oldest_age_days,
        b.avg_age_days,
        b.expired_qty,
        b.expired_value,
        u.last_used_on,
        datediff('day', coalesce(u.last_used_on, b.oldest_layer_day), b.as_of_day) as days_since_last_use,
        case
            when datediff('day', coalesce(u.last_used_on, b.oldest_layer_day), b.as_of_day) > s.non_moving_days then 'non_moving'
            when datediff('day', coalesce(u.last_used_on, b.oldest_layer_day), b.as_of_day) > s.slow_moving_days then 'slow_moving'
            else 'active'
        end as movement_class
    from bucketed b
    cross join settings s
    left join last_use u on u.item_id = b.item_id and u.site_id = b.site_id
)

select * from final
