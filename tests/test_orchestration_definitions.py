"""The code location loads, and its schedule and landing sensor decide as they should."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    SkipReason,
    build_schedule_context,
    build_sensor_context,
    instance_for_test,
)

from orchestration import paths
from orchestration.lock import refresh_lock

PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def defs(tmp_path_factory):
    """The Definitions, with dbt's manifest parsed into a temporary target folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CMO_CIO_DBT_TARGET_DIR", str(tmp_path_factory.mktemp("dbt_target")))
        from orchestration.definitions import defs

        yield defs


@pytest.fixture
def run_folders(tmp_path, monkeypatch):
    """Every run-time path of the warehouse inside `tmp_path`."""
    for variable, name in [
        ("CMO_CIO_BUILD_DB", "build.duckdb"),
        ("CMO_CIO_SERVING_DB", "serving.duckdb"),
        ("CMO_CIO_PARQUET_DIR", "parquet"),
        ("CMO_CIO_GX_DOCS_DIR", "gx_docs"),
        ("CMO_CIO_REPORT_DIR", "report"),
        ("CMO_CIO_LANDING_DIR", "landing"),
    ]:
        monkeypatch.setenv(variable, str(tmp_path / name))
    (tmp_path / "landing").mkdir()
    return tmp_path


def all_check_specs(defs):
    graph = defs.resolve_asset_graph()
    return [graph.get_check_spec(key) for key in graph.asset_check_keys]


def test_refresh_job_schedule_and_sensor_are_defined(defs):
    job = defs.resolve_job_def("refresh_warehouse")
    assert job.tags["cmo_cio_warehouse/refresh"] == "exclusive"
    # One process per run, so the refresh lock is held from the build to the publish.
    assert job.executor_def.name == "in_process"
    assert defs.resolve_implicit_global_asset_job_def().executor_def.name == "in_process"
    schedule = defs.resolve_schedule_def("daily_refresh")
    assert schedule.job_name == "refresh_warehouse"
    assert schedule.default_status == DefaultScheduleStatus.RUNNING
    sensor = defs.resolve_sensor_def("landing_export_sensor")
    assert sensor.job_name == "refresh_warehouse"
    assert sensor.default_status == DefaultSensorStatus.RUNNING


def test_job_covers_dbt_publish_and_report(defs):
    from orchestration.assets import dbt_asset_keys

    keys = defs.resolve_job_def("refresh_warehouse").asset_layer.asset_graph.get_all_asset_keys()
    dbt_keys = set(dbt_asset_keys())
    assert AssetKey(["raw", "cmo_study_2011_export"]) in dbt_keys
    assert AssetKey(["staging", "stg_cmo_study__interviews"]) in dbt_keys
    assert dbt_keys | {AssetKey("publish"), AssetKey("report")} <= set(keys)


def test_every_gx_suite_is_a_blocking_check_on_its_table(defs):
    from expectations.runner import load_suites

    gx_specs = {spec.name: spec for spec in all_check_specs(defs) if spec.name.startswith("gx_")}
    suites = load_suites()
    assert suites
    for suite in suites:
        spec = gx_specs.get("gx_" + suite.name)
        assert spec is not None, f"suite {suite.name} has no asset check (is {suite.table} built?)"
        assert spec.asset_key == AssetKey(suite.table.split("."))
        assert spec.blocking


def test_dbt_tests_are_blocking_checks_unless_configured_as_warnings(defs):
    from orchestration.assets import MANIFEST_PATH

    nodes = json.loads(MANIFEST_PATH.read_text())["nodes"].values()
    warning_tests = {
        node["name"]
        for node in nodes
        if node["resource_type"] == "test" and node["config"]["severity"].lower() == "warn"
    }
    dbt_specs = [spec for spec in all_check_specs(defs) if not spec.name.startswith("gx_")]
    assert len(dbt_specs) > 10
    for spec in dbt_specs:
        assert spec.blocking == (spec.name not in warning_tests), spec.name


def test_every_mart_is_covered_by_a_gx_suite_and_publish_depends_on_it(defs):
    from orchestration.assets import dbt_asset_keys

    marts = set(dbt_asset_keys("marts"))
    checked = {spec.asset_key for spec in all_check_specs(defs) if spec.name.startswith("gx_")}
    assert marts, "no dbt models in schema marts"
    assert marts <= checked, f"marts without a GX suite: {sorted(map(str, marts - checked))}"
    publish_deps = set(defs.resolve_assets_def("publish").asset_deps[AssetKey("publish")])
    assert publish_deps == marts


def test_committed_dagster_yaml_limits_refreshes_to_one(tmp_path):
    shutil.copyfile(PROJECT_DIR / "dagster.yaml", tmp_path / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    assert {"key": "cmo_cio_warehouse/refresh", "limit": 1} in limits


def test_ui_command_uses_the_code_location_and_committed_instance(tmp_path, monkeypatch):
    from orchestration.ui import dagster_dev_command, prepare_dagster_home

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    home = prepare_dagster_home()
    assert (home / "dagster.yaml").read_text() == (PROJECT_DIR / "dagster.yaml").read_text()
    command = dagster_dev_command(["-p", "3333"])
    assert command[1:] == ["dev", "-m", "orchestration.definitions", "-p", "3333"]
    assert os.access(command[0], os.X_OK)


# -- current inputs, schedule and landing sensor ---------------------------------------------

SETTLED_AGE = 600  # seconds; well past the default settle time


def land(landing: Path, name: str, content: str = "ResponseID\n", age: float = SETTLED_AGE):
    """Writes an export into the landing folder, last modified `age` seconds ago."""
    path = landing / name
    path.write_text(content)
    written = time.time() - age
    os.utime(path, (written, written))
    return path


def export_config(request: RunRequest) -> dict:
    return request.run_config["ops"]["warehouse_dbt"]["config"]


def evaluate_schedule(defs):
    schedule = defs.resolve_schedule_def("daily_refresh")
    with instance_for_test() as instance:
        return schedule.evaluate_tick(build_schedule_context(instance=instance))


def evaluate_sensor(defs, instance, cursor=None):
    from orchestration.triggers import landing_export_sensor

    context = build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
    result = landing_export_sensor(context)
    return result, context


def test_schedule_with_no_landed_export_builds_from_the_seeds(defs, run_folders):
    (request,) = evaluate_schedule(defs).run_requests
    assert request.tags["cmo_cio_warehouse/trigger"] == "schedule"
    assert export_config(request) == {}  # no dbt vars: both studies from their seeds
    assert request.tags["cmo_cio_warehouse/inputs"] == "cmo=seed+cio=seed"


def test_schedule_builds_from_the_landed_export_not_the_seed(defs, run_folders):
    export = land(run_folders / "landing", "cmo_2012_export.csv")
    (request,) = evaluate_schedule(defs).run_requests
    assert export_config(request) == {"cmo_export_path": str(export.resolve())}
    assert request.tags["cmo_cio_warehouse/inputs"].startswith("cmo=cmo_2012_export.csv@")
    assert request.tags["cmo_cio_warehouse/inputs"].endswith("+cio=seed")


def test_schedule_ignores_an_export_still_being_copied(defs, run_folders):
    settled = land(run_folders / "landing", "cio_2011.csv")
    land(run_folders / "landing", "cio_2012.csv", age=0)  # newer, but may be half-written
    (request,) = evaluate_schedule(defs).run_requests
    assert export_config(request) == {"cio_export_path": str(settled.resolve())}


def test_schedule_skips_while_a_refresh_holds_the_lock(defs, run_folders):
    schedule = defs.resolve_schedule_def("daily_refresh")
    with instance_for_test() as instance, refresh_lock(paths.refresh_lock_file()):
        result = schedule.evaluate_tick(build_schedule_context(instance=instance))
    assert not result.run_requests
    assert "refresh" in result.skip_message


def test_a_newer_landed_export_supersedes_an_older_one(run_folders):
    from orchestration.inputs import current_exports

    landing = run_folders / "landing"
    older = land(landing, "cmo_january.csv", age=7200)
    newer = land(landing, "CMO_february.parquet", age=3600)
    cio = land(landing, "cio_only.csv", age=9000)
    land(landing, "notes.txt")  # not an export
    exports = current_exports()
    assert {study: export.path for study, export in exports.items()} == {
        "cmo": newer,
        "cio": cio,
    }
    assert older not in [export.path for export in exports.values()]


def test_settle_time_comes_from_the_environment(run_folders, monkeypatch):
    from orchestration.inputs import DEFAULT_SETTLE_SECONDS, current_exports, settle_seconds

    monkeypatch.delenv("CMO_CIO_LANDING_SETTLE_SECONDS", raising=False)
    fresh = land(run_folders / "landing", "cmo_new.csv", age=0)
    assert settle_seconds() == DEFAULT_SETTLE_SECONDS
    assert current_exports() == {}
    monkeypatch.setenv("CMO_CIO_LANDING_SETTLE_SECONDS", "0")
    assert current_exports()["cmo"].path == fresh
    monkeypatch.setenv("CMO_CIO_LANDING_SETTLE_SECONDS", "half a minute")
    with pytest.raises(ValueError, match="CMO_CIO_LANDING_SETTLE_SECONDS"):
        settle_seconds()


def test_headless_refresh_builds_from_the_current_inputs_unless_told_otherwise(run_folders):
    from orchestration.__main__ import refresh_export_vars

    landing = run_folders / "landing"
    assert refresh_export_vars() == {}
    cmo = land(landing, "cmo_2012.csv")
    cio = land(landing, "cio_2012.parquet")
    assert refresh_export_vars() == {
        "cmo_export_path": str(cmo.resolve()),
        "cio_export_path": str(cio.resolve()),
    }
    # An export given on the command line replaces only its own study's current input.
    given = run_folders / "cio_elsewhere.csv"
    assert refresh_export_vars(cio_export=str(given)) == {
        "cmo_export_path": str(cmo.resolve()),
        "cio_export_path": str(given.resolve()),
    }


def test_inputs_are_described_as_landed_file_or_seed(tmp_path):
    from orchestration.inputs import describe_inputs

    lines = describe_inputs({"cio_export_path": str(tmp_path / "cio.csv")})
    assert lines == [
        "CMO: committed synthetic seed seeds/raw/cmo_study_2011_export.csv",
        f"CIO: landed export {tmp_path / 'cio.csv'}",
    ]


def test_sensor_waits_for_a_fresh_export_to_settle(defs, run_folders):
    landing = run_folders / "landing"
    with instance_for_test() as instance:
        result, _ = evaluate_sensor(defs, instance)
        assert isinstance(result, SkipReason)
        assert "no new export" in result.skip_message

        export = land(landing, "cmo_2012_export.csv", age=0)
        waiting, context = evaluate_sensor(defs, instance)
        assert isinstance(waiting, SkipReason)
        assert "cmo_2012_export.csv to settle" in waiting.skip_message
        assert context.cursor is None

        settled = time.time() - SETTLED_AGE
        os.utime(export, (settled, settled))
        result, _ = evaluate_sensor(defs, instance)
    (request,) = result.run_requests
    assert export_config(request) == {"cmo_export_path": str(export.resolve())}


def test_sensor_builds_from_both_studies_current_inputs(defs, run_folders):
    landing = run_folders / "landing"
    with instance_for_test() as instance:
        cmo = land(landing, "cmo_2012_export.csv", age=1200)
        first, _ = evaluate_sensor(defs, instance)
        (request,) = first.run_requests
        assert export_config(request) == {"cmo_export_path": str(cmo.resolve())}
        assert json.loads(first.cursor).keys() == {"cmo_2012_export.csv"}

        # The same file again: nothing to do.
        again, _ = evaluate_sensor(defs, instance, cursor=first.cursor)
        assert isinstance(again, SkipReason)

        # A CIO export lands: the refresh keeps the landed CMO export rather than its seed.
        cio = land(landing, "CIO_export.parquet", content="PAR1")
        second, _ = evaluate_sensor(defs, instance, cursor=first.cursor)
    (request,) = second.run_requests
    assert export_config(request) == {
        "cmo_export_path": str(cmo.resolve()),
        "cio_export_path": str(cio.resolve()),
    }
    assert request.run_key.startswith("cmo=cmo_2012_export.csv@")
    assert "+cio=CIO_export.parquet@" in request.run_key
    assert request.tags["cmo_cio_warehouse/trigger"] == "landing"
    assert json.loads(second.cursor).keys() == {"cmo_2012_export.csv", "CIO_export.parquet"}


def test_sensor_ignores_an_export_superseded_by_a_newer_one(defs, run_folders):
    landing = run_folders / "landing"
    with instance_for_test() as instance:
        newer = land(landing, "cmo_march.csv", age=600)
        first, _ = evaluate_sensor(defs, instance)
        assert export_config(first.run_requests[0]) == {"cmo_export_path": str(newer.resolve())}

        # An older export copied in later (its modification time kept) changes nothing.
        land(landing, "cmo_january.csv", age=9000)
        second, _ = evaluate_sensor(defs, instance, cursor=first.cursor)
        assert not second.run_requests
        assert "superseded" in second.skip_reason.skip_message
        assert "cmo_january.csv" in json.loads(second.cursor)

        # A newer export does replace the current one.
        newest = land(landing, "cmo_april.csv", age=60)
        third, _ = evaluate_sensor(defs, instance, cursor=second.cursor)
    (request,) = third.run_requests
    assert export_config(request) == {"cmo_export_path": str(newest.resolve())}


def test_sensor_picks_up_a_replaced_export(defs, run_folders):
    export = land(run_folders / "landing", "cmo.csv", age=1200)
    with instance_for_test() as instance:
        first, _ = evaluate_sensor(defs, instance)
        land(run_folders / "landing", "cmo.csv", content="ResponseID\nR_1\n")
        second, _ = evaluate_sensor(defs, instance, cursor=first.cursor)
    assert len(second.run_requests) == 1
    assert second.run_requests[0].run_key != first.run_requests[0].run_key
    assert export_config(second.run_requests[0]) == {"cmo_export_path": str(export.resolve())}


def test_sensor_waits_while_a_refresh_runs_and_keeps_the_export_pending(defs, run_folders):
    land(run_folders / "landing", "cio_new.csv", content="resp_id\n")
    with instance_for_test() as instance:
        with refresh_lock(paths.refresh_lock_file()):
            waiting, context = evaluate_sensor(defs, instance)
        assert isinstance(waiting, SkipReason)
        assert "waits" in waiting.skip_message
        assert context.cursor is None
        later, _ = evaluate_sensor(defs, instance)
    assert len(later.run_requests) == 1


def test_manifest_is_reparsed_when_the_dbt_project_changes(tmp_path):
    from orchestration.dbt_project import manifest_is_current

    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "dim_x.sql"
    model.write_text("select 1 as x")
    manifest = tmp_path / "target" / "manifest.json"
    assert not manifest_is_current(manifest, tmp_path)  # a fresh clone has none

    manifest.parent.mkdir()
    manifest.write_text("{}")
    os.utime(model, (1_000, 1_000))
    os.utime(tmp_path / "models", (1_000, 1_000))
    os.utime(manifest, (2_000, 2_000))
    assert manifest_is_current(manifest, tmp_path)

    os.utime(model, (3_000, 3_000))  # a model edited after the last parse
    assert not manifest_is_current(manifest, tmp_path)
