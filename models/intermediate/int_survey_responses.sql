-- The long grain of qualified answers: respondent x item x sub-item, with
-- the harmonized option_code (NULL where unanswered) and the rank position
-- of a top-3 ranking. A table: the fact mart and every measure read it.
{{ config(materialized='table') }}

with

interviews as (

    select * from {{ ref('int_interviews_screened') }}

),

survey_items as (

    select * from {{ ref('int_survey_items') }}

),

raw_answers as (

    select * from {{ ref('int_survey_answers_unpivoted') }}

),

raw_columns as (

    select * from {{ ref('stg_reference__survey_items') }}

),

answer_options as (

    select * from {{ ref('stg_reference__answer_options') }}

),

qualified_respondents as (

    select
        respondent_key,
        role
    from interviews
    where is_qualified

),

-- raw cells to codebook items and harmonized options
mapped_answers as (

    select
        raw_answers.respondent_key,
        raw_answers.study as role,
        raw_answers.raw_column,
        raw_answers.raw_value,
        raw_columns.item_code,
        raw_columns.sub_item_code as raw_sub_item_code,
        raw_columns.answer_type,
        raw_columns.figure_id,
        answer_options.option_code
    from raw_answers
    inner join qualified_respondents
        on raw_answers.respondent_key = qualified_respondents.respondent_key
    inner join raw_columns
        on
            raw_answers.study = raw_columns.study
            and raw_answers.raw_column = raw_columns.raw_column
    left join answer_options
        on
            raw_answers.study = answer_options.study
            and raw_columns.item_code = answer_options.item_code
            and raw_answers.raw_value = answer_options.raw_value

),

-- the CMO ranking: columns rank_1..rank_3 hold the force chosen at that rank
cmo_ranked_forces as (

    select
        respondent_key,
        option_code as sub_item_code,
        min(
            {{ dbt.safe_cast(
                dbt.split_part('raw_sub_item_code', "'_'", 2),
                dbt.type_int()
            ) }}
        ) as rank_position,
        min(raw_value) as raw_value
    from mapped_answers
    where
        role = 'CMO' and item_code = 'external_forces'
        and option_code is not null
    group by respondent_key, option_code

),

cmo_ranking_respondents as (

    select distinct respondent_key
    from mapped_answers
    where
        role = 'CMO' and item_code = 'external_forces'
        and raw_value is not null

),

-- answer columns are items: the unpivot keeps unanswered cells, so every
-- item of a respondent's questionnaire is there, answered or not
column_items as (

    select
        mapped_answers.respondent_key,
        mapped_answers.role,
        mapped_answers.item_code,
        mapped_answers.raw_sub_item_code as sub_item_code,
        mapped_answers.answer_type,
        mapped_answers.figure_id,
        mapped_answers.option_code,
        mapped_answers.raw_value
    from mapped_answers
    where not (
        mapped_answers.role = 'CMO'
        and mapped_answers.item_code = 'external_forces'
    )

),

-- the CMO forces: every force of the codebook for every qualified CMO
cmo_force_grid as (

    select
        qualified_respondents.respondent_key,
        qualified_respondents.role,
        survey_items.item_code,
        survey_items.sub_item_code,
        survey_items.answer_type,
        survey_items.figure_id
    from qualified_respondents
    inner join survey_items
        on qualified_respondents.role = survey_items.role
    where survey_items.raw_column is null

),

cmo_force_items as (

    select
        cmo_force_grid.*,
        case
            when cmo_ranked_forces.rank_position is not null
                then cast(
                    cmo_ranked_forces.rank_position as {{ dbt.type_string() }}
                )
            when cmo_ranking_respondents.respondent_key is not null
                then 'not_ranked'
        end as option_code,
        cmo_ranked_forces.raw_value
    from cmo_force_grid
    left join cmo_ranked_forces
        on
            cmo_force_grid.respondent_key = cmo_ranked_forces.respondent_key
            and cmo_force_grid.sub_item_code = cmo_ranked_forces.sub_item_code
    left join cmo_ranking_respondents
        on
            cmo_force_grid.respondent_key
            = cmo_ranking_respondents.respondent_key

),

harmonized as (

    select * from column_items
    union all
    select * from cmo_force_items

),

final as (

    select
        *,
        case
            when answer_type = 'top3_ranking'
                then {{ dbt.safe_cast('option_code', dbt.type_int()) }}
        end as rank_position
    from harmonized

)

select * from final
