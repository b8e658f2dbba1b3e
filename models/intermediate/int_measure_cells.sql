-- Measure counts per role and respondent profile (region, industry, size
-- band, financial performance): the answer counts summed over the options
-- each measure selects. Every share of the marts (overall or by segment) is
-- a sum over these cells.
{{ config(materialized='table') }}

with

measures as (

    select * from {{ ref('stg_reference__measures') }}

),

answer_cells as (

    select * from {{ ref('int_answer_cells') }}
    where option_code is not null

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

-- each measure with the answers to its item: of its role (both roles for a
-- pooled measure), of its performance segment if it has one
measure_answers as (

    select
        measures.measure_id,
        measures.role,
        answer_cells.region_code,
        answer_cells.industry_code,
        answer_cells.size_band_code,
        answer_cells.financial_performance,
        answer_cells.respondents,
        measure_options.option_code is not null as is_selecting
    from measures
    inner join answer_cells
        on
            measures.item_code = answer_cells.item_code
            and measures.sub_item_code = answer_cells.sub_item_code
            and measures.role in (answer_cells.role, 'ALL')
            and coalesce(
                measures.financial_performance_filter
                = answer_cells.financial_performance,
                measures.financial_performance_filter is null
            )
    left join measure_options
        on
            measures.measure_id = measure_options.measure_id
            and measures.role = measure_options.role
            and answer_cells.option_code = measure_options.option_code

),

final as (

    select
        measure_id,
        role,
        region_code,
        industry_code,
        size_band_code,
        financial_performance,
        cast(sum(respondents) as {{ dbt.type_bigint() }}) as n_answering,
        cast(
            sum(case when is_selecting then respondents else 0 end)
            as {{ dbt.type_bigint() }}
        ) as n_selecting
    from measure_answers
    group by
        measure_id,
        role,
        region_code,
        industry_code,
        size_band_code,
        financial_performance

)

select * from final
