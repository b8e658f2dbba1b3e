with

measure_shares as (

    select * from {{ ref('int_measure_shares') }}

),

final as (

    select
        {{ figure_columns('measure_shares') }},
        measure_shares.display_order
    from measure_shares
    where measure_shares.figure_id = 'fig04'

)

select * from final
