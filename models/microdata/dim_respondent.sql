-- Qualified respondents, de-identified (int_microdata_respondents), with the
-- bilingual labels of their generalized profile. Restricted: respondent-level.
with

respondents as (

    select * from {{ ref('int_microdata_respondents') }}

),

labels as (

    select * from {{ ref('int_profile_labels') }}

),

final as (

    select
        respondents.respondent_id,
        respondents.role,
        respondents.region_code,
        regions.label_en as region_en,
        regions.label_zh as region_zh,
        respondents.country_code,
        countries.label_en as country_name_en,
        countries.label_zh as country_name_zh,
        respondents.industry_code,
        industries.label_en as industry_name_en,
        industries.label_zh as industry_name_zh,
        respondents.size_band_code,
        size_bands.label_en as size_band_en,
        size_bands.label_zh as size_band_zh,
        respondents.financial_performance,
        respondents.interview_month,
        respondents.interview_length_band,
        respondents.generalized_attributes
    from respondents
    left join labels as regions
        on
            regions.profile_attribute = 'region'
            and respondents.region_code = regions.profile_code
    left join labels as countries
        on
            countries.profile_attribute = 'country'
            and respondents.country_code = countries.profile_code
    left join labels as industries
        on
            industries.profile_attribute = 'industry'
            and respondents.industry_code = industries.profile_code
    left join labels as size_bands
        on
            size_bands.profile_attribute = 'company_size'
            and respondents.size_band_code = size_bands.profile_code

)

select * from final
