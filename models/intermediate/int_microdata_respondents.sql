-- Qualified respondents as the restricted microdata shows them: the
-- respondent number of the build (no key of the exports), the interview
-- month and a length band instead of timestamps and durations, and the
-- quasi-identifiers generalized until every combination is shared by at
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
-- every quasi-identifier, in the order a class key spells them
{%- set quasi_identifiers = [
    'role',
    'region_code',
    'country_code',
    'industry_code',
    'size_band_code',
    'financial_performance',
    'interview_month',
    'interview_length_band',
] %}

with

interviews as (

    select * from {{ ref('int_interviews_screened') }}

),

-- the quasi-identifiers the microdata keeps, none NULL: a size band the
-- respondent did not give is 'not_stated', unlike a suppressed one
profiles as (

    select
        respondent_id,
        role,
        region_code,
        country_code,
        industry_code,
        coalesce(size_band_code, 'not_stated') as size_band_code,
        financial_performance,
        cast(
            {{ dbt.date_trunc('month', 'interview_date') }} as date
        ) as interview_month,
        case
            when interview_minutes < 20 then 'under 20 minutes'
            when interview_minutes < 40 then '20 to 39 minutes'
            when interview_minutes < 60 then '40 to 59 minutes'
            else '60 minutes or more'
        end as interview_length_band
    from interviews
    where is_qualified

),

-- one row per combination: generalizing works on these, not on respondents
combinations as (

    select
        {%- for column in quasi_identifiers %}
            {{ column }},
        {%- endfor %}
        count(*) as respondents
    from profiles
    group by {{ quasi_identifiers | join(', ') }}

),

{{ k_anonymous_combinations(
    'combinations',
    kept=['role'],
    suppressible=suppressible,
    k=var('microdata_k'),
) }},

-- each published combination as one text key (NULL, a generalized value,
-- spelled out), and its size
published_combinations as (

    select
        *,
        concat_ws(
            '|',
            {%- for column in quasi_identifiers %}
                coalesce(cast({{ column }} as {{ dbt.type_string() }}), '-')
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
        ) as class_key,
        (
            {%- for column in suppressible %}
                {{ 'and' if not loop.first }} {{ column }} is null
            {%- endfor %}
        ) as is_fully_generalized
    from k_anonymous

),

published_classes as (

    select
        role,
        class_key,
        is_fully_generalized,
        sum(respondents) as class_size
    from published_combinations
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

donor_classes as (

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

-- each respondent with the combination published for it
published as (

    select
        profiles.respondent_id,
        {%- for column in quasi_identifiers %}
            published_combinations.{{ column }},
        {%- endfor %}
        published_combinations.class_key,
        nullif(trim(published_combinations.generalized_attributes), '')
            as generalized_attributes
    from profiles
    inner join published_combinations
        on
            {%- for column in quasi_identifiers %}
                {{ 'and' if not loop.first }} profiles.{{ column }}
                = published_combinations.original_{{ column }}
            {%- endfor %}

),

-- the respondents of a donor class, in order of their number: few rows
donors as (

    select
        published.respondent_id,
        row_number() over (
            partition by published.role order by published.respondent_id
        ) as donor_number,
        donor_classes.shortfall
    from published
    inner join donor_classes
        on
            published.class_key = donor_classes.class_key
            and donor_classes.size_rank = 1

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
