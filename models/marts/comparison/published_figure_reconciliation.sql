-- Every number of published_figures beside the value the warehouse computes
-- from the raw interviews, and whether it is reproduced, judged by the
-- statistic's own semantics.
with

published_figures as (

    select * from {{ ref('stg_reference__published_figures') }}

),

measure_shares as (

    select * from {{ ref('int_measure_shares') }}

),

interviews as (

    select * from {{ ref('int_interviews_screened') }}

),

-- fig01: the sample, per role and pooled (the rollup row is both studies)
sample_by_role as (

    select
        coalesce(role, 'ALL') as role,
        sum(case when is_interviewed then 1 else 0 end)
            as respondents_interviewed,
        sum(case when is_qualified then 1 else 0 end) as qualified_completes,
        count(distinct case when is_qualified then country_code end)
            as countries,
        count(distinct case when is_qualified then industry_code end)
            as industries
    from interviews
    group by rollup(role)

),

sample_values as (

    select
        'respondents_interviewed' as measure_id,
        role,
        respondents_interviewed as computed_value
    from sample_by_role
    union all
    select
        'qualified_completes' as measure_id,
        role,
        qualified_completes as computed_value
    from sample_by_role
    union all
    select
        'countries' as measure_id,
        role,
        countries as computed_value
    from sample_by_role
    union all
    select
        'industries' as measure_id,
        role,
        industries as computed_value
    from sample_by_role

),

-- fig07 flags: a factor counts as a technology-based top-three factor when
-- the codebook marks it technology-based and it ranks in the top three
technology_flags as (

    select
        {{ dbt.concat(["'technology_based_factor_'", 'sub_item_code']) }}
            as measure_id,
        role,
        case
            when coalesce(is_technology_based, false) and share_rank <= 3
                then 1
            else 0
        end as computed_value
    from measure_shares
    where figure_id = 'fig07' and performance_segment = 'all'

),

computed as (

    select
        published_figures.*,
        case
            when published_figures.statistic in (
                'share_pct', 'share_pct_more_than', 'share_pct_about'
            ) then measure_shares.share_pct
            when published_figures.statistic = 'rank'
                then measure_shares.share_rank
            when published_figures.statistic = 'flag'
                then technology_flags.computed_value
            when published_figures.statistic in ('count', 'count_at_least')
                then sample_values.computed_value
        end as computed_value
    from published_figures
    left join measure_shares
        on
            published_figures.measure_id = measure_shares.measure_id
            and published_figures.role = measure_shares.role
    left join technology_flags
        on
            published_figures.measure_id = technology_flags.measure_id
            and published_figures.role = technology_flags.role
    left join sample_values
        on
            published_figures.measure_id = sample_values.measure_id
            and published_figures.role = sample_values.role

),

final as (

    select
        figure_id,
        measure_id,
        role,
        statistic,
        reference_value,
        reference_status as status,
        source,
        note,
        cast(computed_value as {{ dbt.type_float() }}) as computed_value,
        round(computed_value - reference_value, 4) as difference,
        coalesce(
            case statistic
                when 'share_pct'
                    then round(computed_value, 0) = reference_value
                when 'rank' then computed_value = reference_value
                when 'count' then computed_value = reference_value
                -- "1,700多" / "超过4,900": at least the value, short of
                -- the next hundred
                when 'count_at_least'
                    then
                        computed_value >= reference_value
                        and computed_value < reference_value + 100
                when 'share_pct_more_than'
                    then computed_value > reference_value
                when 'share_pct_about'
                    then abs(computed_value - reference_value) <= 1
                when 'flag' then computed_value = reference_value
            end,
            false
        ) as is_reproduced
    from computed

)

select * from final
