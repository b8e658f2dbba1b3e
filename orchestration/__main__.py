"""`python -m orchestration`: refresh the warehouse headless and say what happened.

Runs the `refresh_warehouse` job in this process (dbt build, dbt tests and GX suites as
blocking checks, publish, report) from the same current inputs as the schedule and the
landing sensor (`cmo_cio.landing.current_exports`) unless exports are given, with the
settings of the environment (`cmo_cio.settings`), and prints which inputs were used and what
was built, checked and published. Exits with status 1 naming the failed checks or steps when
the refresh did not publish.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cmo_cio.landing import Exports, current_exports, export_paths
from cmo_cio.settings import WarehouseSettings
from cmo_cio.studies import STUDIES


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration",
        description="Build, audit and publish the CMO/CIO warehouse.",
    )
    for study in STUDIES:
        parser.add_argument(
            f"--{study.key}-export",
            default="",
            help=f"a real {study.code} export (CSV or Parquet); default: the newest settled "
            f"{study.key}* file of the landing folder, else the committed synthetic export",
        )
    parser.add_argument(
        "--log-level", default="WARNING", help="Dagster event log level (default WARNING)"
    )
    return parser.parse_args(argv)


def refresh_exports(settings: WarehouseSettings, given: dict[str, str]) -> Exports:
    """The exports of a refresh: the ones given, else each study's current input.

    A study without an export given builds from what the schedule and the landing sensor
    would use: its newest settled landed export, else its committed synthetic export.
    """
    exports = export_paths(current_exports(settings.landing_dir, settings.landing_settle_seconds))
    exports.update({key: str(Path(path).resolve()) for key, path in given.items() if path})
    return exports


def run_refresh(settings: WarehouseSettings, exports: Exports, log_level: str = "WARNING"):
    """Execute the refresh job in process; returns Dagster's ExecuteInProcessResult."""
    from dagster import DagsterInstance

    from orchestration.definitions import defs
    from orchestration.jobs import JOB_NAME, refresh_run_config

    run_config = refresh_run_config(exports, settings)
    run_config["loggers"] = {"console": {"config": {"log_level": log_level.upper()}}}
    job = defs.resolve_job_def(JOB_NAME)
    # With DAGSTER_HOME set the run is recorded where the UI shows it; else it is ephemeral.
    if not os.environ.get("DAGSTER_HOME"):
        return job.execute_in_process(run_config=run_config, raise_on_error=False)
    with DagsterInstance.get() as instance:
        return job.execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False
        )


def main(argv: list[str] | None = None) -> int:
    from orchestration.summary import summarize

    args = parse_args(argv)
    settings = WarehouseSettings.from_env()
    given = {study.key: getattr(args, f"{study.key}_export") for study in STUDIES}
    result = run_refresh(settings, refresh_exports(settings, given), args.log_level)
    text, failures = summarize(result)
    print(text)
    return 1 if failures or not result.success else 0


if __name__ == "__main__":
    sys.exit(main())
