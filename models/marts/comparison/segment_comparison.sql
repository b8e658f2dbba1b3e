-- Every measure of each role by region, industry, company size and
-- financial performance. A cell answered by fewer than var min_cell_n
-- respondents is suppressed: its numbers never leave the warehouse.
with

measure_respondents as (

    select * from {{ ref('int_measure_respondents') }}

),

measures as (

    select * from {{ ref('stg_reference__measures') }}

),

respondents as (

    select * from {{ ref('dim_respondent') }}

),

answer_options as (

    select * from {{ ref('stg_reference__answer_options') }}

),

performance_labels as (

    select
        option_code,
        min(label_en) as label_en,
        min(label_zh) as label_zh
    from answer_options
    where item_code = 'financial_performance'
    group by option_code

),

-- one row per respondent and segment type
respondent_segments as (

    select
        respondent_key,
        'region' as segment_type,
        region_code as segment_value,
        region_en as segment_label_en,
        region_zh as segment_label_zh
    from respondents
    union all
    select
        respondent_key,
        'industry' as segment_type,
        industry_code as segment_value,
        industry_name_en as segment_label_en,
        industry_name_zh as segment_label_zh
    from respondents
    union all
    select
        respondent_key,
        'company_size' as segment_type,
        size_band_code as segment_value,
        size_band_en as segment_label_en,
        size_band_zh as segment_label_zh
    from respondents
    union all
    select
        respondents.respondent_key,
        'financial_performance' as segment_type,
        respondents.financial_performance as segment_value,
        performance_labels.label_en as segment_label_en,
        performance_labels.label_zh as segment_label_zh
    from respondents
    left join performance_labels
        on respondents.financial_performance = performance_labels.option_code

),

-- measures restricted to a performance segment are segments already
segment_cells as (

    select
        measure_respondents.role,
        measure_respondents.measure_id,
        measure_respondents.figure_id,
        respondent_segments.segment_type,
        coalesce(respondent_segments.segment_value, 'not_stated')
            as segment_value,
        coalesce(respondent_segments.segment_label_en, 'Not stated')
            as segment_label_en,
        coalesce(respondent_segments.segment_label_zh, '未说明')
            as segment_label_zh,
        count(*) as n_answering,
        sum(
            case when measure_respondents.is_selecting then 1 else 0 end
        ) as n_selecting
    from measure_respondents
    inner join measures
        on
            measure_respondents.measure_id = measures.measure_id
            and measure_respondents.role = measures.role
    inner join respondent_segments
        on
            measure_respondents.respondent_key
            = respondent_segments.respondent_key
    where measures.financial_performance_filter is null
    group by
        measure_respondents.role,
        measure_respondents.measure_id,
        measure_respondents.figure_id,
        respondent_segments.segment_type,
        coalesce(respondent_segments.segment_value, 'not_stated'),
        coalesce(respondent_segments.segment_label_en, 'Not stated'),
        coalesce(respondent_segments.segment_label_zh, '未说明')

),

with_statistics as (

    select
        *,
        n_answering < {{ var('min_cell_n') }} as is_suppressed,
        {{ proportion_columns('n_selecting', 'n_answering') }}
    from segment_cells

),

final as (

    select
        role,
        measure_id,
        figure_id,
        segment_type,
        segment_value,
        segment_label_en,
        segment_label_zh,
        n_answering,
        case
            when not is_suppressed
                then cast(n_selecting as {{ dbt.type_bigint() }})
        end as n_selecting,
        case when not is_suppressed then share_pct end as share_pct,
        case when not is_suppressed then ci_low_pct end as ci_low_pct,
        case when not is_suppressed then ci_high_pct end as ci_high_pct,
        is_suppressed
    from with_statistics

)

select * from final
