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
import json
import os
import sys
from dataclasses import dataclass
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
        "--dbt-vars",
        type=json.loads,
        default={},
        help="extra dbt vars of this refresh, as JSON (e.g. '{\"min_cell_n\": 20}')",
    )
    parser.add_argument(
        "--step-timings",
        type=Path,
        help="write each step's start and end time (JSON) to this file",
    )
    parser.add_argument(
        "--log-level", default="WARNING", help="Dagster event log level (default WARNING)"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print every log line of dbt and Dagster as it comes, not only the progress "
        "and the summary (the log file of the run holds them either way)",
    )
    return parser.parse_args(argv)


def refresh_exports(settings: WarehouseSettings, given: dict[str, str]) -> Exports:
    """The exports of a refresh: the ones given, else each study's current input.

    A study without an export given builds from what the schedule and the landing sensor
    would use: its newest settled landed export, else its committed synthetic export.
    """
    exports = export_paths(current_exports(settings.landing_dir, settings.landing_settle_seconds))
    exports.update({key: os.path.abspath(path) for key, path in given.items() if path})
    return exports


@dataclass
class RefreshRun:
    result: object  # Dagster's ExecuteInProcessResult
    step_timings: list[dict]  # each step's start and end, Unix seconds


def run_refresh(
    settings: WarehouseSettings,
    exports: Exports,
    log_level: str = "WARNING",
    dbt_vars: dict | None = None,
    progress=None,
) -> RefreshRun:
    """Execute the refresh job in process (`progress`, if given, follows its steps)."""
    from dagster import DagsterInstance
    from dagster._core.utils import make_new_run_id

    from orchestration.definitions import defs
    from orchestration.jobs import JOB_NAME, refresh_run_config
    from orchestration.ui import prepare_dagster_home

    run_config = refresh_run_config(exports, settings, dbt_vars)
    run_config["loggers"] = {"console": {"config": {"log_level": log_level.upper()}}}
    job = defs.resolve_job_def(JOB_NAME)
    # Recorded in the instance the UI shows (DAGSTER_HOME, default warehouse/dagster_home):
    # a scheduled-style headless run appears in the UI's history with its checks.
    home = prepare_dagster_home()
    with DagsterInstance.from_config(str(home)) as instance:
        run_id = make_new_run_id()
        if progress is not None:
            progress.follow(instance, run_id, len(job.graph.node_defs))
        result = job.execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False, run_id=run_id
        )
        if progress is not None:
            progress.stop()
        return RefreshRun(result, step_timings(instance, result.run_id))


def step_timings(instance, run_id: str) -> list[dict]:
    """Start and end (Unix seconds) of each step of a run, in the order they started."""
    from dagster import DagsterEventType

    starts, ends = {}, {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            starts[event.step_key] = entry.timestamp
        elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            ends[event.step_key] = entry.timestamp
    return [
        {"step": step, "start": start, "end": ends.get(step)}
        for step, start in sorted(starts.items(), key=lambda item: item[1])
    ]


def main(argv: list[str] | None = None) -> int:
    from orchestration.progress import quiet_output
    from orchestration.summary import summarize

    args = parse_args(argv)
    settings = WarehouseSettings.from_env()
    given = {study.key: getattr(args, f"{study.key}_export") for study in STUDIES}
    exports = refresh_exports(settings, given)
    with quiet_output(settings.log_dir, verbose=args.verbose) as progress:
        run = run_refresh(settings, exports, args.log_level, args.dbt_vars, progress)
    if args.step_timings:
        args.step_timings.write_text(json.dumps(run.step_timings, indent=2))
    text, failures = summarize(run.result)
    print(text)
    print(f"Full log: {progress.log_file}")
    return 1 if failures or not run.result.success else 0


if __name__ == "__main__":
    sys.exit(main())
