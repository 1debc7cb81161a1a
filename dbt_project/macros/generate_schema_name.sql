{#- Schemas are exactly raw, staging, intermediate, marts, audit, mining: the
    warehouse contract's names, not dbt's default <target>_<custom> prefixing. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
