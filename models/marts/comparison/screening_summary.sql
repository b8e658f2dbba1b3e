-- Raw interviews = qualified + excluded, by study and every outcome of the
-- codebook. The raw counts are read from the exports themselves, not from
-- staging.
with

cmo_raw as (

    select * from {{ source('raw', 'cmo_study_2011_export') }}

),

cio_raw as (

    select * from {{ source('raw', 'cio_study_2011_export') }}

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

    select * from {{ ref('stg_reference__screening_outcomes') }}

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
        outcomes.label_en as outcome_label_en,
        outcomes.label_zh as outcome_label_zh,
        outcomes.outcome_order,
        outcomes.screening_outcome != 'qualified' as is_excluded,
        outcomes.is_interviewed,
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
