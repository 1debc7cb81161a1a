{{ config(schema='staging', materialized='view') }}
-- Who approved a movement, where the source system sends it: the ERP exports an extra
-- `approved_by` column on its movements (not part of the landing contract, so the shared
-- staging model does not carry it). A lake without that column gives an empty model.
{%- set source_relation = source('lake', 'inventory_movements') %}
{%- set has_approver = execute and (adapter.get_columns_in_relation(source_relation)
    | selectattr('name', 'equalto', 'approved_by') | list | length > 0) %}

with source as (
    select * from {{ source_relation }}
),

renamed as (
    select
        _source || ':' || movement_id as movement_key,
        movement_id,
        {% if has_approver %}nullif(trim(cast(approved_by as varchar)), ''){% else %}cast(null as varchar){% endif %} as approved_by,
        {{ lineage_columns() }}
    from source
    {% if has_approver %}where nullif(trim(cast(approved_by as varchar)), '') is not null{% else %}where false{% endif %}
)

select * from renamed
