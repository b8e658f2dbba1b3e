-- A qualified respondent answers the questionnaire: every one has answered
-- items in fct_survey_response, and exactly one row per item of their
-- role's questionnaire. Returns the respondents for whom that fails.
with

respondents as (

    select * from {{ ref('dim_respondent') }}

),

items_per_role as (

    select
        role,
        count(*) as item_count
    from {{ ref('dim_survey_item') }}
    group by role

),

responses_per_respondent as (

    select
        respondent_id,
        count(*) as response_count,
        sum(case when is_answered then 1 else 0 end) as answered_count
    from {{ ref('fct_survey_response') }}
    group by respondent_id

)

select
    respondents.respondent_id,
    respondents.role,
    items_per_role.item_count,
    responses_per_respondent.response_count,
    responses_per_respondent.answered_count
from respondents
left join items_per_role
    on respondents.role = items_per_role.role
left join responses_per_respondent
    on respondents.respondent_id = responses_per_respondent.respondent_id
where
    coalesce(responses_per_respondent.answered_count, 0) = 0
    or responses_per_respondent.response_count
    is distinct from items_per_role.item_count
