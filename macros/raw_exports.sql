{#-
    The raw exports are dbt sources (models/staging/_raw__sources.yml) read in
    place: at the start of every run (on-run-start) each source becomes a view
    over the export file its dbt var names (`meta.export_var`; a CSV or Parquet
    path), with exactly the source's declared columns, all as text. A column
    the export lacks fails here, naming the source; extra columns are ignored.
    Returns the statements; the hook runs and commits them.
-#}
{% macro create_raw_export_relations() -%}
    {%- if execute -%}
        {%- for node in graph.sources.values()
            if node.source_name == 'raw' and node.meta.get('export_var') -%}
            {%- set relation = api.Relation.create(
                database=node.database,
                schema=node.schema,
                identifier=node.identifier,
            ) -%}
            {%- set path = var(node.meta.export_var) | trim -%}
            {{ create_raw_export_relation(
                relation, path, node.columns.keys() | list
            ) }};
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#- The statements that make `relation` read the export at `path`. -#}
{% macro create_raw_export_relation(relation, path, column_names) -%}
    {{ return(adapter.dispatch(
        'create_raw_export_relation', 'cmo_cio_warehouse'
    )(relation, path, column_names)) }}
{%- endmacro %}


{% macro default__create_raw_export_relation(relation, path, column_names) -%}
    {{ exceptions.raise_compiler_error(
        'Reading raw exports is not implemented for ' ~ adapter.type()
        ~ '; add ' ~ adapter.type() ~ '__create_raw_export_relation.'
    ) }}
{%- endmacro %}


{% macro duckdb__create_raw_export_relation(relation, path, column_names) -%}
    {%- set literal = "'" ~ path | replace("'", "''") ~ "'" -%}
    {%- if path.lower().endswith('.parquet') -%}
        {%- set reader = 'read_parquet(' ~ literal ~ ')' -%}
    {%- else -%}
        {%- set reader = 'read_csv(' ~ literal
            ~ ', header = true, all_varchar = true)' -%}
    {%- endif -%}
    create schema if not exists {{ relation.include(identifier=false) }};
    create or replace view {{ relation }} as
    select
        {%- for column in column_names %}
        cast({{ adapter.quote(column) }} as varchar)
            as {{ adapter.quote(column) }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ reader }}
{%- endmacro %}
