"""The Dagster code location: `dagster dev -m orchestration.definitions` loads `defs`."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster import Definitions, in_process_executor
from dagster_dbt import DbtCliResource

from orchestration.assets import (
    GX_CHECK_SPECS,
    RefreshLockResource,
    dbt_project,
    great_expectations_suites,
    publish,
    report,
    warehouse_dbt,
)
from orchestration.jobs import refresh_warehouse
from orchestration.triggers import daily_refresh_schedule, landing_export_sensor

defs = Definitions(
    assets=[warehouse_dbt, publish, report],
    asset_checks=[great_expectations_suites] if GX_CHECK_SPECS else [],
    jobs=[refresh_warehouse],
    schedules=[daily_refresh_schedule],
    sensors=[landing_export_sensor],
    # Also for runs started from the asset graph: one process holds the refresh lock throughout.
    executor=in_process_executor,
    resources={
        "dbt": DbtCliResource(
            project_dir=dbt_project,
            # The dbt of this interpreter, found without relying on PATH.
            dbt_executable=str(Path(sys.executable).with_name("dbt")),
        ),
        "refresh_lock": RefreshLockResource(),
    },
)
