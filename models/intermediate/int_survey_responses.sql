-- The long grain of qualified answers: respondent x item x sub-item, with
-- the harmonized option_code (NULL where unanswered), the rank position of a
-- top-3 ranking, and the respondent's profile for the aggregates. A view:
-- its two readers (the answer counts, the microdata fact) each stream it
-- once, and the long grain is stored once, in the microdata.
with

answers as (

    select * from {{ ref('int_survey_answers_unpivoted') }}

),

qualified_cmos as (

    select * from {{ ref('int_interviews_screened') }}
    where is_qualified and role = 'CMO'

),

cmo_interviews as (

    select * from {{ ref('stg_cmo_study__interviews') }}

),

survey_items as (

    select * from {{ ref('int_survey_items') }}

),

raw_columns as (

    select * from {{ ref('stg_reference__survey_items') }}

),

answer_options as (

    select * from {{ ref('stg_reference__answer_options') }}

),

-- raw cells to codebook items and harmonized options
mapped_answers as (

    select
        answers.respondent_id,
        answers.role,
        answers.region_code,
        answers.industry_code,
        answers.size_band_code,
        answers.financial_performance,
        answers.raw_value,
        raw_columns.item_code,
        raw_columns.sub_item_code as raw_sub_item_code,
        raw_columns.answer_type,
        answer_options.option_code
    from answers
    inner join raw_columns
        on
            answers.role = raw_columns.study
            and answers.raw_column = raw_columns.raw_column
    left join answer_options
        on
            answers.role = answer_options.study
            and raw_columns.item_code = answer_options.item_code
            and answers.raw_value = answer_options.raw_value

),

-- the CMO forces, by their codes in the ranking columns
force_codes as (

    select
        raw_value,
        option_code
    from answer_options
    where study = 'CMO' and item_code = 'external_forces'

),

-- answer columns are items: the unpivot keeps unanswered cells, so every
-- item of a respondent's questionnaire is there, answered or not
column_items as (

    select
        respondent_id,
        role,
        region_code,
        industry_code,
        size_band_code,
        financial_performance,
        item_code,
        raw_sub_item_code as sub_item_code,
        answer_type,
        option_code,
        -- a raw code the codebook does not map: kept, so it is counted
        case when option_code is null then raw_value end as unmapped_raw_value
    from mapped_answers

),

-- the CMO ranking: one row per qualified CMO with the force chosen at each
-- rank (the ranking columns read apart, before any rows multiply)
cmo_rankings as (

    select
        qualified_cmos.respondent_id,
        qualified_cmos.role,
        qualified_cmos.region_code,
        qualified_cmos.industry_code,
        qualified_cmos.size_band_code,
        qualified_cmos.financial_performance,
        first_forces.option_code as first_force,
        second_forces.option_code as second_force,
        third_forces.option_code as third_force,
        coalesce(
            cmo_interviews.q3_r1, cmo_interviews.q3_r2, cmo_interviews.q3_r3
        ) is not null as has_answered,
        -- a force code the codebook does not know, kept to be counted
        case
            when first_forces.option_code is null then cmo_interviews.q3_r1
        end as unmapped_first_force,
        case
            when second_forces.option_code is null then cmo_interviews.q3_r2
        end as unmapped_second_force,
        case
            when third_forces.option_code is null then cmo_interviews.q3_r3
        end as unmapped_third_force
    from qualified_cmos
    inner join cmo_interviews
        on qualified_cmos.respondent_key = cmo_interviews.respondent_key
    left join force_codes as first_forces
        on cmo_interviews.q3_r1 = first_forces.raw_value
    left join force_codes as second_forces
        on cmo_interviews.q3_r2 = second_forces.raw_value
    left join force_codes as third_forces
        on cmo_interviews.q3_r3 = third_forces.raw_value

),

-- every force of the codebook for every qualified CMO: its rank, or
-- not_ranked when the respondent ranked others, NULL when they skipped it
cmo_force_items as (

    select
        cmo_rankings.respondent_id,
        cmo_rankings.role,
        cmo_rankings.region_code,
        cmo_rankings.industry_code,
        cmo_rankings.size_band_code,
        cmo_rankings.financial_performance,
        survey_items.item_code,
        survey_items.sub_item_code,
        survey_items.answer_type,
        case
            when survey_items.sub_item_code = cmo_rankings.first_force then '1'
            when survey_items.sub_item_code = cmo_rankings.second_force then '2'
            when survey_items.sub_item_code = cmo_rankings.third_force then '3'
            when cmo_rankings.has_answered then 'not_ranked'
        end as option_code,
        coalesce(
            cmo_rankings.unmapped_first_force,
            cmo_rankings.unmapped_second_force,
            cmo_rankings.unmapped_third_force
        ) as unmapped_raw_value
    from cmo_rankings
    inner join survey_items
        on cmo_rankings.role = survey_items.role
    where survey_items.raw_column is null

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
