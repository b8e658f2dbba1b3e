-- Qualified respondents as the restricted microdata shows them: a number
-- drawn at random for each build instead of any key of the exports, the
-- interview month and a length band instead of timestamps and durations, and
-- the quasi-identifiers generalized until every combination is shared by at
-- least var microdata_k respondents (docs/microdata.md). A table: both
-- microdata marts read it.
{{ config(materialized='table') }}

-- generalized in this order: the most identifying attribute first, country
-- before its region
{%- set suppressible = [
    'country_code',
    'interview_month',
    'interview_length_band',
    'industry_code',
    'size_band_code',
    'region_code',
    'financial_performance',
] %}

with

interviews as (

    select * from {{ ref('int_interviews_screened') }}

),

countries as (

    select * from {{ ref('stg_reference__countries') }}

),

-- the quasi-identifiers the microdata keeps, none NULL: a size band the
-- respondent did not give is 'not_stated', unlike a suppressed one
profiles as (

    select
        interviews.respondent_key,
        {{ random_number() }} as random_draw,
        interviews.role,
        countries.region_code,
        interviews.country_code,
        interviews.industry_code,
        coalesce(interviews.size_band_code, 'not_stated') as size_band_code,
        interviews.financial_performance,
        cast(
            {{ dbt.date_trunc('month', 'interviews.interview_date') }} as date
        ) as interview_month,
        case
            when interviews.interview_minutes < 20 then 'under 20 minutes'
            when interviews.interview_minutes < 40 then '20 to 39 minutes'
            when interviews.interview_minutes < 60 then '40 to 59 minutes'
            else '60 minutes or more'
        end as interview_length_band
    from interviews
    left join countries
        on interviews.country_code = countries.country_code
    where interviews.is_qualified

),

-- a number per respondent in an order drawn at random
numbered as (

    select
        *,
        row_number() over (order by random_draw) as respondent_id
    from profiles

),

combinations as (

    select
        role,
        region_code,
        country_code,
        industry_code,
        size_band_code,
        financial_performance,
        interview_month,
        interview_length_band,
        count(*) as respondents
    from numbered
    group by
        role,
        region_code,
        country_code,
        industry_code,
        size_band_code,
        financial_performance,
        interview_month,
        interview_length_band

),

{{ k_anonymous_combinations(
    'combinations',
    kept=['role'],
    suppressible=suppressible,
    k=var('microdata_k'),
) }},

-- each respondent with the combination published for it, and that
-- combination as one text key (NULL, a generalized value, spelled out)
published as (

    select
        numbered.respondent_id,
        numbered.respondent_key,
        k_anonymous.role,
        k_anonymous.region_code,
        k_anonymous.country_code,
        k_anonymous.industry_code,
        k_anonymous.size_band_code,
        k_anonymous.financial_performance,
        k_anonymous.interview_month,
        k_anonymous.interview_length_band,
        nullif(trim(k_anonymous.generalized_attributes), '')
            as generalized_attributes,
        concat_ws(
            '|',
            k_anonymous.role,
            coalesce(k_anonymous.region_code, '-'),
            coalesce(k_anonymous.country_code, '-'),
            coalesce(k_anonymous.industry_code, '-'),
            coalesce(k_anonymous.size_band_code, '-'),
            coalesce(k_anonymous.financial_performance, '-'),
            coalesce(
                cast(k_anonymous.interview_month as {{ dbt.type_string() }}),
                '-'
            ),
            coalesce(k_anonymous.interview_length_band, '-')
        ) as class_key,
        (
            k_anonymous.region_code is null
            and k_anonymous.country_code is null
            and k_anonymous.industry_code is null
            and k_anonymous.size_band_code is null
            and k_anonymous.financial_performance is null
            and k_anonymous.interview_month is null
            and k_anonymous.interview_length_band is null
        ) as is_fully_generalized
    from numbered
    inner join k_anonymous
        on
            numbered.role = k_anonymous.original_role
            and numbered.region_code = k_anonymous.original_region_code
            and numbered.country_code = k_anonymous.original_country_code
            and numbered.industry_code = k_anonymous.original_industry_code
            and numbered.size_band_code = k_anonymous.original_size_band_code
            and numbered.financial_performance
            = k_anonymous.original_financial_performance
            and numbered.interview_month = k_anonymous.original_interview_month
            and numbered.interview_length_band
            = k_anonymous.original_interview_length_band

),

published_classes as (

    select
        role,
        class_key,
        is_fully_generalized,
        count(*) as class_size
    from published
    group by role, class_key, is_fully_generalized

),

-- Generalizing leaves at most one class per role short of k: the
-- respondents with every attribute generalized. Respondents of the role's
-- largest class, which stays at k or more, join it until it holds k.
shortfalls as (

    select
        role,
        {{ var('microdata_k') }} - class_size as shortfall
    from published_classes
    where is_fully_generalized and class_size < {{ var('microdata_k') }}

),

largest_classes as (

    select
        published_classes.role,
        published_classes.class_key,
        shortfalls.shortfall,
        row_number() over (
            partition by published_classes.role
            order by
                published_classes.class_size desc,
                published_classes.class_key asc
        ) as size_rank
    from published_classes
    inner join shortfalls
        on published_classes.role = shortfalls.role
    where not published_classes.is_fully_generalized

),

donors as (

    select
        published.respondent_id,
        row_number() over (
            partition by published.role order by published.respondent_id
        ) as donor_number,
        largest_classes.shortfall
    from published
    inner join largest_classes
        on
            published.class_key = largest_classes.class_key
            and largest_classes.size_rank = 1

),

with_donors as (

    select
        published.*,
        donors.respondent_id is not null as is_donor
    from published
    left join donors
        on
            published.respondent_id = donors.respondent_id
            and donors.donor_number <= donors.shortfall

),

final as (

    select
        respondent_id,
        respondent_key,
        role,
        case when not is_donor then region_code end as region_code,
        case when not is_donor then country_code end as country_code,
        case when not is_donor then industry_code end as industry_code,
        case when not is_donor then size_band_code end as size_band_code,
        case
            when not is_donor then financial_performance
        end as financial_performance,
        case when not is_donor then interview_month end as interview_month,
        case
            when not is_donor then interview_length_band
        end as interview_length_band,
        case
            when not is_donor then generalized_attributes
            else '{{ suppressible | join(" ") }}'
        end as generalized_attributes
    from with_donors

)

select * from final
