-- For each measure, role and segment type, the segments' n_answering add up
-- to the measure's n_answering: no respondent falls between segments.
with

segments as (

    select
        role,
        measure_id,
        segment_type,
        sum(n_answering) as segment_n_answering
    from {{ ref('segment_comparison') }}
    group by role, measure_id, segment_type

),

measure_shares as (

    select * from {{ ref('int_measure_shares') }}
    where performance_segment = 'all'

)

select
    measure_shares.measure_id,
    measure_shares.role,
    segments.segment_type,
    measure_shares.n_answering,
    segments.segment_n_answering
from measure_shares
left join segments
    on
        measure_shares.measure_id = segments.measure_id
        and measure_shares.role = segments.role
where
    measure_shares.n_answering > 0
    and segments.segment_n_answering
    is distinct from measure_shares.n_answering
