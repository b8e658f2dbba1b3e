-- Every answer cell of every interview as a row (raw_column, raw_value),
-- unanswered cells included with a NULL value. Raw ids stay in staging.
with

cmo_interviews as (

    select * from {{ ref('stg_cmo_study__interviews') }}

),

cio_interviews as (

    select * from {{ ref('stg_cio_study__interviews') }}

),

cmo_answers as (

    {{ unpivot_answers(
        'cmo_interviews',
        ['respondent_key', 'study'],
        survey_answer_columns('CMO')
    ) }}

),

cio_answers as (

    {{ unpivot_answers(
        'cio_interviews',
        ['respondent_key', 'study'],
        survey_answer_columns('CIO')
    ) }}

),

final as (

    select * from cmo_answers
    union all
    select * from cio_answers

)

select * from final
