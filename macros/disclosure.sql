{#-
    k-anonymity by local suppression, computed on combinations rather than on
    respondents, so its cost follows the number of distinct profiles.

    `combinations_cte` has one row per combination of the quasi-identifiers
    (`kept` and `suppressible` columns, none NULL) and its number of
    respondents in `respondents`. Emits CTEs (after a trailing comma) ending in
    `k_anonymous`: per combination, its `original_<column>` values and the
    published ones, where each suppressible column in turn, in the given order,
    becomes NULL for the combinations still shared by fewer than `k`
    respondents; `generalized_attributes` names the columns set to NULL. Once
    every suppressible column is gone only the kept ones remain, so every
    published combination is shared by at least k respondents as long as each
    value of the kept columns is.
-#}
{% macro k_anonymous_combinations(combinations_cte, kept, suppressible, k) -%}
{%- set columns = kept + suppressible -%}
suppression_step_0 as (

    select
        {%- for column in columns %}
        {{ column }} as original_{{ column }},
        {%- endfor %}
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        respondents,
        cast('' as {{ dbt.type_string() }}) as generalized_attributes
    from {{ combinations_cte }}

),
{%- for suppressed in suppressible %}

suppression_sized_{{ loop.index }} as (

    select
        *,
        sum(respondents) over (
            partition by {{ columns | join(', ') }}
        ) as class_size
    from suppression_step_{{ loop.index0 }}

),

suppression_step_{{ loop.index }} as (

    select
        {%- for column in columns %}
        original_{{ column }},
        {%- endfor %}
        {%- for column in columns %}
        {%- if column == suppressed %}
        case
            when class_size >= {{ k }} then {{ column }}
        end as {{ column }},
        {%- else %}
        {{ column }},
        {%- endif %}
        {%- endfor %}
        respondents,
        case
            when class_size < {{ k }}
                then concat_ws(' ', generalized_attributes, '{{ suppressed }}')
            else generalized_attributes
        end as generalized_attributes
    from suppression_sized_{{ loop.index }}

),
{%- endfor %}

k_anonymous as (

    select * from suppression_step_{{ suppressible | length }}

)
{%- endmacro %}


{#- A random number per row: the order of rows it gives cannot be recomputed. -#}
{% macro random_number() -%}
    {{ return(adapter.dispatch('random_number', 'cmo_cio_warehouse')()) }}
{%- endmacro %}


{% macro default__random_number() -%}
    random()
{%- endmacro %}


{% macro spark__random_number() -%}
    rand()
{%- endmacro %}


{#-
    The respondent number of a build: a 63-bit hash of the pseudonymous key
    and the dbt invocation id, so it joins cheaply, differs with every build
    and cannot be recomputed from an export.
-#}
{% macro respondent_number(respondent_key) -%}
    {{ return(adapter.dispatch('respondent_number', 'cmo_cio_warehouse')(
        respondent_key
    )) }}
{%- endmacro %}


{% macro default__respondent_number(respondent_key) -%}
    cast(hash({{ respondent_key }} || '{{ invocation_id }}') >> 1 as bigint)
{%- endmacro %}


{% macro spark__respondent_number(respondent_key) -%}
    xxhash64(concat({{ respondent_key }}, '{{ invocation_id }}'))
{%- endmacro %}
