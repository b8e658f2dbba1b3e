-- Measure counts per role and respondent profile (region, industry, size
-- band, financial performance): small enough to keep, and every share of
-- the marts (overall or by segment) is a sum over these cells.
{{ config(materialized='table') }}

with

measure_respondents as (

    select * from {{ ref('int_measure_respondents') }}

),

interviews as (

    select * from {{ ref('int_interviews_screened') }}

),

countries as (

    select * from {{ ref('stg_reference__countries') }}

),

final as (

    select
        measure_respondents.measure_id,
        measure_respondents.role,
        countries.region_code,
        interviews.industry_code,
        interviews.size_band_code,
        interviews.financial_performance,
        count(*) as n_answering,
        cast(
            sum(case when measure_respondents.is_selecting then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as n_selecting
    from measure_respondents
    inner join interviews
        on measure_respondents.respondent_key = interviews.respondent_key
    left join countries
        on interviews.country_code = countries.country_code
    group by
        measure_respondents.measure_id,
        measure_respondents.role,
        countries.region_code,
        interviews.industry_code,
        interviews.size_band_code,
        interviews.financial_performance

)

select * from final
