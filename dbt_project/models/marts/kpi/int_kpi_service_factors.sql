{{ config(schema='intermediate') }}
-- The safety factor z for each target cycle service level: the standard normal quantile,
-- z = inverse normal CDF(service level), by Acklam's rational approximation (relative error
-- below 1.2e-9), so a controller edits only the service level.
with levels as (
    select * from {{ ref('kpi_service_levels') }}
),

prepared as (
    select abc_class, service_level, service_level::double as p,
           service_level::double - 0.5 as q,
           sqrt(-2 * ln(1 - service_level::double)) as t
    from levels
),

final as (
    select
        abc_class,
        service_level,
        round(case
            when p <= 0.97575 then
                (((((-39.69683028665376 * q * q + 220.9460984245205) * q * q - 275.9285104469687) * q * q
                    + 138.3577518672690) * q * q - 30.66479806614716) * q * q + 2.506628277459239) * q
                / (((((-54.47609879822406 * q * q + 161.5858368580409) * q * q - 155.6989798598866) * q * q
                    + 66.80131188771972) * q * q - 13.28068155288572) * q * q + 1)
            else
                -(((((-0.007784894002430293 * t - 0.3223964580411365) * t - 2.400758277161838) * t
                    - 2.549732539343734) * t + 4.374664141464968) * t + 2.938163982698783)
                / ((((0.007784695709041462 * t + 0.3224671290700398) * t + 2.445134137142996) * t
                    + 3.754408661907416) * t + 1)
        end, 4)::decimal(9, 4) as z
    from prepared
)

select * from final
