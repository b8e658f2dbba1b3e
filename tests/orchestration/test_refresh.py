"""The refresh job end to end on temporary folders: build, audit, publish, report.

Each full refresh costs a dbt build and the GX suites, so the runs are shared: one good run
(while a reader holds the served database open) and one run from a corrupted landed export.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from cmo_cio.settings import WarehouseSettings, environment_under
from cmo_cio.studies import STUDY_BY_KEY
from tests.support import copy_build, digest, folder_digest

pytestmark = pytest.mark.slow

UNKNOWN_COUNTRY = "Atlantis"
RAW_TABLES = ("cmo_study_2011_export", "cio_study_2011_export")


def run_config_of_this_module(run_config: dict | None = None) -> dict:
    """A run config with the settings of this module's folders (as the headless command)."""
    from orchestration.resources import run_config_resources

    return {**(run_config or {}), "resources": run_config_resources(WarehouseSettings.from_env())}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """All run-time paths of the warehouse in one temporary folder (for this module)."""
    root = tmp_path_factory.mktemp("warehouse")
    with pytest.MonkeyPatch.context() as patch:
        for variable, path in environment_under(root).items():
            patch.setenv(variable, path)
        (root / "landing").mkdir()
        yield root


READER = textwrap.dedent(
    """
    import sys, duckdb
    connection = duckdb.connect(sys.argv[1], read_only=True)
    query = "select count(*) from marts.segment_comparison"
    print(connection.execute(query).fetchone()[0], flush=True)
    sys.stdin.readline()
    print(connection.execute(query).fetchone()[0], flush=True)
    connection.close()
    """
)


@pytest.fixture(scope="module")
def good_run(warehouse, built_warehouse):
    """`python -m orchestration` while another process reads the served database.

    The served database of a previous refresh is made from the session's dbt build, so the
    reader has something to hold open during this module's one good refresh.
    """
    from cmo_cio.publish import publish_marts
    from orchestration.__main__ import main

    serving_db = warehouse / "serving.duckdb"
    publish_marts(built_warehouse, serving_db, warehouse / "parquet")
    served_inode = serving_db.stat().st_ino
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(serving_db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    output = io.StringIO()
    try:
        rows_before = int(reader.stdout.readline())
        with contextlib.redirect_stdout(output):
            exit_code = main([])
        reader.stdin.write("again\n")
        reader.stdin.flush()
        rows_again = int(reader.stdout.readline())
        reader_status = reader.wait(timeout=60)
    finally:
        reader.kill()
    return {
        "exit_code": exit_code,
        "summary": output.getvalue(),
        "reader": (rows_before, rows_again, reader_status, reader.stderr.read()),
        "served_inode_before": served_inode,
    }


def mart_names() -> list[str]:
    from orchestration.assets.dbt import dbt_asset_keys

    return sorted(key.path[-1] for key in dbt_asset_keys("marts"))


def test_refresh_publishes_every_mart_with_parquet_docs_and_report(warehouse, good_run):
    assert good_run["exit_code"] == 0, good_run["summary"]

    marts = mart_names()
    assert len(marts) >= 10
    with duckdb.connect(str(warehouse / "serving.duckdb"), read_only=True) as connection:
        served = connection.execute(
            "select table_name, estimated_size from duckdb_tables() where schema_name = 'marts'"
        ).fetchall()
        commented = connection.execute(
            "select count(*) from duckdb_tables() where comment is not null"
        ).fetchone()[0]
    assert sorted(name for name, _ in served) == marts
    assert commented > 0  # descriptions reach BI tools
    assert sorted(path.name for path in (warehouse / "parquet").iterdir()) == [
        f"{mart}.parquet" for mart in marts
    ]
    assert (warehouse / "gx_docs" / "index.html").is_file()
    assert (warehouse / "report" / "index.html").is_file()
    # The respondent-level marts go to the restricted file only, owner-only.
    microdata = warehouse / "restricted" / "respondent_microdata.duckdb"
    assert stat.S_IMODE(microdata.stat().st_mode) == 0o600
    assert stat.S_IMODE(microdata.parent.stat().st_mode) == 0o700
    with duckdb.connect(str(microdata), read_only=True) as connection:
        restricted = connection.execute(
            "select schema_name, table_name from duckdb_tables() order by all"
        ).fetchall()
    assert restricted == [
        ("microdata", "dim_respondent"),
        ("microdata", "fct_survey_response"),
    ]


def test_summary_lists_what_was_built_checked_and_published(warehouse, good_run):
    from expectations.runner import load_suites

    summary = good_run["summary"]
    # Nothing has landed: both studies are built from their synthetic exports, as it says.
    assert "CMO: committed synthetic export data/synthetic/cmo_study_2011_export.csv" in summary
    assert "CIO: committed synthetic export data/synthetic/cio_study_2011_export.csv" in summary
    assert "models" in summary and "seeds" in summary
    assert "dbt tests:" in summary and " 0 failed" in summary
    # passing suites are counted, not listed: the summary fits on one screen
    assert f"Great Expectations suites: {len(load_suites())} passed, 0 failed" in summary
    assert "passed gx_" not in summary
    assert str(warehouse / "serving.duckdb") in summary
    assert re.search(r"marts \(rows\):.* segment_comparison \d", summary, re.DOTALL)
    assert re.search(r"microdata \(rows\): dim_respondent \d", summary)
    assert str(warehouse / "report" / "index.html") in summary
    assert "Refresh succeeded." in summary


def corrupt_export(
    folder: Path, study_key: str = "cmo", column: str = "Country", value: str = UNKNOWN_COUNTRY
) -> Path:
    """A copy of a study's export whose first real interview has `value` in `column`
    (by default: a CMO country not in the codebook)."""
    study = STUDY_BY_KEY[study_key]
    with study.synthetic_export.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    first_real = (
        rows[0]
        if study_key == "cio"
        else next(row for row in rows if row["Status"] == "IP Address")
    )
    first_real[column] = value
    target = folder / f"{study_key}_export_corrupted.csv"
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)
    # Written a while ago: the landing sensor only takes exports that have settled.
    written = time.time() - 600
    os.utime(target, (written, written))
    return target


def test_a_corrupted_landed_export_is_stopped_before_the_build_and_keeps_the_served_version(
    warehouse, good_run
):
    """The landing sensor turns a new export into a refresh; a country outside the codebook
    in a real interview breaks the input contract, so the refresh stops before dbt, names
    the file, the rule and the line, and nothing served changes."""
    from dagster import build_sensor_context, instance_for_test

    from orchestration.definitions import defs
    from orchestration.resources import WarehouseResource
    from orchestration.summary import summarize
    from orchestration.triggers import landing_export_sensor

    served_before = digest(warehouse / "serving.duckdb")
    parquet_before = folder_digest(warehouse / "parquet")
    export = corrupt_export(warehouse / "landing")

    resources = {"warehouse": WarehouseResource.from_env()}
    with (
        instance_for_test() as instance,
        build_sensor_context(instance=instance, resources=resources) as context,
    ):
        sensor_result = landing_export_sensor(context)
    (request,) = sensor_result.run_requests
    job = defs.resolve_job_def("refresh_warehouse")
    result = job.execute_in_process(
        run_config=run_config_of_this_module(request.run_config), raise_on_error=False
    )

    assert not result.success
    assert request.run_config["ops"]["raw_exports"]["config"] == {
        "exports": {"cmo": str(export.absolute())}
    }
    summary, failures = summarize(result)
    first_line = summary.splitlines()[0]
    assert first_line.startswith(f"REFRESH FAILED: CMO export {export.name}: 1 of ")
    assert "Country is not a code the codebook knows" in first_line
    assert f"values '{UNKNOWN_COUNTRY}'" in first_line
    assert f"CMO: landed export {export.absolute()}" in summary
    assert "nothing: the served databases and Parquet are unchanged" in summary
    materialized = {
        event.asset_key.to_user_string() for event in result.get_asset_materialization_events()
    }
    assert not materialized & {"publish", "marts/segment_comparison"}
    assert digest(warehouse / "serving.duckdb") == served_before
    assert folder_digest(warehouse / "parquet") == parquet_before
    export.unlink()


def test_the_headless_refresh_is_recorded_where_the_ui_looks(warehouse, good_run):
    """`python -m orchestration` records its run, materializations and check results in
    DAGSTER_HOME, the instance `make ui` opens: the UI's history shows the refresh."""
    from dagster import AssetKey, DagsterEventType, DagsterInstance, DagsterRunStatus

    assert good_run["exit_code"] == 0
    with DagsterInstance.from_config(str(warehouse / "dagster_home")) as instance:
        (run,) = instance.get_runs()
        assert run.job_name == "refresh_warehouse"
        assert run.status == DagsterRunStatus.SUCCESS
        checks = instance.get_records_for_run(
            run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
        ).records
        names = {
            record.event_log_entry.dagster_event.event_specific_data.check_name for record in checks
        }
        assert any(name.startswith("gx_") for name in names)
        assert any(not name.startswith("gx_") for name in names)  # dbt tests too
        publish = instance.get_latest_materialization_event(AssetKey("publish"))
        assert publish is not None and publish.run_id == run.run_id


def test_the_refresh_prints_a_short_summary_and_logs_everything_to_a_file(warehouse, good_run):
    summary = good_run["summary"]
    assert summary.splitlines()[0].startswith("Refresh succeeded: ")
    # progress and summary together fit on one screen (50 lines) when everything passes
    assert len(summary.splitlines()) <= 50, summary
    assert "Running with dbt" not in summary  # dbt's own output went to the log
    (log_file,) = (warehouse / "logs").glob("refresh-*.log")
    assert f"Full log: {log_file}" in summary
    assert "Running with dbt" in log_file.read_text(encoding="utf-8", errors="replace")


def test_a_reader_holding_the_served_database_keeps_working_across_the_refresh(warehouse, good_run):
    rows_before, rows_again, reader_status, reader_errors = good_run["reader"]
    assert reader_status == 0, reader_errors
    assert rows_again == rows_before > 0  # the reader kept its version, without errors
    serving_db = warehouse / "serving.duckdb"
    assert serving_db.stat().st_ino != good_run["served_inode_before"]  # a new file swapped in
    with duckdb.connect(str(serving_db), read_only=True) as connection:
        assert connection.execute("select count(*) from marts.segment_comparison").fetchone()[0] > 0


def test_a_refresh_does_not_start_while_another_holds_the_lock(warehouse, good_run):
    from cmo_cio.lock import refresh_lock
    from orchestration.definitions import defs

    served_before = digest(warehouse / "serving.duckdb")
    job = defs.resolve_job_def("refresh_warehouse")
    lock_file = WarehouseSettings.from_env().refresh_lock_file
    with refresh_lock(lock_file, holder="another refresh"):
        result = job.execute_in_process(
            run_config=run_config_of_this_module(), raise_on_error=False
        )
    assert not result.success
    assert "another refresh is in progress" in str(result.all_events)
    assert digest(warehouse / "serving.duckdb") == served_before


def test_a_failed_raw_suite_blocks_the_publish(warehouse, good_run, built_warehouse, tmp_path):
    """The audit runs after the build, so a raw suite cannot stop dbt: it stops the publish.
    A malformed panel id is read by dbt without complaint; only the raw CIO suite knows."""
    from dagster import AssetCheckKey, AssetKey

    from orchestration.checks import GX_CHECK_SPECS
    from orchestration.definitions import defs

    served_before = digest(warehouse / "serving.duckdb")
    export = corrupt_export(tmp_path, "cio", "panel_uid", "p-not-hex")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CMO_CIO_BUILD_DB", str(copy_build(built_warehouse, tmp_path / "b.duckdb")))
        job = defs.resolve_job_def("refresh_warehouse").get_subset(
            asset_selection={AssetKey("publish"), *(AssetKey(["raw", s]) for s in RAW_TABLES)},
            asset_check_selection={
                AssetCheckKey(spec.asset_key, spec.name) for spec in GX_CHECK_SPECS
            },
        )
        result = job.execute_in_process(
            run_config=run_config_of_this_module(
                {"ops": {"raw_exports": {"config": {"exports": {"cio": str(export)}}}}}
            ),
            raise_on_error=False,
        )

    assert not result.success
    failed = {item.check_name for item in result.get_asset_check_evaluations() if not item.passed}
    assert failed == {"gx_raw__cio_study_2011_export"}
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "publish" not in materialized
    assert digest(warehouse / "serving.duckdb") == served_before


def test_a_failed_gx_suite_blocks_the_publish(
    warehouse, good_run, built_warehouse, tmp_path, monkeypatch
):
    """The audit and publish steps alone, on a build whose figure shows an impossible share."""
    from dagster import AssetCheckKey, AssetKey

    from orchestration.checks import GX_CHECK_SPECS
    from orchestration.definitions import defs
    from orchestration.summary import summarize

    served_before = digest(warehouse / "serving.duckdb")
    parquet_before = folder_digest(warehouse / "parquet")
    damaged_build = copy_build(built_warehouse, tmp_path / "build.duckdb")
    with duckdb.connect(str(damaged_build)) as connection:
        connection.execute("update marts.fig02_complexity set share_pct = 150 where role = 'CMO'")
    monkeypatch.setenv("CMO_CIO_BUILD_DB", str(damaged_build))

    job = defs.resolve_job_def("refresh_warehouse").get_subset(
        asset_selection={AssetKey("publish")},
        asset_check_selection={AssetCheckKey(spec.asset_key, spec.name) for spec in GX_CHECK_SPECS},
    )
    result = job.execute_in_process(run_config=run_config_of_this_module(), raise_on_error=False)

    assert not result.success
    failed = {item.check_name for item in result.get_asset_check_evaluations() if not item.passed}
    assert failed == {"gx_marts__fig02_complexity"}
    summary, failures = summarize(result)
    assert any("gx_marts__fig02_complexity" in failure for failure in failures)
    assert "expect_column_values_to_be_between(share_pct)" in summary
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "publish" not in materialized
    assert digest(warehouse / "serving.duckdb") == served_before
    assert folder_digest(warehouse / "parquet") == parquet_before
