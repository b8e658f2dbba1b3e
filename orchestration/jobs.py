"""The one refresh job: build, audit, publish and report, all assets and checks."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

# Runs carrying this tag are limited to one at a time by dagster.yaml (run queue).
REFRESH_CONCURRENCY_TAG = "cmo_cio_warehouse/refresh"
JOB_NAME = "refresh_warehouse"
DBT_OP_NAME = "warehouse_dbt"

refresh_warehouse = define_asset_job(
    name=JOB_NAME,
    selection=AssetSelection.all(),
    description="dbt build into the build database, dbt tests and GX suites as blocking "
    "checks, then publish the marts to the serving database and Parquet, then the report.",
    tags={REFRESH_CONCURRENCY_TAG: "exclusive"},
    # One process for every step: the refresh lock and DuckDB's single writer need it.
    executor_def=in_process_executor,
)


def export_run_config(cmo_export_path: str = "", cio_export_path: str = "") -> dict:
    """Run config that makes the refresh build from landed exports (dbt vars)."""
    config = {"cmo_export_path": cmo_export_path, "cio_export_path": cio_export_path}
    return {"ops": {DBT_OP_NAME: {"config": {k: v for k, v in config.items() if v}}}}
