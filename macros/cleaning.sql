{#-
    A raw cell as clean text: trimmed, the exports' missing-value codes
    (empty, -99 refused, -98 don't know, NA) as NULL, and integral numbers
    written without decimals so that '3.0' and '3' meet the same codebook code.
-#}
{% macro clean_raw_value(column_name) -%}
    {%- set as_text = "trim(cast(" ~ column_name ~ " as "
        ~ dbt.type_string() ~ "))" -%}
    {%- set as_number = dbt.safe_cast(as_text, dbt.type_float()) -%}
    case
        when {{ as_text }} in ('', 'NA', 'N/A') then null
        when {{ as_number }} in (-99, -98) then null
        when {{ as_number }} = floor({{ as_number }})
            and {{ as_text }} like '%.%'
            then cast(
                cast({{ as_number }} as {{ dbt.type_bigint() }})
                as {{ dbt.type_string() }}
            )
        else {{ as_text }}
    end
{%- endmacro %}


{#- A clean raw cell as a number, NULL where it is junk. -#}
{% macro raw_number(column_name, type='float') -%}
    {%- if type == 'int' -%}
        {{ dbt.safe_cast(
            dbt.safe_cast(clean_raw_value(column_name), dbt.type_float()),
            dbt.type_int()
        ) }}
    {%- else -%}
        {{ dbt.safe_cast(clean_raw_value(column_name), dbt.type_float()) }}
    {%- endif -%}
{%- endmacro %}


{#-
    Parse an export's timestamp text. `layout` names the export's convention:
    `day_first` (DD/MM/YYYY HH:MM) or `iso` (YYYY-MM-DDTHH:MM:SS); a value
    already written as an ISO timestamp is accepted under either layout.
-#}
{% macro parse_export_timestamp(column_name, layout) -%}
    {{ return(adapter.dispatch('parse_export_timestamp', 'cmo_cio_warehouse')(
        column_name, layout
    )) }}
{%- endmacro %}


{#- Spark: Java datetime patterns; one or two digits for day, month, hour -#}
{% macro spark__parse_export_timestamp(column_name, layout) -%}
    {%- set formats = {
        'day_first': 'd/M/yyyy H:mm',
        'iso': "yyyy-MM-dd'T'HH:mm:ss",
    } -%}
    {%- set tried = [formats[layout], 'yyyy-MM-dd HH:mm:ss', "yyyy-MM-dd'T'HH:mm"] -%}
    coalesce(
        {%- for format in tried %}
        try_to_timestamp({{ column_name }}, {{ spark_string_literal(format) }})
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    )
{%- endmacro %}


{% macro duckdb__parse_export_timestamp(column_name, layout) -%}
    {%- set formats = {
        'day_first': '%d/%m/%Y %H:%M',
        'iso': '%Y-%m-%dT%H:%M:%S',
    } -%}
    coalesce(
        try_strptime({{ column_name }}, '{{ formats[layout] }}'),
        try_strptime({{ column_name }}, '%Y-%m-%d %H:%M:%S'),
        try_strptime({{ column_name }}, '%Y-%m-%dT%H:%M')
    )
{%- endmacro %}


{#- The median of a column, as an aggregate. -#}
{% macro median(column_name) -%}
    {{ return(adapter.dispatch('median', 'cmo_cio_warehouse')(column_name)) }}
{%- endmacro %}


{% macro default__median(column_name) -%}
    percentile_cont(0.5) within group (order by {{ column_name }})
{%- endmacro %}


{% macro duckdb__median(column_name) -%}
    median({{ column_name }})
{%- endmacro %}


{#-
    The pseudonymous key of an interview: a salted hash of study and raw id.
    The salt (var `respondent_key_salt`) keeps keys from being recomputed
    from the raw ids alone.
-#}
{% macro respondent_key(study, raw_id_column) -%}
    {{ dbt.hash(dbt.concat([
        "'" ~ var('respondent_key_salt') ~ "'",
        "'|'",
        study,
        "'|'",
        "cast(" ~ raw_id_column ~ " as " ~ dbt.type_string() ~ ")",
    ])) }}
{%- endmacro %}


{#- A codebook cell as trimmed text. -#}
{% macro as_text(column_name) -%}
    trim(cast({{ column_name }} as {{ dbt.type_string() }}))
{%- endmacro %}


{#-
    The rows (measure_id, role, count_value) of a {measure_id: {role: count}}
    mapping such as var sample_counts; none when it is empty.
-#}
{% macro sample_counts_rows(sample_counts) -%}
    {%- set rows = [] -%}
    {%- for measure_id, by_role in sample_counts.items() -%}
        {%- for role, count in by_role.items() -%}
            {%- do rows.append(
                "('" ~ measure_id ~ "', '" ~ role | upper ~ "', "
                ~ (count | float) ~ ")"
            ) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if rows -%}
        select
            measure_id,
            role,
            cast(count_value as {{ dbt.type_float() }}) as count_value
        from (values {{ rows | join(', ') }})
            as sample_counts (measure_id, role, count_value)
    {%- else -%}
        select
            cast(null as {{ dbt.type_string() }}) as measure_id,
            cast(null as {{ dbt.type_string() }}) as role,
            cast(null as {{ dbt.type_float() }}) as count_value
        where 1 = 0
    {%- endif -%}
{%- endmacro %}
