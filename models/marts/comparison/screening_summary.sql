-- depends_on: {{ ref('cmo_study_2011_export') }}
-- depends_on: {{ ref('cio_study_2011_export') }}
-- Raw interviews = qualified + excluded, by study and outcome. The raw
-- counts are read from the exports themselves, not from staging.
with

cmo_raw as (

    select *
    from {{ raw_export_relation(
        'cmo_study_2011_export', 'cmo_export_path'
    ) }}

),

cio_raw as (

    select *
    from {{ raw_export_relation(
        'cio_study_2011_export', 'cio_export_path'
    ) }}

),

interviews as (

    select * from {{ ref('int_interviews_screened') }}

),

raw_counts as (

    select
        'CMO' as study,
        count(*) as raw_interview_count
    from cmo_raw
    union all
    select
        'CIO' as study,
        count(*) as raw_interview_count
    from cio_raw

),

outcomes as (

    select
        'qualified' as screening_outcome,
        1 as outcome_order
    union all
    select
        'test_record' as screening_outcome,
        2 as outcome_order
    union all
    select
        'duplicate' as screening_outcome,
        3 as outcome_order
    union all
    select
        'partial' as screening_outcome,
        4 as outcome_order
    union all
    select
        'speeder' as screening_outcome,
        5 as outcome_order

),

outcome_counts as (

    select
        role as study,
        screening_outcome,
        count(*) as interview_count
    from interviews
    group by role, screening_outcome

),

-- every outcome of every study, zero where none
final as (

    select
        raw_counts.study,
        outcomes.screening_outcome,
        outcomes.outcome_order,
        outcomes.screening_outcome != 'qualified' as is_excluded,
        coalesce(outcome_counts.interview_count, 0) as interview_count,
        raw_counts.raw_interview_count
    from raw_counts
    cross join outcomes
    left join outcome_counts
        on
            raw_counts.study = outcome_counts.study
            and outcomes.screening_outcome = outcome_counts.screening_outcome

)

select * from final
