-- Qualified answers at the long grain, keyed by the de-identified respondent
-- number of dim_respondent. Restricted: respondent-level.
with

responses as (

    select * from {{ ref('int_survey_responses') }}

),

respondents as (

    select * from {{ ref('int_microdata_respondents') }}

),

final as (

    select
        respondents.respondent_id,
        responses.role,
        responses.item_code,
        responses.sub_item_code,
        responses.answer_type,
        responses.option_code,
        responses.rank_position,
        responses.option_code is not null as is_answered
    from responses
    inner join respondents
        on responses.respondent_key = respondents.respondent_key

)

select * from final
