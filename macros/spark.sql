{#-
    dbt-spark as this project needs it: its defaults that lose data or fail
    on the warehouse's inputs, replaced. Picked up through the `dispatch`
    search order in dbt_project.yml, like the DuckDB ones beside them.
-#}

{#- A Spark SQL string literal of any text: backslash and quote escaped. -#}
{% macro spark_string_literal(text) -%}
    '{{ (text | string) | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}


{#-
    A database is a DuckDB file; Spark has schemas only. The microdata marts
    that DuckDB builds in a file of their own (database microdata_build) are
    a schema of their own on Spark.
-#}
{% macro spark__generate_database_name(custom_database_name, node) -%}
    {{ return(none) }}
{%- endmacro %}


{#- Spark's `float` is single precision: shares and p-values need double. -#}
{% macro spark__type_float() -%}
    double
{%- endmacro %}


{#- dbt-spark forces ANSI mode off; a failed cast is NULL either way. -#}
{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}


{#-
    Seeds: dbt-spark binds every cell as quoted text, so an empty cell
    becomes the text 'None' and a value with a quote breaks the statement.
    The codebook has both; this writes each value as a literal of its type.
-#}
{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is boolean -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        {{ spark_string_literal(value) }}
    {%- endif -%}
{%- endmacro %}


{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for column_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(
            column_name, adapter.convert_type(agate_table, loop.index0)
        )) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
            (
                {%- for value in row -%}
                cast({{ spark_seed_literal(value) }} as {{ types[loop.index0] }})
                {%- if not loop.last %}, {% endif -%}
                {%- endfor -%}
            ){{ ',' if not loop.last }}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}


{#-
    Column comments (persist_docs) on Parquet tables: dbt-spark writes them
    for Delta, Hudi and Iceberg only, though Spark takes them on any table.
    The Hive metastore holds 256 characters of a column comment: a longer one
    is cut there (the served DuckDB file takes them whole from the manifest).
-#}
{% macro spark__alter_column_comment(relation, column_dict) %}
    {%- if relation.type != 'view' -%}
        {%- for column_name in column_dict -%}
            {%- set comment = column_dict[column_name]['description'] -%}
            {%- if comment | length > 256 -%}
                {%- set comment = comment[:253] ~ '...' -%}
            {%- endif -%}
            {%- if comment -%}
                {%- call statement('alter_column_comment_' ~ loop.index) -%}
                    alter table {{ relation }} change column
                        {{ adapter.quote(column_name)
                            if column_dict[column_name]['quote']
                            else column_name }}
                        comment {{ spark_string_literal(comment) }}
                {%- endcall -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
