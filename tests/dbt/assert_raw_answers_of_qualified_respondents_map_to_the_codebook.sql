-- Nothing silently dropped in harmonizing: every non-missing raw answer of a
-- qualified respondent is a code the codebook maps. Returns the unmapped
-- raw values with how often they occur.
with

raw_answers as (

    select * from {{ ref('int_survey_answers_unpivoted') }}

),

interviews as (

    select * from {{ ref('int_interviews_screened') }}

),

survey_items as (

    select * from {{ ref('stg_reference__survey_items') }}

),

answer_options as (

    select * from {{ ref('stg_reference__answer_options') }}

)

select
    raw_answers.study,
    raw_answers.raw_column,
    raw_answers.raw_value,
    count(*) as answer_count
from raw_answers
inner join interviews
    on raw_answers.respondent_key = interviews.respondent_key
left join survey_items
    on
        raw_answers.study = survey_items.study
        and raw_answers.raw_column = survey_items.raw_column
left join answer_options
    on
        survey_items.study = answer_options.study
        and survey_items.item_code = answer_options.item_code
        and raw_answers.raw_value = answer_options.raw_value
where
    interviews.is_qualified
    and raw_answers.raw_value is not null
    and answer_options.option_code is null
group by raw_answers.study, raw_answers.raw_column, raw_answers.raw_value
