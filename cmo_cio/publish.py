"""Publish step of write-audit-publish: copy the audited marts to what BI tools read.

`publish_marts` never writes into the served database. It writes a complete new DuckDB file
next to it (the build database attached read-only), closes it and renames it over the
served one with `os.replace`. A reader therefore sees either the old file or the new one,
never a mix, and a reader that still has the old file open keeps reading it.

The Parquet copy is swapped the same way: every refresh writes a new version folder and the
Parquet path is a symbolic link that is atomically re-pointed to it. The previous version is
kept, so a reader in the middle of listing the old folder is not pulled out from under.

If anything fails before the swap, the served files stay byte-for-byte as they were.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

from cmo_cio.studies import MART_SCHEMA

# Parquet versions kept besides the one served (for readers still using an older link target).
PARQUET_VERSIONS_KEPT = 2


class PublishError(RuntimeError):
    """The build database cannot be published (missing, or without marts)."""


def publish_marts(build_db: Path, serving_db: Path, parquet_dir: Path) -> list[str]:
    """Copy every table of schema `marts` from `build_db` to `serving_db` and to Parquet.

    Table and column comments are carried over so BI tools show the descriptions.
    Returns the names of the published mart tables, sorted.
    """
    build_db, serving_db, parquet_dir = Path(build_db), Path(serving_db), Path(parquet_dir)
    if not build_db.is_file():
        raise PublishError(f"build database {build_db} does not exist; run the dbt build first")
    serving_db.parent.mkdir(parents=True, exist_ok=True)
    parquet_dir.parent.mkdir(parents=True, exist_ok=True)

    token = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    staged_db = serving_db.with_name(f".{serving_db.name}.{token}.publishing")
    staged_parquet = _parquet_versions_dir(parquet_dir) / token
    try:
        tables = _write_staged_copy(build_db, staged_db, staged_parquet)
        os.replace(staged_db, serving_db)
    except BaseException:
        _remove_quietly(staged_db, staged_db.with_name(staged_db.name + ".wal"), staged_parquet)
        raise
    _point_parquet_link(parquet_dir, staged_parquet)
    _prune_parquet_versions(parquet_dir, keep=staged_parquet)
    return tables


def served_row_counts(serving_db: Path) -> dict[str, int]:
    """Row count of every mart in the served database (read-only connection)."""
    import duckdb

    with duckdb.connect(str(serving_db), read_only=True) as connection:
        tables = _mart_tables(connection, database=None)
        return {
            table: connection.execute(
                f"select count(*) from {MART_SCHEMA}.{_quote(table)}"
            ).fetchone()[0]
            for table in tables
        }


# -- the staged copy ------------------------------------------------------------------------


def _write_staged_copy(build_db: Path, staged_db: Path, staged_parquet: Path) -> list[str]:
    import duckdb

    staged_parquet.mkdir(parents=True)
    connection = duckdb.connect(str(staged_db))
    try:
        connection.execute(f"attach {_literal(str(build_db))} as build (read_only)")
        tables = _mart_tables(connection, database="build")
        if not tables:
            raise PublishError(f"build database {build_db} has no tables in schema {MART_SCHEMA}")
        connection.execute(f"create schema {MART_SCHEMA}")
        for table in tables:
            _copy_table(connection, table)
            target = staged_parquet / f"{table}.parquet"
            connection.execute(
                f"copy {MART_SCHEMA}.{_quote(table)} to {_literal(str(target))} (format parquet)"
            )
        connection.execute("detach build")
        connection.execute("checkpoint")
    finally:
        connection.close()
    return tables


def _mart_tables(connection, database: str | None) -> list[str]:
    database_filter = "database_name = ?" if database else "database_name = current_database()"
    parameters = [MART_SCHEMA, database] if database else [MART_SCHEMA]
    rows = connection.execute(
        "select table_name from duckdb_tables() "
        f"where schema_name = ? and {database_filter} order by table_name",
        parameters,
    ).fetchall()
    return [row[0] for row in rows]


def _copy_table(connection, table: str) -> None:
    source = f"build.{MART_SCHEMA}.{_quote(table)}"
    target = f"{MART_SCHEMA}.{_quote(table)}"
    connection.execute(f"create table {target} as select * from {source}")

    table_comment = connection.execute(
        "select comment from duckdb_tables() "
        "where database_name = 'build' and schema_name = ? and table_name = ?",
        [MART_SCHEMA, table],
    ).fetchone()[0]
    if table_comment:
        connection.execute(f"comment on table {target} is {_literal(table_comment)}")

    column_comments = connection.execute(
        "select column_name, comment from duckdb_columns() "
        "where database_name = 'build' and schema_name = ? and table_name = ? "
        "and comment is not null and comment <> '' order by column_index",
        [MART_SCHEMA, table],
    ).fetchall()
    for column, comment in column_comments:
        connection.execute(f"comment on column {target}.{_quote(column)} is {_literal(comment)}")


# -- the Parquet link -----------------------------------------------------------------------


def _parquet_versions_dir(parquet_dir: Path) -> Path:
    return parquet_dir.with_name(f".{parquet_dir.name}-versions")


def _point_parquet_link(parquet_dir: Path, version_dir: Path) -> None:
    """Atomically make `parquet_dir` a symbolic link to `version_dir`."""
    if parquet_dir.exists() and not parquet_dir.is_symlink():
        # A plain folder from before versioning: keep it as an old version, then link.
        parquet_dir.rename(
            _parquet_versions_dir(parquet_dir) / f"00000000-plain-{uuid.uuid4().hex[:8]}"
        )
    new_link = parquet_dir.with_name(f".{parquet_dir.name}.{uuid.uuid4().hex[:8]}.link")
    new_link.symlink_to(os.path.relpath(version_dir, parquet_dir.parent), target_is_directory=True)
    os.replace(new_link, parquet_dir)


def _prune_parquet_versions(parquet_dir: Path, keep: Path) -> None:
    versions = sorted(p for p in _parquet_versions_dir(parquet_dir).iterdir() if p.is_dir())
    older = [p for p in versions if p != keep]
    for stale in older[: max(len(older) - (PARQUET_VERSIONS_KEPT - 1), 0)]:
        shutil.rmtree(stale, ignore_errors=True)


# -- helpers --------------------------------------------------------------------------------


def _remove_quietly(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink()


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
