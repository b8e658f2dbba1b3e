-- The bilingual label of every profile value a respondent or a segment can
-- have: one row per attribute and code, plus 'not_stated' for an attribute
-- a respondent may leave blank. Both dim_respondent and segment_comparison
-- label their codes from here.
with

countries as (

    select * from {{ ref('stg_reference__countries') }}

),

industries as (

    select * from {{ ref('stg_reference__industries') }}

),

size_bands as (

    select * from {{ ref('stg_reference__company_size_bands') }}

),

answer_options as (

    select * from {{ ref('stg_reference__answer_options') }}

),

region_labels as (

    select
        'region' as profile_attribute,
        region_code as profile_code,
        min(region_en) as label_en,
        min(region_zh) as label_zh
    from countries
    group by region_code

),

country_labels as (

    select
        'country' as profile_attribute,
        country_code as profile_code,
        country_name_en as label_en,
        country_name_zh as label_zh
    from countries

),

industry_labels as (

    select
        'industry' as profile_attribute,
        industry_code as profile_code,
        industry_name_en as label_en,
        industry_name_zh as label_zh
    from industries

),

size_band_labels as (

    select
        'company_size' as profile_attribute,
        size_band_code as profile_code,
        size_band_en as label_en,
        size_band_zh as label_zh
    from size_bands

),

performance_labels as (

    select
        'financial_performance' as profile_attribute,
        option_code as profile_code,
        min(label_en) as label_en,
        min(label_zh) as label_zh
    from answer_options
    where item_code = 'financial_performance'
    group by option_code

),

-- a value a respondent left blank
not_stated_labels as (

    select
        profile_attributes.profile_attribute,
        'not_stated' as profile_code,
        'Not stated' as label_en,
        '未说明' as label_zh
    from (
        values
        ('region'),
        ('country'),
        ('industry'),
        ('company_size'),
        ('financial_performance')
    ) as profile_attributes (profile_attribute)

),

final as (

    select * from region_labels
    union all
    select * from country_labels
    union all
    select * from industry_labels
    union all
    select * from size_band_labels
    union all
    select * from performance_labels
    union all
    select * from not_stated_labels

)

select * from final
