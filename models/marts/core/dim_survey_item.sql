with

survey_items as (

    select * from {{ ref('int_survey_items') }}

),

final as (

    select
        role,
        item_code,
        sub_item_code,
        answer_type,
        figure_id,
        question_en,
        question_zh,
        sub_item_en,
        sub_item_zh
    from survey_items

)

select * from final
