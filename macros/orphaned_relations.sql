{#-
    Drop what an earlier version of the project built in its schemas and no model,
    seed or snapshot builds any more (a renamed model, one moved to another schema).
    Publish serves every table of schema marts, so a leftover there would be served.
    Schemas that hold sources are left alone: their relations are not the
    project's to drop. Only `dbt run` and `dbt build` drop (a test or a freshness
    check changes nothing), and by default only on DuckDB, whose build database is
    the project's own file: on a shared Spark cluster, set the var
    drop_orphaned_relations to true only if the project's schemas are its own.
-#}
{% macro drop_orphaned_relations() -%}
    {%- set wanted = var("drop_orphaned_relations", target.type == "duckdb") -%}
    {%- if not execute or not wanted or flags.WHICH not in ["run", "build"] -%}
        {{ return("") }}
    {%- endif -%}
    {%- set source_schemas = [] -%}
    {%- for source in graph.sources.values() -%}
        {%- do source_schemas.append(
            (source.database ~ "." ~ source.schema) | lower
        ) -%}
    {%- endfor -%}
    {%- set built = {} -%}
    {%- for node in graph.nodes.values()
        if node.resource_type in ["model", "seed", "snapshot"]
        and node.config.materialized != "ephemeral" -%}
        {%- set key = (node.database ~ "." ~ node.schema) | lower -%}
        {%- do built.setdefault(key, {
            "database": node.database, "schema": node.schema, "names": []
        }) -%}
        {%- do built[key]["names"].append((node.alias or node.name) | lower) -%}
    {%- endfor -%}
    {%- for key, schema in built.items() if key not in source_schemas -%}
        {%- for relation in relations_in_schema(
            schema["database"], schema["schema"]
        ) -%}
            {%- if relation.identifier | lower not in schema["names"] -%}
                {{ log(
                    "Dropping " ~ relation ~ ": no model of this project builds it",
                    info=true
                ) }}
                {%- do adapter.drop_relation(relation) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endmacro %}


{#- The tables and views of one schema, as relations dbt can drop. -#}
{% macro relations_in_schema(database, schema) -%}
    {{ return(adapter.dispatch("relations_in_schema", "cmo_cio_warehouse")(
        database, schema
    )) }}
{%- endmacro %}


{% macro default__relations_in_schema(database, schema) -%}
    {%- set listing -%}
        select
            table_name,
            case when table_type = 'VIEW' then 'view' else 'table' end
        from information_schema.tables
        where
            lower(table_catalog) = lower('{{ database }}')
            and lower(table_schema) = lower('{{ schema }}')
    {%- endset -%}
    {%- set relations = [] -%}
    {%- for row in run_query(listing).rows -%}
        {%- do relations.append(api.Relation.create(
            database=database, schema=schema, identifier=row[0], type=row[1]
        )) -%}
    {%- endfor -%}
    {{ return(relations) }}
{%- endmacro %}


{% macro spark__relations_in_schema(database, schema) -%}
    {%- if not adapter.check_schema_exists(database, schema) -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set views = run_query("show views in " ~ schema).columns[1].values() -%}
    {%- set relations = [] -%}
    {%- for row in run_query("show tables in " ~ schema).rows
        if not row[2] -%}
        {%- do relations.append(api.Relation.create(
            schema=schema,
            identifier=row[1],
            type="view" if row[1] in views else "table"
        )) -%}
    {%- endfor -%}
    {{ return(relations) }}
{%- endmacro %}
