{#-
    The answer columns of each raw export, in file order: the columns of its
    source marked `meta: {answer: true}` (models/staging/_raw__sources.yml).
    Staging keeps them under these names (lower case) and the codebook seed
    survey_items maps each one to an item; the singular test
    assert_answer_columns_match_the_codebook holds the three together.
-#}
{% macro survey_answer_columns(study) -%}
    {%- set columns = [] -%}
    {%- if study == 'CMO' -%}
        {%- do columns.extend(['Q2_1', 'Q2_2', 'Q3_R1', 'Q3_R2', 'Q3_R3']) -%}
        {%- do columns.extend(['Q4', 'Q5']) -%}
        {%- for i in range(1, 7) -%}{%- do columns.append('Q6_' ~ i) -%}
        {%- endfor -%}
        {%- for i in range(1, 14) -%}{%- do columns.append('Q7_' ~ i) -%}
        {%- endfor -%}
        {%- do columns.append('Q8') -%}
        {%- for i in range(1, 7) -%}{%- do columns.append('Q9_' ~ i) -%}
        {%- endfor -%}
    {%- elif study == 'CIO' -%}
        {%- do columns.extend(['B1', 'B2']) -%}
        {%- for i in range(1, 10) -%}
            {%- do columns.append('C1_%02d' % i) -%}
        {%- endfor -%}
        {%- do columns.extend(['C2', 'C3', 'D1']) -%}
        {%- for i in range(1, 13) -%}
            {%- do columns.append('D2_%02d' % i) -%}
        {%- endfor -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error('unknown study ' ~ study) }}
    {%- endif -%}
    {{ return(columns) }}
{%- endmacro %}


{#-
    Long rows (key columns, raw_column, raw_value) out of wide answer columns;
    unanswered cells stay as rows with a NULL raw_value.
-#}
{% macro unpivot_answers(relation, key_columns, answer_columns) -%}
    {{ return(adapter.dispatch('unpivot_answers', 'cmo_cio_warehouse')(
        relation, key_columns, answer_columns
    )) }}
{%- endmacro %}


{% macro default__unpivot_answers(relation, key_columns, answer_columns) -%}
    {%- for answer_column in answer_columns %}
    select
        {%- for key_column in key_columns %}
        {{ key_column }},
        {%- endfor %}
        '{{ answer_column }}' as raw_column,
        cast({{ answer_column }} as {{ dbt.type_string() }}) as raw_value
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif -%}
    {%- endfor %}
{%- endmacro %}


{% macro duckdb__unpivot_answers(relation, key_columns, answer_columns) -%}
    select
        {%- for key_column in key_columns %}
        {{ key_column }},
        {%- endfor %}
        raw_column,
        raw_value
    from (
        select
            {%- for key_column in key_columns %}
            {{ key_column }},
            {%- endfor %}
            {%- for answer_column in answer_columns %}
            cast({{ answer_column }} as {{ dbt.type_string() }}) as {{ answer_column }}
            {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ relation }}
    ) unpivot include nulls (
        raw_value for raw_column in (
            {%- for answer_column in answer_columns %}
            {{ answer_column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        )
    )
{%- endmacro %}


{#- Spark: one pass with stack(), the column names as the default writes them. -#}
{% macro spark__unpivot_answers(relation, key_columns, answer_columns) -%}
    select
        {%- for key_column in key_columns %}
        {{ key_column }},
        {%- endfor %}
        stack(
            {{ answer_columns | length }},
            {%- for answer_column in answer_columns %}
            '{{ answer_column }}', cast({{ answer_column }} as string)
            {%- if not loop.last %},{% endif %}
            {%- endfor %}
        ) as (raw_column, raw_value)
    from {{ relation }}
{%- endmacro %}


{#- Every answer column of both studies as a row (study, raw_column). -#}
{% macro answer_column_rows() -%}
    {%- set rows = [] -%}
    {%- for study in ['CMO', 'CIO'] -%}
        {%- for column in survey_answer_columns(study) -%}
            {%- do rows.append("('" ~ study ~ "', '" ~ column ~ "')") -%}
        {%- endfor -%}
    {%- endfor -%}
    select
        study,
        raw_column
    from (values {{ rows | join(', ') }}) as answer_columns (study, raw_column)
{%- endmacro %}


{#- `relation.column` for each column (lower case), comma-separated. -#}
{% macro columns_of(relation, columns) -%}
    {%- for column in columns -%}
        {{ relation }}.{{ column | lower }}{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}


{#-
    The CMO export records its top-3 ranking as the force chosen at each rank
    (these columns, codebook sub-items rank_1..rank_3); staging keeps them with
    the other answers, the long grain reshapes them to one row per force.
-#}
{% macro cmo_ranking_columns() -%}
    {{ return(['Q3_R1', 'Q3_R2', 'Q3_R3']) }}
{%- endmacro %}
