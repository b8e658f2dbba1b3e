-- The top-3 ranking of external forces: each role's forces in the order of
-- their share, beside the order the report gives.
with

measure_shares as (

    select * from {{ ref('int_measure_shares') }}

),

final as (

    select
        {{ figure_columns('measure_shares') }},
        measure_shares.share_rank as rank,
        measure_shares.reference_rank,
        measure_shares.reference_rank_status,
        measure_shares.display_order
    from measure_shares
    where measure_shares.figure_id = 'fig03'

)

select * from final
