-- Qualified respondents, de-identified (int_microdata_respondents), with the
-- bilingual labels of their generalized profile. Restricted: respondent-level.
with

respondents as (

    select * from {{ ref('int_microdata_respondents') }}

),

countries as (

    select * from {{ ref('stg_reference__countries') }}

),

regions as (

    select
        region_code,
        min(region_en) as region_en,
        min(region_zh) as region_zh
    from countries
    group by region_code

),

industries as (

    select * from {{ ref('stg_reference__industries') }}

),

size_bands as (

    select * from {{ ref('stg_reference__company_size_bands') }}

),

final as (

    select
        respondents.respondent_id,
        respondents.role,
        respondents.region_code,
        regions.region_en,
        regions.region_zh,
        respondents.country_code,
        countries.country_name_en,
        countries.country_name_zh,
        respondents.industry_code,
        industries.industry_name_en,
        industries.industry_name_zh,
        respondents.size_band_code,
        case
            when respondents.size_band_code = 'not_stated' then 'Not stated'
            else size_bands.size_band_en
        end as size_band_en,
        case
            when respondents.size_band_code = 'not_stated' then '未说明'
            else size_bands.size_band_zh
        end as size_band_zh,
        respondents.financial_performance,
        respondents.interview_month,
        respondents.interview_length_band,
        respondents.generalized_attributes
    from respondents
    left join regions
        on respondents.region_code = regions.region_code
    left join countries
        on respondents.country_code = countries.country_code
    left join industries
        on respondents.industry_code = industries.industry_code
    left join size_bands
        on respondents.size_band_code = size_bands.size_band_code

)

select * from final
