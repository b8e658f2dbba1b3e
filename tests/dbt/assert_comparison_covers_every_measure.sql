-- cmo_cio_comparison holds every CMO and CIO measure of the codebook, in a
-- pair or on its own. Returns the measures it misses.
with

measures as (

    select * from {{ ref('stg_reference__measures') }}
    where role in ('CMO', 'CIO')

),

compared as (

    select
        cmo_measure_id as measure_id,
        'CMO' as role
    from {{ ref('cmo_cio_comparison') }}
    where cmo_measure_id is not null
    union all
    select
        cio_measure_id as measure_id,
        'CIO' as role
    from {{ ref('cmo_cio_comparison') }}
    where cio_measure_id is not null

)

select
    measures.measure_id,
    measures.role
from measures
left join compared
    on
        measures.measure_id = compared.measure_id
        and measures.role = compared.role
where compared.measure_id is null
