-- Underprepared CMOs per market factor, for all CMOs and, where the report
-- splits it, for financial outperformers and underperformers.
with

measure_shares as (

    select * from {{ ref('int_measure_shares') }}

),

final as (

    select
        {{ figure_columns('measure_shares') }},
        measure_shares.sub_item_code as market_factor_code,
        coalesce(measure_shares.is_technology_based, false)
            as is_technology_based,
        measure_shares.performance_segment,
        measure_shares.share_rank as rank_in_segment,
        measure_shares.display_order
    from measure_shares
    where measure_shares.figure_id = 'fig07'

)

select * from final
