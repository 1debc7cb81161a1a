{#- Every staging model ends with the lake's lineage columns, renamed the same way. -#}
{% macro lineage_columns() -%}
        _source as source_system,
        _batch_id as batch_id,
        _file as source_file,
        _line as source_line,
        _landed_at as landed_at
{%- endmacro %}
