"""How BI clients reach the public serving database: read-only, by absolute path.

`python -m cmo_cio.serving` prints the connection of each kind of client for this install
(the settings of the environment), ready to paste: the DuckDB command line, SQLAlchemy URLs
for Superset and other tools built on duckdb-engine, JDBC for DBeaver and Metabase, Python,
and the Parquet copy. The refresh summary prints the same lines.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cmo_cio.publish import SERVING_STORAGE_VERSION
from cmo_cio.settings import PROJECT_DIR, WarehouseSettings


def duckdb_cli() -> Path:
    """The DuckDB command line installed with the project (PyPI package duckdb-cli)."""
    return Path(sys.executable).with_name("duckdb")


def sqlalchemy_url(serving_db: Path) -> str:
    """duckdb-engine URL: four slashes before an absolute path, opened read-only."""
    return f"duckdb:///{Path(serving_db).resolve()}?access_mode=read_only"


def jdbc_url(serving_db: Path) -> str:
    """DuckDB JDBC URL; the read-only switch is the connection property duckdb.read_only."""
    return f"jdbc:duckdb:{Path(serving_db).resolve()}"


def bi_connections(settings: WarehouseSettings) -> list[tuple[str, str]]:
    """(client, how to connect) for every kind of BI client, with absolute paths."""
    serving_db = settings.serving_db.resolve()
    return [
        ("DuckDB CLI", f"{duckdb_cli()} -readonly {serving_db}"),
        ("SQLAlchemy / Superset", sqlalchemy_url(serving_db)),
        ("JDBC (DBeaver, Metabase)", f"{jdbc_url(serving_db)} with duckdb.read_only=true"),
        ("Python", f"duckdb.connect('{serving_db}', read_only=True)"),
        # the link, not the version folder it points to now (a later publish prunes that)
        ("Parquet", f"{settings.parquet_dir}/<mart>.parquet"),
    ]


def main() -> int:
    settings = WarehouseSettings.from_env()
    print(f"Public serving database {settings.serving_db} (schema marts, storage format")
    print(f"{SERVING_STORAGE_VERSION}: DuckDB 0.10.3 or newer reads it). Connect read-only:")
    for client, connection in bi_connections(settings):
        print(f"  {client}: {connection}")
    relative = settings.serving_db.resolve().is_relative_to(PROJECT_DIR)
    if not settings.serving_db.exists():
        print(f"  (not published yet{': run make run' if relative else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
