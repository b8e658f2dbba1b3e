{#-
    One row per element of a delimited text list, as a select-list expression:
    `select id, {{ split_to_rows('codes', "'|'") }} as code from t` gives a
    row per code of each row of t. Engines differ in how a string becomes
    rows, so the expression is dispatched.
-#}
{% macro split_to_rows(list_expression, separator) -%}
    {{ return(adapter.dispatch('split_to_rows', 'cmo_cio_warehouse')(
        list_expression, separator
    )) }}
{%- endmacro %}


{% macro default__split_to_rows(list_expression, separator) -%}
    unnest(string_to_array({{ list_expression }}, {{ separator }}))
{%- endmacro %}


{% macro duckdb__split_to_rows(list_expression, separator) -%}
    unnest(string_split({{ list_expression }}, {{ separator }}))
{%- endmacro %}


{#- Spark splits on a regular expression: the separator is quoted (\Q..\E). -#}
{% macro spark__split_to_rows(list_expression, separator) -%}
    explode(split(
        {{ list_expression }}, concat('\\Q', {{ separator }}, '\\E')
    ))
{%- endmacro %}
