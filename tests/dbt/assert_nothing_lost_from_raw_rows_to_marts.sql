-- Counting identities per study, from the raw export to the marts:
-- raw rows = screened interviews = qualified + excluded,
-- qualified = rows of dim_respondent,
-- rows of fct_survey_response = respondents x items of their questionnaire.
-- Returns a row for every identity that does not hold.
with

cmo_raw as (

    select * from {{ source('raw', 'cmo_study_2011_export') }}

),

cio_raw as (

    select * from {{ source('raw', 'cio_study_2011_export') }}

),

raw_rows as (

    select
        'CMO' as study,
        count(*) as raw_row_count
    from cmo_raw
    union all
    select
        'CIO' as study,
        count(*) as raw_row_count
    from cio_raw

),

screened as (

    select
        role as study,
        count(*) as screened_count,
        sum(case when is_qualified then 1 else 0 end) as qualified_count
    from {{ ref('int_interviews_screened') }}
    group by role

),

summary as (

    select
        study,
        sum(interview_count) as summary_count,
        sum(
            case when screening_outcome = 'qualified' then interview_count end
        ) as summary_qualified_count
    from {{ ref('screening_summary') }}
    group by study

),

respondents as (

    select
        role as study,
        count(*) as respondent_count
    from {{ ref('dim_respondent') }}
    group by role

),

items as (

    select
        role as study,
        count(*) as item_count
    from {{ ref('dim_survey_item') }}
    group by role

),

responses as (

    select
        role as study,
        count(*) as response_count
    from {{ ref('fct_survey_response') }}
    group by role

),

identities as (

    select
        raw_rows.study,
        raw_rows.raw_row_count,
        screened.screened_count,
        summary.summary_count,
        screened.qualified_count,
        summary.summary_qualified_count,
        respondents.respondent_count,
        items.item_count,
        responses.response_count
    from raw_rows
    left join screened on raw_rows.study = screened.study
    left join summary on raw_rows.study = summary.study
    left join respondents on raw_rows.study = respondents.study
    left join items on raw_rows.study = items.study
    left join responses on raw_rows.study = responses.study

)

select *
from identities
where
    screened_count is distinct from raw_row_count
    or summary_count is distinct from raw_row_count
    or summary_qualified_count is distinct from qualified_count
    or respondent_count is distinct from qualified_count
    or response_count is distinct from respondent_count * item_count
