{#-
    dbt-duckdb inherits a plain cast as dbt.safe_cast; raw exports carry junk
    in test records, so on DuckDB a failed cast must give NULL, not an error.
    Picked up through the `dispatch` search order in dbt_project.yml.
-#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}


{#-
    dbt.type_float() is single precision on DuckDB; shares, intervals and
    p-values need double precision.
-#}
{% macro duckdb__type_float() -%}
    double
{%- endmacro %}
