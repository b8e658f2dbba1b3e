"""Shared fixtures: one dbt build of the whole warehouse per test session."""

from __future__ import annotations

import os
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


# -- headless Chromium (Debian's `chromium`, driven by playwright) ---------------------------
# `make test` installs it first when it can (scripts/ensure_chromium.sh). Where it is
# missing, browser tests are skipped with the reason, except in CI, where they must run.
CHROMIUM = Path(os.environ.get("CMO_CIO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = (
        f"chromium not found at {CHROMIUM}; install it as root with "
        "`bash scripts/ensure_chromium.sh` (make test runs it)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: the browser tests must run in CI")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One headless Chromium for every browser test of the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()
