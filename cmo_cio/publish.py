"""Publish step of write-audit-publish: copy the audited marts to what their readers open.

Two products leave the build database, each in a file of its own:
- the public serving database (schema `marts`: aggregates only) and its Parquet copy, which
  BI tools and the report read;
- the restricted microdata database (schema `microdata`: de-identified respondent-level
  marts), in a folder only its owner may enter (0700) and a file only its owner may read
  (0600), so access is a file-system permission rather than a promise.

`publish_marts` never writes into a served file. It writes complete new DuckDB files beside
them (the public one from the build database attached read-only; the restricted one is a copy
of the file dbt built the microdata into), flushes them to disk, and renames each over its
served file with `os.replace`. A reader therefore sees either the old file or the new one,
never a mix, and a reader that still has the old file open keeps reading it. The files are
written in DuckDB's storage format `SERVING_STORAGE_VERSION`, which BI drivers bundling an
older DuckDB can read. The Parquet copy is swapped the same way: every refresh writes a new
version folder and the Parquet path is a symbolic link that is atomically re-pointed to it.
The previous version is kept, so a reader in the middle of listing the old folder is not
pulled out from under.

If anything fails before the swaps, the served files stay byte-for-byte as they were.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import uuid
from datetime import UTC, datetime
from pathlib import Path

from cmo_cio.faults import fault_point
from cmo_cio.settings import microdata_build_path
from cmo_cio.studies import MART_SCHEMA, MICRODATA_SCHEMA

# Parquet versions kept besides the one served (for readers still using an older link target).
PARQUET_VERSIONS_KEPT = 2
# The oldest storage format that holds what the marts use (tables, column types, comments):
# DuckDB 0.10.3 and every later release read it, the DuckDB CLI and JDBC driver 1.x included.
SERVING_STORAGE_VERSION = "v1.1.0"
RESTRICTED_FOLDER_MODE = stat.S_IRWXU  # 0700
RESTRICTED_FILE_MODE = stat.S_IRUSR | stat.S_IWUSR  # 0600


class PublishError(RuntimeError):
    """The build database cannot be published (missing, or without marts)."""


def publish_marts(
    build_db: Path, serving_db: Path, parquet_dir: Path, microdata_db: Path | None = None
) -> list[str]:
    """Publish schema `marts` to `serving_db` and Parquet, and the microdata to `microdata_db`.

    Table and column comments are carried over so BI tools show the descriptions. The
    microdata come from the file dbt built them into beside the build database
    (`cmo_cio.settings.microdata_build_path`). Without `microdata_db` only the public marts
    are published. Returns the names of the published public mart tables, sorted.
    """
    build_db, serving_db, parquet_dir = Path(build_db), Path(serving_db), Path(parquet_dir)
    if not build_db.is_file():
        raise PublishError(f"build database {build_db} does not exist; run the dbt build first")
    serving_db.parent.mkdir(parents=True, exist_ok=True)
    parquet_dir.parent.mkdir(parents=True, exist_ok=True)
    if microdata_db is not None:
        _make_restricted_folder(Path(microdata_db).parent)

    remove_leftovers(serving_db, parquet_dir, microdata_db)
    token = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    staged_db = _staged(serving_db, token)
    staged_microdata = _staged(Path(microdata_db), token) if microdata_db else None
    staged_parquet = _parquet_versions_dir(parquet_dir) / token
    try:
        tables = _write_staged_copy(build_db, MART_SCHEMA, staged_db, staged_parquet)
        if staged_microdata is not None:
            _copy_microdata(microdata_build_path(build_db), staged_microdata)
        fault_point("publish_staged")
        if staged_microdata is not None:
            _durable_replace(staged_microdata, Path(microdata_db))
        fault_point("publish_half_swapped")
        _durable_replace(staged_db, serving_db)
    except BaseException as error:
        _remove_quietly(staged_db, _wal(staged_db), staged_parquet)
        if staged_microdata is not None:
            _remove_quietly(staged_microdata, _wal(staged_microdata))
        if _is_disk_full(error):
            raise PublishError(
                f"the disk holding {serving_db.parent} is full: the new version could not be "
                "written, the served one is unchanged. Free some space and refresh again."
            ) from error
        raise
    _point_parquet_link(parquet_dir, staged_parquet)
    _prune_parquet_versions(parquet_dir, keep=staged_parquet)
    return tables


def remove_leftovers(serving_db: Path, parquet_dir: Path, microdata_db: Path | None) -> None:
    """What a publish killed half-way left behind: staged files never renamed, a link never
    swapped in, and Parquet versions no link points to (the kept older ones aside)."""
    for target in (serving_db, microdata_db):
        if target is not None and Path(target).parent.is_dir():
            target = Path(target)
            for leftover in target.parent.glob(f".{target.name}.*.publishing*"):
                _remove_quietly(leftover)
    if parquet_dir.parent.is_dir():
        for link in parquet_dir.parent.glob(f".{parquet_dir.name}.*.link"):
            link.unlink()
    if parquet_dir.is_symlink() and parquet_dir.exists():
        _prune_parquet_versions(parquet_dir, keep=parquet_dir.resolve())


def served_tables(database: Path, schema: str = MART_SCHEMA) -> list[str]:
    """The tables of `schema` in a published database, sorted: what it serves (read-only
    connection)."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as connection:
        return _tables(connection, None, schema)


def served_row_counts(database: Path, schema: str = MART_SCHEMA) -> dict[str, int]:
    """Row count of every table of `schema` in a published database (read-only connection)."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as connection:
        tables = _tables(connection, None, schema)
        return {
            table: connection.execute(
                f"select count(*) from {_quote(schema)}.{_quote(table)}"
            ).fetchone()[0]
            for table in tables
        }


# -- the staged copies ----------------------------------------------------------------------


def _staged(target: Path, token: str) -> Path:
    return target.with_name(f".{target.name}.{token}.publishing")


def _wal(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def _write_staged_copy(
    build_db: Path, schema: str, staged_db: Path, staged_parquet: Path | None = None
) -> list[str]:
    """Copy every table of `schema` into a new file `staged_db` (and to Parquet)."""
    import duckdb

    if staged_parquet is not None:
        staged_parquet.mkdir(parents=True)
    connection = duckdb.connect()
    try:
        connection.execute(
            f"attach {_literal(str(staged_db))} as published "
            f"(storage_version '{SERVING_STORAGE_VERSION}')"
        )
        connection.execute(f"attach {_literal(str(build_db))} as build (read_only)")
        tables = _tables(connection, "build", schema)
        if not tables:
            raise PublishError(f"build database {build_db} has no tables in schema {schema}")
        connection.execute(f"create schema published.{_quote(schema)}")
        for table in tables:
            _copy_table(connection, schema, table)
            if staged_parquet is not None:
                target = staged_parquet / f"{table}.parquet"
                connection.execute(
                    f"copy published.{_quote(schema)}.{_quote(table)} "
                    f"to {_literal(str(target))} (format parquet)"
                )
        connection.execute("detach build")
        connection.execute("checkpoint published")
        connection.execute("detach published")
    finally:
        connection.close()
    _fsync(staged_db)
    _fsync(staged_db.parent)
    if staged_parquet is not None:
        for written in staged_parquet.iterdir():
            _fsync(written)
        _fsync(staged_parquet)
    return tables


def _tables(connection, database: str | None, schema: str) -> list[str]:
    database_filter = "database_name = ?" if database else "database_name = current_database()"
    parameters = [schema, database] if database else [schema]
    rows = connection.execute(
        "select table_name from duckdb_tables() "
        f"where schema_name = ? and {database_filter} order by table_name",
        parameters,
    ).fetchall()
    return [row[0] for row in rows]


def _copy_table(connection, schema: str, table: str) -> None:
    source = f"build.{_quote(schema)}.{_quote(table)}"
    target = f"published.{_quote(schema)}.{_quote(table)}"
    connection.execute(f"create table {target} as select * from {source}")

    table_comment = connection.execute(
        "select comment from duckdb_tables() "
        "where database_name = 'build' and schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()[0]
    if table_comment:
        connection.execute(f"comment on table {target} is {_literal(table_comment)}")

    column_comments = connection.execute(
        "select column_name, comment from duckdb_columns() "
        "where database_name = 'build' and schema_name = ? and table_name = ? "
        "and comment is not null and comment <> '' order by column_index",
        [schema, table],
    ).fetchall()
    for column, comment in column_comments:
        connection.execute(f"comment on column {target}.{_quote(column)} is {_literal(comment)}")


def _copy_microdata(microdata_build: Path, staged: Path) -> None:
    """The microdata build file, copied owner-only (it is in the published storage format)."""
    import duckdb

    if not microdata_build.is_file():
        raise PublishError(f"microdata build {microdata_build} does not exist; run dbt build")
    if _wal(microdata_build).exists():
        raise PublishError(f"{microdata_build} has unwritten changes ({_wal(microdata_build)})")
    with duckdb.connect(str(microdata_build), read_only=True) as connection:
        tables = _tables(connection, None, MICRODATA_SCHEMA)
    if not tables:
        raise PublishError(f"{microdata_build} has no tables in schema {MICRODATA_SCHEMA}")
    descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, RESTRICTED_FILE_MODE)
    with os.fdopen(descriptor, "wb") as target, microdata_build.open("rb") as source:
        shutil.copyfileobj(source, target, length=16 * 2**20)
        target.flush()
        os.fsync(target.fileno())
    os.chmod(staged, RESTRICTED_FILE_MODE)


# -- files on disk --------------------------------------------------------------------------


def _make_restricted_folder(folder: Path) -> None:
    """The folder of the restricted microdata: created, or narrowed, to owner-only access."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, RESTRICTED_FOLDER_MODE)


def _fsync(path: Path) -> None:
    """Flush a written file to disk, so a crash cannot leave a renamed but torn file."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _durable_replace(staged: Path, target: Path) -> None:
    """Rename `staged` over `target`, then flush the folder so the rename itself lasts."""
    os.replace(staged, target)
    _fsync(target.parent)


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
    _fsync(parquet_dir.parent)


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


def _is_disk_full(error: BaseException) -> bool:
    """A write failed for want of space (an OSError, or DuckDB's own error saying so)."""
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    return "No space left on device" in str(error)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
