"""The code location loads, and its schedule and landing sensor decide as they should."""

from __future__ import annotations

import json
import os
import shutil
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


# -- schedule -------------------------------------------------------------------------------


def test_schedule_requests_a_refresh(defs, run_folders):
    schedule = defs.resolve_schedule_def("daily_refresh")
    with instance_for_test() as instance:
        result = schedule.evaluate_tick(build_schedule_context(instance=instance))
    assert len(result.run_requests) == 1
    assert result.run_requests[0].tags["cmo_cio_warehouse/trigger"] == "schedule"


def test_schedule_skips_while_a_refresh_holds_the_lock(defs, run_folders):
    schedule = defs.resolve_schedule_def("daily_refresh")
    with instance_for_test() as instance, refresh_lock(paths.refresh_lock_file()):
        result = schedule.evaluate_tick(build_schedule_context(instance=instance))
    assert not result.run_requests
    assert "refresh" in result.skip_message


# -- landing sensor -------------------------------------------------------------------------


def evaluate_sensor(defs, instance, cursor=None):
    from orchestration.triggers import landing_export_sensor

    context = build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
    result = landing_export_sensor(context)
    return result, context


def test_sensor_starts_one_refresh_per_new_export(defs, run_folders):
    landing = run_folders / "landing"
    with instance_for_test() as instance:
        result, _ = evaluate_sensor(defs, instance)
        assert isinstance(result, SkipReason)

        (landing / "notes.txt").write_text("not an export")
        (landing / "cmo_2012_export.csv").write_text("ResponseID\n")
        result, _ = evaluate_sensor(defs, instance)
        (request,) = result.run_requests
        assert isinstance(request, RunRequest)
        op_config = request.run_config["ops"]["warehouse_dbt"]["config"]
        assert op_config == {"cmo_export_path": str((landing / "cmo_2012_export.csv").resolve())}
        cursor = result.cursor
        assert json.loads(cursor).keys() == {"cmo_2012_export.csv"}

        # The same file again: nothing to do.
        again, _ = evaluate_sensor(defs, instance, cursor=cursor)
        assert isinstance(again, SkipReason)

        # A CIO export lands: only it is passed on.
        (landing / "CIO_export.parquet").write_bytes(b"PAR1")
        result, _ = evaluate_sensor(defs, instance, cursor=cursor)
        (request,) = result.run_requests
        op_config = request.run_config["ops"]["warehouse_dbt"]["config"]
        assert op_config == {"cio_export_path": str((landing / "CIO_export.parquet").resolve())}
        assert request.run_key.startswith("CIO_export.parquet@")
        assert json.loads(result.cursor).keys() == {"cmo_2012_export.csv", "CIO_export.parquet"}


def test_sensor_picks_up_a_replaced_export(defs, run_folders):
    export = run_folders / "landing" / "cmo.csv"
    export.write_text("ResponseID\n")
    with instance_for_test() as instance:
        first, _ = evaluate_sensor(defs, instance)
        export.write_text("ResponseID\nR_1\n")
        second, _ = evaluate_sensor(defs, instance, cursor=first.cursor)
    assert len(second.run_requests) == 1
    assert second.run_requests[0].run_key != first.run_requests[0].run_key


def test_sensor_waits_while_a_refresh_runs_and_keeps_the_export_pending(defs, run_folders):
    (run_folders / "landing" / "cio_new.csv").write_text("resp_id\n")
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
