-- One row per measure x role x qualified respondent who answered its item:
-- whether the answer counts as selecting the measure's options.
with

measures as (

    select * from {{ ref('stg_reference__measures') }}

),

responses as (

    select * from {{ ref('int_survey_responses') }}

),

interviews as (

    select * from {{ ref('int_interviews_screened') }}

),

-- the options a measure counts as selecting, one row each, so an answer is
-- matched to them exactly (no pattern matching on the joined list)
measure_options as (

    select distinct
        measure_id,
        role,
        {{ split_to_rows('selected_option_codes', "'|'") }} as option_code
    from measures

),

answered as (

    select
        responses.respondent_key,
        responses.role as respondent_role,
        responses.item_code,
        responses.sub_item_code,
        responses.option_code,
        interviews.financial_performance
    from responses
    inner join interviews
        on responses.respondent_key = interviews.respondent_key
    where responses.option_code is not null

),

final as (

    select
        measures.measure_id,
        measures.role,
        measures.figure_id,
        answered.respondent_key,
        answered.respondent_role,
        measure_options.option_code is not null as is_selecting
    from measures
    inner join answered
        on
            measures.item_code = answered.item_code
            and measures.sub_item_code = answered.sub_item_code
            and measures.role in (answered.respondent_role, 'ALL')
            and coalesce(
                measures.financial_performance_filter
                = answered.financial_performance,
                measures.financial_performance_filter is null
            )
    left join measure_options
        on
            measures.measure_id = measure_options.measure_id
            and measures.role = measure_options.role
            and answered.option_code = measure_options.option_code

)

select * from final
