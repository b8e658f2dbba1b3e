-- The harmonized questionnaire: one row per role x item x sub-item. The CMO
-- ranking records forces in its values (rank_1..rank_3 columns), so its
-- sub-items are the forces of the codebook's answer options instead.
with

survey_items as (

    select * from {{ ref('stg_reference__survey_items') }}

),

answer_options as (

    select * from {{ ref('stg_reference__answer_options') }}

),

columns_as_sub_items as (

    select
        study as role,
        item_code,
        sub_item_code,
        answer_type,
        figure_id,
        question_en,
        question_zh,
        sub_item_en,
        sub_item_zh,
        raw_column
    from survey_items
    where not (study = 'CMO' and item_code = 'external_forces')

),

cmo_ranking_question as (

    select
        study,
        item_code,
        answer_type,
        figure_id,
        question_en,
        question_zh
    from survey_items
    where
        study = 'CMO' and item_code = 'external_forces'
        and sub_item_code = 'rank_1'

),

cmo_forces_as_sub_items as (

    select
        cmo_ranking_question.study as role,
        cmo_ranking_question.item_code,
        answer_options.option_code as sub_item_code,
        cmo_ranking_question.answer_type,
        cmo_ranking_question.figure_id,
        cmo_ranking_question.question_en,
        cmo_ranking_question.question_zh,
        answer_options.label_en as sub_item_en,
        answer_options.label_zh as sub_item_zh,
        cast(null as {{ dbt.type_string() }}) as raw_column
    from cmo_ranking_question
    inner join answer_options
        on
            cmo_ranking_question.study = answer_options.study
            and cmo_ranking_question.item_code = answer_options.item_code

),

final as (

    select * from columns_as_sub_items
    union all
    select * from cmo_forces_as_sub_items

)

select * from final
