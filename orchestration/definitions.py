"""The Dagster code location `orchestration.definitions` (`make ui` runs `dg dev` on it)."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from orchestration.assets.dbt import warehouse_dbt
from orchestration.assets.raw import raw_exports
from orchestration.assets.serving import publish, report
from orchestration.checks import GX_CHECKS
from orchestration.jobs import refresh_warehouse
from orchestration.project import dbt_project
from orchestration.resources import WarehouseResource, dbt_resource
from orchestration.triggers import daily_refresh_schedule, landing_export_sensor

defs = Definitions(
    assets=[raw_exports, warehouse_dbt, publish, report],
    asset_checks=GX_CHECKS,
    jobs=[refresh_warehouse],
    schedules=[daily_refresh_schedule],
    sensors=[landing_export_sensor],
    # Also for runs started from the asset graph: one process holds the refresh lock throughout.
    executor=in_process_executor,
    resources={
        "dbt": dbt_resource(dbt_project.project_dir),
        "warehouse": WarehouseResource.from_env(),
    },
)
