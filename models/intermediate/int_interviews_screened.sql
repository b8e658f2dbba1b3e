-- Every raw interview in one shape with its screening outcome, its region
-- and a respondent number for the joins of the build. A table: most models
-- downstream read it.
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

screening_outcomes as (

    select * from {{ ref('stg_reference__screening_outcomes') }}

),

-- the order in which the codebook applies each screening reason (one row)
reason_orders as (

    select
        max(
            case when screening_outcome = 'qualified' then outcome_order end
        ) as qualified_order,
        max(
            case when screening_outcome = 'test_record' then outcome_order end
        ) as test_record_order,
        max(
            case when screening_outcome = 'duplicate' then outcome_order end
        ) as duplicate_order,
        max(
            case when screening_outcome = 'partial' then outcome_order end
        ) as partial_order,
        max(
            case when screening_outcome = 'speeder' then outcome_order end
        ) as speeder_order
    from screening_outcomes

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

-- one outcome per interview: the first reason that applies, in the
-- codebook's order; none applies to a qualified interview
first_reasons as (

    select
        unioned.*,
        coalesce(
            least(
                case
                    when unioned.is_test_record
                        then reason_orders.test_record_order
                end,
                case
                    when unioned.is_duplicate
                        then reason_orders.duplicate_order
                end,
                case
                    when unioned.is_partial then reason_orders.partial_order
                end,
                case
                    when unioned.is_speeder then reason_orders.speeder_order
                end
            ),
            reason_orders.qualified_order
        ) as outcome_order
    from unioned
    cross join reason_orders

),

final as (

    select
        first_reasons.respondent_key,
        {{ respondent_number('first_reasons.respondent_key') }}
            as respondent_id,
        first_reasons.study as role,
        first_reasons.started_at as interview_started_at,
        cast(first_reasons.started_at as date) as interview_date,
        first_reasons.interview_minutes,
        first_reasons.country_code,
        countries.region_code,
        first_reasons.industry_code,
        first_reasons.size_band_code,
        first_reasons.financial_performance,
        first_reasons.is_test_record,
        first_reasons.is_duplicate,
        first_reasons.is_partial,
        first_reasons.is_speeder,
        screening_outcomes.screening_outcome,
        screening_outcomes.screening_outcome = 'qualified' as is_qualified,
        -- real, distinct interviews, as fig01 counts them
        screening_outcomes.is_interviewed
    from first_reasons
    inner join screening_outcomes
        on first_reasons.outcome_order = screening_outcomes.outcome_order
    left join countries
        on first_reasons.country_code = countries.country_code

)

select * from final
