-- Every raw interview in one shape with its screening outcome. A table:
-- most models downstream read it.
{{ config(materialized='table') }}

with

cmo_interviews as (

    select * from {{ ref('stg_cmo_study__interviews') }}

),

cio_interviews as (

    select * from {{ ref('stg_cio_study__interviews') }}

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

-- the CMO export names its profile in English labels: look up the codes
cmo_coded as (

    select
        cmo_interviews.respondent_key,
        cmo_interviews.study,
        cmo_interviews.started_at,
        cmo_interviews.interview_minutes,
        countries.country_code,
        industries.industry_code,
        size_bands.size_band_code,
        cmo_interviews.financial_performance,
        cmo_interviews.is_test_record,
        cmo_interviews.is_duplicate,
        cmo_interviews.is_partial,
        cmo_interviews.is_speeder
    from cmo_interviews
    left join countries
        on
            lower(cmo_interviews.country_name_en)
            = lower(countries.country_name_en)
    left join industries
        on
            lower(cmo_interviews.industry_name_en)
            = lower(industries.industry_name_en)
    left join size_bands
        on
            lower(cmo_interviews.size_band_label_en)
            = lower(size_bands.size_band_en)

),

cio_coded as (

    select
        respondent_key,
        study,
        started_at,
        interview_minutes,
        country_code,
        industry_code,
        size_band_code,
        financial_performance,
        is_test_record,
        is_duplicate,
        is_partial,
        is_speeder
    from cio_interviews

),

unioned as (

    select * from cmo_coded
    union all
    select * from cio_coded

),

-- one outcome per interview: the first reason that applies, in design order
screened as (

    select
        respondent_key,
        study as role,
        started_at as interview_started_at,
        cast(started_at as date) as interview_date,
        interview_minutes,
        country_code,
        industry_code,
        size_band_code,
        financial_performance,
        is_test_record,
        is_duplicate,
        is_partial,
        is_speeder,
        case
            when is_test_record then 'test_record'
            when is_duplicate then 'duplicate'
            when is_partial then 'partial'
            when is_speeder then 'speeder'
            else 'qualified'
        end as screening_outcome
    from unioned

),

final as (

    select
        *,
        screening_outcome = 'qualified' as is_qualified,
        -- real, distinct interviews, as fig01 counts them
        screening_outcome in ('qualified', 'partial', 'speeder')
            as is_interviewed
    from screened

)

select * from final
