-- Qualified respondents per role, item, sub-item and answer, by respondent
-- profile (region, industry, size band, financial performance): the long
-- grain counted once, small enough that every measure, overall or by
-- segment, is a sum over these cells. Answers the codebook cannot map are
-- counted under their raw code, so none is lost silently.
{{ config(materialized='table') }}

with

responses as (

    select * from {{ ref('int_survey_responses') }}

),

final as (

    select
        role,
        item_code,
        sub_item_code,
        option_code,
        unmapped_raw_value,
        region_code,
        industry_code,
        size_band_code,
        financial_performance,
        count(*) as respondents
    from responses
    group by
        role,
        item_code,
        sub_item_code,
        option_code,
        unmapped_raw_value,
        region_code,
        industry_code,
        size_band_code,
        financial_performance

)

select * from final
