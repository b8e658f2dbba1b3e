-- Every measure of each role by region, industry, company size and
-- financial performance. A cell answered by fewer than var min_cell_n
-- respondents is suppressed: its numbers never leave the warehouse. Where
-- that leaves a single hidden cell in a segment type, the measure's total
-- minus the shown cells would give it back, so the next-smallest cell is
-- suppressed too (complementary suppression). A pooled (ALL) cell is hidden
-- wherever its CMO or CIO cell is, since ALL minus one role gives the other.
with

measure_cells as (

    select * from {{ ref('int_measure_cells') }}

),

measures as (

    select * from {{ ref('stg_reference__measures') }}

),

labels as (

    select * from {{ ref('int_profile_labels') }}

),

-- measures restricted to a performance segment are segments already
segmented_measures as (

    select
        measure_cells.*,
        measures.figure_id
    from measure_cells
    inner join measures
        on
            measure_cells.measure_id = measures.measure_id
            and measure_cells.role = measures.role
    where measures.financial_performance_filter is null

),

-- the profile cells rolled up to one segment type at a time
segment_cells as (

    select
        role,
        measure_id,
        figure_id,
        'region' as segment_type,
        region_code as segment_value,
        sum(n_answering) as n_answering,
        sum(n_selecting) as n_selecting
    from segmented_measures
    group by role, measure_id, figure_id, region_code
    union all
    select
        role,
        measure_id,
        figure_id,
        'industry' as segment_type,
        industry_code as segment_value,
        sum(n_answering) as n_answering,
        sum(n_selecting) as n_selecting
    from segmented_measures
    group by role, measure_id, figure_id, industry_code
    union all
    select
        role,
        measure_id,
        figure_id,
        'company_size' as segment_type,
        size_band_code as segment_value,
        sum(n_answering) as n_answering,
        sum(n_selecting) as n_selecting
    from segmented_measures
    group by role, measure_id, figure_id, size_band_code
    union all
    select
        role,
        measure_id,
        figure_id,
        'financial_performance' as segment_type,
        financial_performance as segment_value,
        sum(n_answering) as n_answering,
        sum(n_selecting) as n_selecting
    from segmented_measures
    group by role, measure_id, figure_id, financial_performance

),

stated_cells as (

    select
        segment_cells.role,
        segment_cells.measure_id,
        segment_cells.figure_id,
        segment_cells.segment_type,
        coalesce(segment_cells.segment_value, 'not_stated') as segment_value,
        segment_cells.n_answering,
        segment_cells.n_selecting
    from segment_cells

),

with_labels as (

    select
        stated_cells.*,
        labels.label_en as segment_label_en,
        labels.label_zh as segment_label_zh
    from stated_cells
    left join labels
        on
            stated_cells.segment_type = labels.profile_attribute
            and stated_cells.segment_value = labels.profile_code

),

-- a small cell is hidden for its own sake
small_cells as (

    select
        *,
        n_answering < {{ var('min_cell_n') }} as is_small_cell
    from with_labels

),

-- per role, measure and segment type: how many cells are small, and the
-- order of the other cells by size (ties broken by segment_value)
ranked_cells as (

    select
        *,
        sum(case when is_small_cell then 1 else 0 end) over (
            partition by role, measure_id, segment_type
        ) as small_cells_in_group,
        row_number() over (
            partition by role, measure_id, segment_type, is_small_cell
            order by n_answering asc, segment_value asc
        ) as size_order_within_kind
    from small_cells

),

-- a lone small cell takes the smallest of the other cells with it, so no
-- hidden count is the total minus the shown ones
suppression as (

    select
        *,
        case
            when is_small_cell then 'small_cell'
            when small_cells_in_group = 1 and size_order_within_kind = 1
                then 'complementary'
        end as suppression_reason
    from ranked_cells

),

-- the cells hidden in the CMO or CIO rows of a measure
role_suppressed_cells as (

    select distinct
        measure_id,
        segment_type,
        segment_value
    from suppression
    where role in ('CMO', 'CIO') and suppression_reason is not null

),

-- a pooled (ALL) cell is the CMO cell plus the CIO cell: shown beside a
-- hidden one, it would give that one back by subtraction, so it is hidden
-- too (complementary unless it is small itself)
pooled_suppression as (

    select
        suppression.*,
        coalesce(
            suppression.suppression_reason,
            case
                when
                    suppression.role = 'ALL'
                    and role_suppressed_cells.measure_id is not null
                    then 'complementary'
            end
        ) as cell_suppression_reason
    from suppression
    left join role_suppressed_cells
        on
            suppression.measure_id = role_suppressed_cells.measure_id
            and suppression.segment_type = role_suppressed_cells.segment_type
            and suppression.segment_value = role_suppressed_cells.segment_value

),

with_statistics as (

    select
        *,
        cell_suppression_reason is not null as is_suppressed,
        {{ proportion_columns('n_selecting', 'n_answering') }}
    from pooled_suppression

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
        cast(n_answering as {{ dbt.type_bigint() }}) as n_answering,
        case
            when not is_suppressed
                then cast(n_selecting as {{ dbt.type_bigint() }})
        end as n_selecting,
        case when not is_suppressed then share_pct end as share_pct,
        case when not is_suppressed then ci_low_pct end as ci_low_pct,
        case when not is_suppressed then ci_high_pct end as ci_high_pct,
        is_suppressed,
        cell_suppression_reason as suppression_reason,
        cast({{ var('min_cell_n') }} as {{ dbt.type_int() }}) as min_cell_n
    from with_statistics

)

select * from final
