-- Qualified respondents of both studies with their profile in codes and
-- labels. Keys are pseudonymous; raw interview ids stay in staging.
with

interviews as (

    select * from {{ ref('int_interviews_screened') }}

),

countries as (

    select * from {{ ref('stg_reference__countries') }}

),

industries as (

    select * from {{ ref('stg_reference__industries') }}

),

size_bands as (

    select * from {{ ref('stg_reference__company_size_bands') }}

),

final as (

    select
        interviews.respondent_key,
        interviews.role,
        interviews.country_code,
        countries.country_name_en,
        countries.country_name_zh,
        countries.region_code,
        countries.region_en,
        countries.region_zh,
        interviews.industry_code,
        industries.industry_name_en,
        industries.industry_name_zh,
        interviews.size_band_code,
        size_bands.size_band_en,
        size_bands.size_band_zh,
        interviews.financial_performance,
        interviews.interview_date,
        interviews.interview_minutes
    from interviews
    left join countries
        on interviews.country_code = countries.country_code
    left join industries
        on interviews.industry_code = industries.industry_code
    left join size_bands
        on interviews.size_band_code = size_bands.size_band_code
    where interviews.is_qualified

)

select * from final
