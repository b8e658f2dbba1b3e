-- Qualified answers at the long grain, keyed by the de-identified respondent
-- number of dim_respondent. Restricted: respondent-level.
with

responses as (

    select * from {{ ref('int_survey_responses') }}

),

final as (

    select
        respondent_id,
        role,
        item_code,
        sub_item_code,
        answer_type,
        option_code,
        rank_position,
        option_code is not null as is_answered
    from responses

)

select * from final
