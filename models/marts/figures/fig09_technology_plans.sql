-- CMO plans for each technology beside the CIO visionary plan the crosswalk
-- pairs it with; a pair shares comparison_id and display_order.
with

measure_shares as (

    select * from {{ ref('int_measure_shares') }}

),

crosswalk as (

    select * from {{ ref('stg_reference__cmo_cio_crosswalk') }}

),

technology_pairs as (

    select
        crosswalk.comparison_id,
        crosswalk.cmo_measure_id,
        crosswalk.cio_measure_id,
        cmo_shares.display_order
    from crosswalk
    inner join measure_shares as cmo_shares
        on
            crosswalk.cmo_measure_id = cmo_shares.measure_id
            and cmo_shares.role = 'CMO'
    where crosswalk.crosswalk_type = 'technology_plan'

),

cmo_rows as (

    select
        {{ figure_columns('measure_shares', 'fig09') }},
        technology_pairs.comparison_id,
        technology_pairs.display_order
    from technology_pairs
    inner join measure_shares
        on
            technology_pairs.cmo_measure_id = measure_shares.measure_id
            and measure_shares.role = 'CMO'

),

cio_rows as (

    select
        {{ figure_columns('measure_shares', 'fig09') }},
        technology_pairs.comparison_id,
        technology_pairs.display_order
    from technology_pairs
    inner join measure_shares
        on
            technology_pairs.cio_measure_id = measure_shares.measure_id
            and measure_shares.role = 'CIO'

),

final as (

    select * from cmo_rows
    union all
    select * from cio_rows

)

select * from final
