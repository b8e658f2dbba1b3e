"""The one refresh job: build, audit, publish and report, every asset and check."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

from cmo_cio.landing import Exports
from cmo_cio.settings import WarehouseSettings
from orchestration.assets.raw import refresh_op_config
from orchestration.resources import run_config_resources

# Runs carrying this tag are limited to one at a time by orchestration/dagster.yaml (run queue).
REFRESH_CONCURRENCY_TAG = "cmo_cio_warehouse/refresh"
JOB_NAME = "refresh_warehouse"

refresh_warehouse = define_asset_job(
    name=JOB_NAME,
    selection=AssetSelection.all(),
    description="dbt build into the build database, dbt tests and GX suites as blocking "
    "checks, then publish the marts to the serving database and Parquet, then the report.",
    tags={REFRESH_CONCURRENCY_TAG: "exclusive"},
    # One process for every step: the refresh lock and DuckDB's single writer need it.
    executor_def=in_process_executor,
)


def refresh_run_config(
    exports: Exports, settings: WarehouseSettings | None = None, dbt_vars: dict | None = None
) -> dict:
    """Run config of a refresh from `exports`; with `settings`, also the run's paths."""
    config: dict = {"ops": refresh_op_config(exports, dbt_vars)}
    if settings is not None:
        config["resources"] = run_config_resources(settings)
    return config
