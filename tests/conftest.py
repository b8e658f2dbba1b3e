"""Shared fixtures: one dbt build of the whole warehouse per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import run_dbt


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory) -> Path:
    """A build database made by `dbt build` from the committed synthetic exports."""
    work_dir = tmp_path_factory.mktemp("dbt_build")
    build_db = work_dir / "build.duckdb"
    run_dbt(["build"], build_db, work_dir)
    return build_db


@pytest.fixture(scope="session")
def served_warehouse(built_warehouse, tmp_path_factory) -> Path:
    """The serving database published from `built_warehouse`, as BI tools read it.

    The Parquet export sits beside it in `parquet/` (one `<mart>.parquet` per public mart),
    and the restricted microdata database in `respondent_microdata.duckdb`.
    """
    from cmo_cio.publish import publish_marts

    serve_dir = tmp_path_factory.mktemp("served")
    serving_db = serve_dir / "serving.duckdb"
    publish_marts(
        built_warehouse,
        serving_db,
        serve_dir / "parquet",
        serve_dir / "respondent_microdata.duckdb",
    )
    return serving_db


@pytest.fixture(scope="session")
def defs(tmp_path_factory):
    """The Definitions of the code location, loaded once, in the session's own environment
    (a test that changes the settings' variables must load them after this), with dbt's
    manifest parsed into a temporary target folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CMO_CIO_DBT_TARGET_DIR", str(tmp_path_factory.mktemp("dbt_target")))
        from orchestration.definitions import defs

        yield defs
