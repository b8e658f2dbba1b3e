"""The Spark engine's build, as the DuckDB build database that publish reads.

On Spark, dbt writes each table as a folder of Parquet files under the engine's tables
folder: `<spark_dir>/tables/<schema>.db/<table>/part-*.parquet` (views have no files; every
table a reader is served is a table). `import_spark_build` copies the public marts into a
DuckDB file laid out as the DuckDB build database (schema `marts`) and the microdata into the
file beside it (`cmo_cio.settings.microdata_build_path`, in the served storage format), with
the table and column descriptions of the dbt manifest, which Parquet does not carry. Publish
then treats it as any build: BI users see the same files, whichever engine built them.
No JVM is started: DuckDB reads the Parquet files directly.
"""

from __future__ import annotations

import json
from pathlib import Path

from cmo_cio.settings import microdata_build_path
from cmo_cio.studies import MART_SCHEMA, MICRODATA_SCHEMA

# as the microdata build file of the DuckDB profile (profiles.yml): published by a copy
MICRODATA_STORAGE_VERSION = "v1.1.0"


class SparkBuildError(RuntimeError):
    """The Spark build is missing a table publish needs."""


def spark_table_files(tables_dir: Path, schema: str) -> dict[str, str]:
    """Each table of `schema` that Spark wrote, with the glob of its Parquet files."""
    schema_dir = Path(tables_dir) / f"{schema}.db"
    if not schema_dir.is_dir():
        return {}
    return {
        table_dir.name: str(table_dir / "*.parquet")
        for table_dir in sorted(schema_dir.iterdir())
        if table_dir.is_dir() and any(table_dir.glob("*.parquet"))
    }


def import_spark_build(tables_dir: Path, build_db: Path, manifest_path: Path) -> dict:
    """Copy the Spark build's marts to `build_db` and its microdata to the file beside it.

    Only the tables the dbt manifest declares in those schemas are copied, each in the
    column order of its model; a declared table Spark did not write is an error. Returns the
    copied table names by schema."""
    import duckdb

    models = _models_by_schema(json.loads(Path(manifest_path).read_text(encoding="utf-8")))
    build_db = Path(build_db)
    build_db.parent.mkdir(parents=True, exist_ok=True)
    targets = {
        MART_SCHEMA: (build_db, None),
        MICRODATA_SCHEMA: (microdata_build_path(build_db), MICRODATA_STORAGE_VERSION),
    }
    copied = {}
    for schema, (database, storage_version) in targets.items():
        files = spark_table_files(tables_dir, schema)
        missing = sorted(set(models.get(schema, {})) - set(files))
        if missing:
            raise SparkBuildError(
                f"the Spark build has no table {', '.join(f'{schema}.{t}' for t in missing)} "
                f"under {tables_dir}; run the dbt build on Spark first"
            )
        for leftover in (database, database.with_name(database.name + ".wal")):
            leftover.unlink(missing_ok=True)
        options = f" (storage_version '{storage_version}')" if storage_version else ""
        with duckdb.connect() as connection:
            connection.execute(f"attach {_literal(str(database))} as build{options}")
            connection.execute(f"create schema build.{_quote(schema)}")
            for table, model in sorted(models.get(schema, {}).items()):
                _copy_table(connection, schema, table, files[table], model)
            connection.execute("detach build")
        copied[schema] = sorted(models.get(schema, {}))
    return copied


def _models_by_schema(manifest: dict) -> dict[str, dict[str, dict]]:
    """The table models of the served schemas, by schema and name."""
    models: dict[str, dict[str, dict]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["schema"] not in (
            MART_SCHEMA,
            MICRODATA_SCHEMA,
        ):
            continue
        if node["config"].get("materialized") != "table":
            continue
        models.setdefault(node["schema"], {})[node["alias"] or node["name"]] = node
    return models


def _copy_table(connection, schema: str, table: str, files: str, model: dict) -> None:
    target = f"build.{_quote(schema)}.{_quote(table)}"
    declared = list(model.get("columns", {}))
    source = f"read_parquet({_literal(files)})"
    present = [row[0] for row in connection.execute(f"describe select * from {source}").fetchall()]
    order = declared if declared and set(declared) == set(present) else present
    columns = ", ".join(_quote(column) for column in order)
    connection.execute(f"create table {target} as select {columns} from {source}")
    if model.get("description"):
        connection.execute(f"comment on table {target} is {_literal(model['description'])}")
    for column, spec in model.get("columns", {}).items():
        if spec.get("description") and column in present:
            connection.execute(
                f"comment on column {target}.{_quote(column)} is {_literal(spec['description'])}"
            )


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
