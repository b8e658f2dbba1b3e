"""Run-time locations of the warehouse, each overridable by an environment variable.

Relative values are taken from the project directory, so a run behaves the same from any
working directory. Values are read on every call: tests and runs can point them elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
WAREHOUSE_DIR = PROJECT_DIR / "warehouse"


def _path_from_env(variable: str, default: Path) -> Path:
    value = os.environ.get(variable, "").strip()
    if not value:
        return default
    path = Path(value).expanduser()
    return path if path.is_absolute() else PROJECT_DIR / path


def build_db() -> Path:
    """The database dbt builds into; never read by BI tools."""
    return _path_from_env("CMO_CIO_BUILD_DB", WAREHOUSE_DIR / "build.duckdb")


def serving_db() -> Path:
    """The database BI tools read; only ever replaced as a whole."""
    return _path_from_env("CMO_CIO_SERVING_DB", WAREHOUSE_DIR / "serving.duckdb")


def parquet_dir() -> Path:
    """Parquet copy of every mart, one file per mart."""
    return _path_from_env("CMO_CIO_PARQUET_DIR", WAREHOUSE_DIR / "parquet")


def gx_docs_dir() -> Path:
    """Great Expectations Data Docs of the latest run (index.html)."""
    return _path_from_env("CMO_CIO_GX_DOCS_DIR", WAREHOUSE_DIR / "gx_docs")


def report_dir() -> Path:
    """The HTML report built from the serving database (index.html)."""
    return _path_from_env("CMO_CIO_REPORT_DIR", WAREHOUSE_DIR / "report")


def landing_dir() -> Path:
    """Where raw exports land; the newest settled one per study is a refresh's input."""
    return _path_from_env("CMO_CIO_LANDING_DIR", WAREHOUSE_DIR / "landing")


def dbt_target_dir() -> Path:
    """dbt artifacts (manifest.json and one folder per refresh)."""
    return _path_from_env("CMO_CIO_DBT_TARGET_DIR", PROJECT_DIR / "target")


def refresh_lock_file() -> Path:
    """Held while a refresh builds and publishes, beside the build database."""
    return build_db().with_name(build_db().name + ".refresh.lock")
