"""Resources of the code location: the warehouse settings (with the refresh lock) and dbt.

`WarehouseResource` has one field per setting of `cmo_cio.settings.SETTINGS`, so the Dagster
UI shows every path and the launchpad can change them for one run. Its values come from the
environment variables of the settings when the code location loads (`from_env`), and the
headless command passes `run_config_resources(settings)` so a run uses exactly the settings
it was started with.

A run that uses the resource holds the refresh lock from its first step to its last: at most
one refresh writes the build database and publishes at a time, whoever started it. Sensors
and schedules read the settings through the same resource without taking the lock.
"""

# No `from __future__ import annotations`: Dagster reads the field annotations at import.
import sys
from contextlib import contextmanager
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from dagster_dbt import DbtCliResource
from pydantic import Field

from cmo_cio.lock import refresh_lock
from cmo_cio.settings import SETTING_BY_NAME, WarehouseSettings


def _setting_field(name: str):
    setting = SETTING_BY_NAME[name]
    return Field(
        default=setting.default,
        description=f"{setting.description} (environment variable {setting.env_var})",
    )


class WarehouseResource(ConfigurableResource):
    """Where the warehouse reads and writes; relative paths are taken from the project folder."""

    build_db: str = _setting_field("build_db")
    serving_db: str = _setting_field("serving_db")
    microdata_db: str = _setting_field("microdata_db")
    parquet_dir: str = _setting_field("parquet_dir")
    gx_docs_dir: str = _setting_field("gx_docs_dir")
    gx_docs_keep_runs: str = _setting_field("gx_docs_keep_runs")
    report_dir: str = _setting_field("report_dir")
    landing_dir: str = _setting_field("landing_dir")
    landing_settle_seconds: str = _setting_field("landing_settle_seconds")
    dbt_target_dir: str = _setting_field("dbt_target_dir")
    log_dir: str = _setting_field("log_dir")
    rejects_dir: str = _setting_field("rejects_dir")
    max_rejected_rows: str = _setting_field("max_rejected_rows")
    engine: str = _setting_field("engine")
    spark_dir: str = _setting_field("spark_dir")

    @classmethod
    def from_settings(cls, settings: WarehouseSettings) -> "WarehouseResource":
        return cls(**settings.as_strings())

    @classmethod
    def from_env(cls) -> "WarehouseResource":
        return cls.from_settings(WarehouseSettings.from_env())

    @property
    def settings(self) -> WarehouseSettings:
        return WarehouseSettings.from_values(self.model_dump())

    def yield_for_execution(self, context: InitResourceContext):  # type: ignore[override]
        @contextmanager
        def held():
            run = context.run
            if run is None:  # a sensor or schedule reading the settings: no lock
                yield self
                return
            lock_file = self.settings.refresh_lock_file
            with refresh_lock(lock_file, holder=f"run {run.run_id}"):
                yield self

        return held()


def run_config_resources(settings: WarehouseSettings) -> dict:
    """The `resources` part of a run config that runs with `settings`."""
    return {"warehouse": {"config": settings.as_strings()}}


class WarehouseDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without its two set-up costs per invocation (about 3 s, as long
    as the build itself at the 2011 size): it runs `dbt --version` in a subprocess, and loads
    the dbt project and adapter in this process for row-count and column metadata, which the
    refresh never fetches. The version is read from the installed dbt-core instead."""

    @property
    def _cli_version(self):
        from dbt.version import __version__
        from packaging import version

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_resource(project_dir: Path) -> DbtCliResource:
    return WarehouseDbtCliResource(
        project_dir=str(project_dir),
        profiles_dir=str(project_dir),
        # The dbt of this interpreter, found without relying on PATH.
        dbt_executable=str(Path(sys.executable).with_name("dbt")),
    )


def settings_of_run(run) -> WarehouseSettings:
    """The settings a run was configured with; the environment's for a run without them."""
    resources = (run.run_config or {}).get("resources", {}) if run else {}
    configured = (resources.get("warehouse") or {}).get("config")
    return WarehouseSettings.from_values(configured) if configured else WarehouseSettings.from_env()
