-- Every answer cell of every qualified interview as a row (raw_column,
-- raw_value), unanswered cells included with a NULL value, with the
-- respondent's number and profile: the screening is joined once per
-- interview, before the rows multiply. The CMO ranking columns are reshaped
-- apart (int_survey_responses). Raw ids stay in staging.
{%- set cmo_columns = survey_answer_columns('CMO')
    | reject('in', cmo_ranking_columns()) | list %}
{%- set profile = [
    'respondent_id',
    'role',
    'region_code',
    'industry_code',
    'size_band_code',
    'financial_performance',
] %}

with

qualified as (

    select * from {{ ref('int_interviews_screened') }}
    where is_qualified

),

cmo_interviews as (

    select
        {{ columns_of('qualified', profile) }},
        {{ columns_of('cmo', cmo_columns) }}
    from {{ ref('stg_cmo_study__interviews') }} as cmo
    inner join qualified
        on cmo.respondent_key = qualified.respondent_key

),

cio_interviews as (

    select
        {{ columns_of('qualified', profile) }},
        {{ columns_of('cio', survey_answer_columns('CIO')) }}
    from {{ ref('stg_cio_study__interviews') }} as cio
    inner join qualified
        on cio.respondent_key = qualified.respondent_key

),

cmo_answers as (

    {{ unpivot_answers('cmo_interviews', profile, cmo_columns) }}

),

cio_answers as (

    {{ unpivot_answers(
        'cio_interviews', profile, survey_answer_columns('CIO')
    ) }}

),

final as (

    select * from cmo_answers
    union all
    select * from cio_answers

)

select * from final
