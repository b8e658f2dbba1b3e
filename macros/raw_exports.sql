{#-
    The raw exports are dbt sources (models/staging/_raw__sources.yml) read in
    place: at the start of every run (on-run-start) each source becomes a view
    over the export file its dbt var names (`meta.export_var`; a CSV or Parquet
    path), with exactly the source's declared columns, all as text. A column
    the export lacks fails here, naming the source; extra columns are ignored.
    Returns the statements; the hook runs and commits them.
-#}
{% macro create_raw_export_relations() -%}
    {%- set statements = [] -%}
    {%- if execute -%}
        {%- for node in graph.sources.values()
            if node.source_name == 'raw' and node.meta.get('export_var') -%}
            {%- set relation = api.Relation.create(
                database=node.database,
                schema=node.schema,
                identifier=node.identifier,
            ) -%}
            {%- set path = var(node.meta.export_var) | trim -%}
            {%- do statements.extend(raw_export_relation_statements(
                relation, path, node.columns.keys() | list
            )) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(adapter.dispatch('hook_sql', 'cmo_cio_warehouse')(statements)) }}
{%- endmacro %}


{#- The statements that make `relation` read the export at `path`. -#}
{% macro raw_export_relation_statements(relation, path, column_names) -%}
    {{ return(adapter.dispatch(
        'raw_export_relation_statements', 'cmo_cio_warehouse'
    )(relation, path, column_names)) }}
{%- endmacro %}


{#- A hook's statements as the SQL the hook runs: DuckDB takes them all. -#}
{% macro default__hook_sql(statements) -%}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}


{#- Spark runs one statement per call: run them here, leave the hook one. -#}
{% macro spark__hook_sql(statements) -%}
    {%- for statement in statements -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{ return('select 1') }}
{%- endmacro %}


{% macro default__raw_export_relation_statements(
    relation, path, column_names
) -%}
    {{ exceptions.raise_compiler_error(
        'Reading raw exports is not implemented for ' ~ adapter.type()
        ~ '; add ' ~ adapter.type() ~ '__raw_export_relation_statements.'
    ) }}
{%- endmacro %}


{% macro duckdb__raw_export_relation_statements(
    relation, path, column_names
) -%}
    {%- set literal = "'" ~ path | replace("'", "''") ~ "'" -%}
    {%- if path.lower().endswith('.parquet') -%}
        {%- set reader = 'read_parquet(' ~ literal ~ ')' -%}
    {%- else -%}
        {%- set reader = 'read_csv(' ~ literal
            ~ ', header = true, all_varchar = true)' -%}
    {%- endif -%}
    {%- set view -%}
    create or replace view {{ relation }} as
    {{ raw_export_columns_as_text(column_names, reader) }}
    {%- endset -%}
    {{ return([
        'create schema if not exists ' ~ relation.include(identifier=false),
        view,
    ]) }}
{%- endmacro %}


{#-
    On Spark the export is an external table (dropping it leaves the file),
    under the view that has the source's name and columns.
-#}
{% macro spark__raw_export_relation_statements(
    relation, path, column_names
) -%}
    {%- set file_table = relation.incorporate(
        path={'identifier': relation.identifier ~ '__file'}
    ) -%}
    {%- if path.lower().endswith('.parquet') -%}
        {%- set options = {} -%}
        {%- set file_format = 'parquet' -%}
    {%- else -%}
        {#- RFC 4180: a quote inside a quoted field is doubled -#}
        {%- set options = {'header': 'true', 'escape': '"', 'multiLine': 'true'} -%}
        {%- set file_format = 'csv' -%}
    {%- endif -%}
    {#- a relative path would be taken from the schema's folder: make it the
        project's, as DuckDB reads it -#}
    {%- if not path.startswith('/') and '://' not in path -%}
        {%- set path = invocation_args_dict.project_dir ~ '/' ~ path -%}
    {%- endif -%}
    {%- do options.update({'path': path}) -%}
    {%- set table -%}
    create table {{ file_table }}
    using {{ file_format }}
    options (
        {%- for name, value in options.items() %}
        `{{ name }}` {{ spark_string_literal(value) }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    )
    {%- endset -%}
    {%- set view -%}
    create or replace view {{ relation }} as
    {{ raw_export_columns_as_text(column_names, file_table) }}
    {%- endset -%}
    {{ return([
        'create schema if not exists ' ~ relation.include(identifier=false),
        'drop table if exists ' ~ file_table,
        table,
        view,
    ]) }}
{%- endmacro %}


{#- Exactly the declared columns of an export, every one as text. -#}
{% macro raw_export_columns_as_text(column_names, reader) -%}
    select
        {%- for column in column_names %}
        cast({{ adapter.quote(column) }} as {{ dbt.type_string() }})
            as {{ adapter.quote(column) }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ reader }}
{%- endmacro %}
