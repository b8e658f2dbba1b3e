"""Shared fixtures: one dbt build of the whole warehouse per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT = Path(sys.executable).with_name("dbt")


def run_dbt(args: list[str], build_db: Path, work_dir: Path, **extra_env: str):
    """Run the dbt CLI against `build_db`, keeping target/ and logs/ in `work_dir`.

    Returns the completed process; raises with dbt's output when it fails.
    """
    env = {
        **os.environ,
        "CMO_CIO_BUILD_DB": str(build_db),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        **extra_env,
    }
    command = [
        str(DBT),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=PROJECT_DIR)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{result.stdout[-20000:]}{result.stderr}")
    return result


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory) -> Path:
    """A build database made by `dbt build` from the committed seeds."""
    work_dir = tmp_path_factory.mktemp("dbt_build")
    build_db = work_dir / "build.duckdb"
    run_dbt(["build"], build_db, work_dir)
    return build_db


@pytest.fixture(scope="session")
def served_warehouse(built_warehouse, tmp_path_factory) -> Path:
    """The serving database published from `built_warehouse`, as BI tools read it.

    The Parquet export sits beside it in `parquet/` (one `<mart>.parquet` per mart).
    """
    from orchestration.publish import publish_marts

    serve_dir = tmp_path_factory.mktemp("served")
    serving_db = serve_dir / "serving.duckdb"
    publish_marts(built_warehouse, serving_db, serve_dir / "parquet")
    return serving_db
