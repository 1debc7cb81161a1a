-- Item master history, attribute by attribute: one row per item version x attribute whose
-- value differs from the previous version, with the status change behind a status change.
{%- set attributes = ['description', 'base_uom', 'item_type', 'status', 'valuation_method',
    'standard_cost', 'lot_tracked', 'serial_tracked', 'vmi', 'shelf_life_days',
    'primary_supplier_id', 'lead_time_days', 'min_qty', 'max_qty', 'category', 'consignment',
    'regulated', 'moq', 'order_multiple', 'currency'] %}

with versions as (
    select * from {{ ref('item_master_snapshot') }}
),

status_changes as (
    select * from {{ ref('stg_lake__item_status_changes') }}
    qualify row_number() over (partition by change_id order by landed_at desc, source_line desc) = 1
),

paired as (
    select
        versions.*,
        {%- for a in attributes %}
        lag(cast({{ a }} as varchar)) over by_version as previous_{{ a }},
        {%- endfor %}
        row_number() over by_version as version_no
    from versions
    window by_version as (partition by item_id order by valid_from)
),

changes as (
    {%- for a in attributes %}
    select item_id, valid_from, version_no, landed_at, batch_id, source_file, source_line,
           '{{ a }}' as attribute, previous_{{ a }} as old_value, cast({{ a }} as varchar) as new_value
    from paired
    where version_no > 1 and previous_{{ a }} is distinct from cast({{ a }} as varchar)
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        changes.item_id,
        changes.valid_from,
        changes.version_no,
        changes.attribute,
        changes.old_value,
        changes.new_value,
        status_changes.change_id as status_change_id,
        status_changes.user_id as changed_by,
        status_changes.approved_by,
        changes.landed_at,
        changes.batch_id,
        changes.source_file,
        changes.source_line
    from changes
    left join status_changes
        on changes.attribute = 'status'
        and status_changes.item_id = changes.item_id
        and status_changes.changed_at = changes.valid_from
)

select * from final
