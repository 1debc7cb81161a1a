{#- Exact integer arithmetic for valuation. Quantities travel as micro-units
    (HUGEINT, qty x 10^6) and money as minor units (cents), so that division
    never goes through a binary float (DuckDB divides DECIMALs as DOUBLE). -#}

{% macro micro(decimal_expr) -%}
    cast(cast(({{ decimal_expr }}) as decimal(38, 6)) * 1000000 as hugeint)
{%- endmacro %}

{#- round(num / den) half away from zero, for den > 0 -#}
{% macro div_half_up(num, den) -%}
    (sign({{ num }}) * ((2 * abs({{ num }}) + ({{ den }})) // (2 * ({{ den }}))))
{%- endmacro %}

{#- minor units (cents) back to a DECIMAL amount -#}
{% macro from_cents(cents_expr) -%}
    cast(cast(({{ cents_expr }}) as decimal(18, 0)) * 0.01 as decimal(18, 2))
{%- endmacro %}

{#- micro-units back to a DECIMAL(18,6) quantity -#}
{% macro from_micro(micro_expr) -%}
    cast(cast(({{ micro_expr }}) as decimal(18, 0)) * 0.000001 as decimal(18, 6))
{%- endmacro %}

{#- cost per base unit, DECIMAL(18,6), from a value in cents and a quantity in micro-units -#}
{% macro unit_cost(cents_expr, micro_expr) -%}
    {{ from_micro(div_half_up('(' ~ cents_expr ~ ') * 10000000000', micro_expr)) }}
{%- endmacro %}
