{#-
    The shared tail of both staging models: from a CTE with is_test_record
    and is_partial, add is_duplicate and is_speeder as docs/design.md defines
    them, then select everything. Emits CTEs, so it follows a trailing comma.
-#}
{% macro screening_flags(flagged_cte) -%}
-- a later interview (by start time) of a panel id seen before, among
-- non-test interviews
ordered_by_panel as (

    select
        *,
        case
            when not is_test_record and panel_id is not null
                then row_number() over (
                    partition by is_test_record, panel_id
                    order by started_at, raw_interview_id
                )
        end as panel_interview_number
    from {{ flagged_cte }}

),

with_duplicates as (

    select
        *,
        coalesce(panel_interview_number > 1, false) as is_duplicate
    from ordered_by_panel

),

-- speeders are measured against the median of real, complete interviews
median_duration as (

    select
        {{ median('interview_minutes') }} as median_interview_minutes
    from with_duplicates
    where not is_test_record and not is_duplicate and not is_partial

),

final as (

    select
        with_duplicates.*,
        median_duration.median_interview_minutes,
        coalesce(
            with_duplicates.interview_minutes
            < {{ var('speeder_median_ratio') }}
            * median_duration.median_interview_minutes,
            false
        ) as is_speeder
    from with_duplicates
    cross join median_duration

)

select * from final
{%- endmacro %}
