{#- Rows where the expression is false fail the test (dbt_utils' test, without the package:
    packages cannot be downloaded at build time). -#}
{% test expression_is_true(model, expression) %}
select * from {{ model }} where not ({{ expression }})
{% endtest %}
