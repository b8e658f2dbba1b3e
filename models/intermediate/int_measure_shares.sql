-- Every measure x role: counts, share with its Wilson 95% interval, its rank
-- among the measures of the same item, and the report's reference values.
-- A table: every figure mart reads it.
{{ config(materialized='table') }}

with

measures as (

    select * from {{ ref('stg_reference__measures') }}

),

measure_cells as (

    select * from {{ ref('int_measure_cells') }}

),

published_figures as (

    select * from {{ ref('stg_reference__published_figures') }}

),

counts as (

    select
        measure_id,
        role,
        sum(n_answering) as n_answering,
        sum(n_selecting) as n_selecting
    from measure_cells
    group by measure_id, role

),

shares as (

    select
        measures.measure_id,
        measures.role,
        measures.figure_id,
        measures.item_code,
        measures.sub_item_code,
        measures.label_en,
        measures.label_zh,
        measures.display_order,
        measures.is_technology_based,
        coalesce(measures.financial_performance_filter, 'all')
            as performance_segment,
        cast(coalesce(counts.n_answering, 0) as {{ dbt.type_bigint() }})
            as n_answering,
        cast(coalesce(counts.n_selecting, 0) as {{ dbt.type_bigint() }})
            as n_selecting,
        {{ proportion_columns('counts.n_selecting', 'counts.n_answering') }}
    from measures
    left join counts
        on
            measures.measure_id = counts.measure_id
            and measures.role = counts.role

),

-- a published share may be stated as exact, "more than" or "about"
reference_shares as (

    select
        measure_id,
        role,
        statistic as reference_statistic,
        reference_value,
        reference_status
    from published_figures
    where statistic in ('share_pct', 'share_pct_more_than', 'share_pct_about')

),

reference_ranks as (

    select
        measure_id,
        role,
        reference_value as reference_rank,
        reference_status as reference_rank_status
    from published_figures
    where statistic = 'rank'

),

final as (

    select
        shares.*,
        -- bigint on every engine (Spark's rank() is an int)
        cast(rank() over (
            partition by
                shares.role,
                shares.item_code,
                shares.performance_segment
            order by shares.share_pct desc
        ) as {{ dbt.type_bigint() }}) as share_rank,
        reference_shares.reference_statistic,
        reference_shares.reference_value,
        reference_shares.reference_status,
        cast(reference_ranks.reference_rank as {{ dbt.type_int() }})
            as reference_rank,
        reference_ranks.reference_rank_status
    from shares
    left join reference_shares
        on
            shares.measure_id = reference_shares.measure_id
            and shares.role = reference_shares.role
    left join reference_ranks
        on
            shares.measure_id = reference_ranks.measure_id
            and shares.role = reference_ranks.role

)

select * from final
