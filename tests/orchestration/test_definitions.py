"""The code location loads: one refresh job, its checks, resources, schedule and sensor."""

from __future__ import annotations

import json
import os
import shutil

from dagster import AssetKey, DagsterInstance, DefaultScheduleStatus, DefaultSensorStatus

from cmo_cio.settings import PROJECT_DIR, SETTINGS, WarehouseSettings
from cmo_cio.studies import STUDIES


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


def test_job_covers_the_raw_sources_dbt_publish_and_report(defs):
    from orchestration.assets.dbt import dbt_asset_keys

    keys = set(
        defs.resolve_job_def("refresh_warehouse").asset_layer.asset_graph.get_all_asset_keys()
    )
    dbt_keys = set(dbt_asset_keys())
    assert AssetKey(["staging", "stg_cmo_study__interviews"]) in dbt_keys
    assert dbt_keys | {AssetKey("publish"), AssetKey("report")} <= keys
    # The raw exports are the dbt sources, upstream of staging.
    graph = defs.resolve_asset_graph()
    for study in STUDIES:
        source = AssetKey(study.source_relation.split("."))
        assert source in keys
        staging = AssetKey(["staging", f"stg_{study.key}_study__interviews"])
        assert source in graph.get(staging).parent_keys


def test_every_gx_suite_is_a_check_on_its_table_blocking_past_the_raw_exports(defs):
    """Raw suites run after the build that reads the exports: the publish gate stops on them
    (test_refresh.py::test_a_failed_raw_suite_blocks_the_publish)."""
    from expectations.runner import load_suites

    gx_specs = {spec.name: spec for spec in all_check_specs(defs) if spec.name.startswith("gx_")}
    suites = load_suites()
    assert suites
    for suite in suites:
        spec = gx_specs.get("gx_" + suite.name)
        assert spec is not None, f"suite {suite.name} has no asset check (is {suite.table} built?)"
        assert spec.asset_key == AssetKey(suite.table.split("."))
        assert spec.blocking == (not suite.table.startswith("raw."))


def test_dbt_tests_are_blocking_checks_unless_configured_as_warnings(defs):
    from orchestration.project import MANIFEST_PATH

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
    from orchestration.assets.dbt import dbt_asset_keys

    marts = set(dbt_asset_keys("marts")) | set(dbt_asset_keys("microdata"))
    checked = {spec.asset_key for spec in all_check_specs(defs) if spec.name.startswith("gx_")}
    assert marts, "no dbt models in schema marts"
    assert marts <= checked, f"marts without a GX suite: {sorted(map(str, marts - checked))}"
    publish_deps = set(defs.resolve_assets_def("publish").asset_deps[AssetKey("publish")])
    assert publish_deps == marts


def test_the_warehouse_resource_shows_every_setting_with_its_environment_variable(defs):
    from orchestration.resources import WarehouseResource

    fields = WarehouseResource.model_fields
    assert list(fields) == [setting.name for setting in SETTINGS]
    for setting in SETTINGS:
        assert setting.env_var in fields[setting.name].description
    configured = defs.resources["warehouse"]
    assert WarehouseSettings.from_values(configured.model_dump()) == WarehouseSettings.from_env()


def test_a_run_uses_the_settings_of_its_run_config(tmp_path):
    """The headless command passes its settings as run config; the run reads them back."""
    from orchestration.jobs import refresh_run_config
    from orchestration.resources import settings_of_run

    settings = WarehouseSettings.from_values({"serving_db": str(tmp_path / "s.duckdb")})
    config = refresh_run_config({"cio": str(tmp_path / "cio.csv")}, settings)

    class Run:
        run_config = config

    assert settings_of_run(Run()) == settings
    assert config["ops"]["raw_exports"]["config"]["exports"] == {"cio": str(tmp_path / "cio.csv")}


def test_committed_dagster_yaml_limits_refreshes_to_one(tmp_path):
    shutil.copyfile(PROJECT_DIR / "orchestration" / "dagster.yaml", tmp_path / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    assert {"key": "cmo_cio_warehouse/refresh", "limit": 1} in limits


def test_ui_command_uses_the_code_location_and_committed_instance(tmp_path, monkeypatch):
    from orchestration.ui import dg_dev_command, prepare_dagster_home

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    home = prepare_dagster_home()
    assert (home / "dagster.yaml").read_text() == (
        PROJECT_DIR / "orchestration" / "dagster.yaml"
    ).read_text()
    # none in the project folder, where `dg dev` runs and would warn it is not used
    assert not (PROJECT_DIR / "dagster.yaml").exists()
    # the code location comes from [tool.dg] in pyproject.toml (tests/orchestration/test_ui.py)
    command = dg_dev_command(["-p", "3333"])
    assert command[1:] == ["dev", "-p", "3333"]
    assert command[0].endswith("/dg") and os.access(command[0], os.X_OK)


def test_every_dbt_test_is_an_asset_check_singular_ones_included(defs):
    """A singular test that reads several models is attached (meta dagster.ref) to the
    asset it protects, so it shows and blocks like the others instead of being logged as an
    observation."""
    from orchestration.project import MANIFEST_PATH

    nodes = json.loads(MANIFEST_PATH.read_text())["nodes"].values()
    singular = {
        node["name"]
        for node in nodes
        if node["resource_type"] == "test" and "test_metadata" not in node
    }
    check_names = {spec.name for spec in all_check_specs(defs)}
    assert singular and singular <= check_names, sorted(singular - check_names)
