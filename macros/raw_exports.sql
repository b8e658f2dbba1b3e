{#-
    The relation a staging model reads a raw export from: the committed seed by
    default, or a real export file when the dbt var `<study>_export_path` is set.
    Callers keep a `-- depends_on: {{ ref(seed) }}` line so lineage stays intact.
-#}
{% macro raw_export_relation(seed_name, path_var) -%}
    {%- set export_path = var(path_var, '') -%}
    {%- if export_path | trim == '' -%}
        {{ ref(seed_name) }}
    {%- else -%}
        {{ read_export_as_text(export_path | trim) }}
    {%- endif -%}
{%- endmacro %}


{#- Read a CSV or Parquet export with every column as text. -#}
{% macro read_export_as_text(export_path) -%}
    {{ return(adapter.dispatch('read_export_as_text', 'cmo_cio_warehouse')(
        export_path
    )) }}
{%- endmacro %}


{% macro default__read_export_as_text(export_path) -%}
    {{ exceptions.raise_compiler_error(
        'Reading an export file (' ~ export_path ~ ') is implemented for '
        ~ 'DuckDB only; add ' ~ adapter.type() ~ '__read_export_as_text, '
        ~ 'or load the export as a table and leave the path var empty.'
    ) }}
{%- endmacro %}


{% macro duckdb__read_export_as_text(export_path) -%}
    {%- if export_path.endswith('.parquet') -%}
        (
            select columns(*)::varchar
            from read_parquet('{{ export_path }}')
        )
    {%- else -%}
        read_csv(
            '{{ export_path }}',
            header = true,
            all_varchar = true
        )
    {%- endif -%}
{%- endmacro %}
