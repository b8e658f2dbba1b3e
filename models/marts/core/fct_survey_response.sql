with

responses as (

    select * from {{ ref('int_survey_responses') }}

),

final as (

    select
        respondent_key,
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
