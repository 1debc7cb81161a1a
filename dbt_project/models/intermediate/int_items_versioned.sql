-- Item master versions with their validity interval; the newest version is current.
with items as (
    select * from {{ ref('stg_lake__items') }}
),

latest_per_valid_from as (
    -- the same version re-sent with corrections: the last landed wins
    select * from items
    qualify row_number() over (partition by item_id, valid_from order by landed_at desc, source_line desc) = 1
),

versioned as (
    select
        *,
        lead(valid_from) over (partition by item_id order by valid_from) as valid_to,
        row_number() over (partition by item_id order by valid_from desc) = 1 as is_current
    from latest_per_valid_from
)

select * from versioned
