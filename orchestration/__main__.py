"""`python -m orchestration`: refresh the warehouse headless and say what happened.

Runs the `refresh_warehouse` job in this process (dbt build, dbt tests and GX suites as
blocking checks, publish, report) from the same current inputs as the schedule and the
landing sensor (`orchestration.inputs.current_exports`) unless exports are given, and prints
which inputs were used and what was built, checked and published. Exits
with status 1 naming the failed checks or steps when the refresh did not publish.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

from orchestration import paths


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration",
        description="Build, audit and publish the CMO/CIO warehouse.",
    )
    parser.add_argument(
        "--cmo-export",
        default="",
        help="a real CMO export (CSV or Parquet); default: the newest settled cmo* file of "
        "the landing folder, else the committed seed",
    )
    parser.add_argument(
        "--cio-export",
        default="",
        help="a real CIO export (CSV or Parquet); default: the newest settled cio* file of "
        "the landing folder, else the committed seed",
    )
    parser.add_argument(
        "--log-level", default="WARNING", help="Dagster event log level (default WARNING)"
    )
    return parser.parse_args(argv)


def refresh_export_vars(cmo_export: str = "", cio_export: str = "") -> dict[str, str]:
    """The dbt vars of a refresh: exports given on the command line, else the current inputs.

    A study without an export given builds from what the schedule and the landing sensor
    would use: its newest settled landed export, else its committed seed.
    """
    from orchestration.inputs import current_exports, export_vars

    dbt_vars = export_vars(current_exports())
    for variable, given in (("cmo_export_path", cmo_export), ("cio_export_path", cio_export)):
        if given:
            dbt_vars[variable] = str(Path(given).resolve())
    return dbt_vars


def run_refresh(cmo_export: str = "", cio_export: str = "", log_level: str = "WARNING"):
    """Execute the refresh job in process; returns Dagster's ExecuteInProcessResult."""
    from dagster import DagsterInstance

    from orchestration.definitions import defs
    from orchestration.jobs import JOB_NAME, export_run_config

    run_config = export_run_config(**refresh_export_vars(cmo_export, cio_export))
    run_config["loggers"] = {"console": {"config": {"log_level": log_level.upper()}}}
    job = defs.resolve_job_def(JOB_NAME)
    # With DAGSTER_HOME set the run is recorded where the UI shows it; else it is ephemeral.
    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
    if instance is None:
        return job.execute_in_process(run_config=run_config, raise_on_error=False)
    with instance:
        return job.execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False
        )


def run_export_vars(result) -> dict[str, str]:
    """The export paths the run was configured with (empty: every study from its seed)."""
    from orchestration.jobs import DBT_OP_NAME

    ops_config = (result.dagster_run.run_config or {}).get("ops", {})
    return dict((ops_config.get(DBT_OP_NAME) or {}).get("config") or {})


def summarize(result) -> tuple[str, list[str]]:
    """The printed summary of a refresh, and the list of what failed (empty on success)."""
    from orchestration.assets import GX_CHECK_PREFIX, asset_resource_types, blocks_publish
    from orchestration.inputs import describe_inputs

    lines: list[str] = []
    failures: list[str] = []
    resource_types = asset_resource_types()

    built = Counter(
        resource_types.get(event.asset_key, "asset")
        for event in result.get_asset_materialization_events()
        if event.asset_key in resource_types
    )
    lines.append("== Refresh summary ==")
    lines.append("Inputs:")
    lines.extend(f"  {line}" for line in describe_inputs(run_export_vars(result)))
    lines.append("Built (dbt, into " + str(paths.build_db()) + "):")
    lines.append(
        "  " + ", ".join(f"{count} {kind}s" for kind, count in sorted(built.items()))
        if built
        else "  nothing"
    )

    evaluations = result.get_asset_check_evaluations()
    gx = [item for item in evaluations if item.check_name.startswith(GX_CHECK_PREFIX)]
    dbt_tests = [item for item in evaluations if not item.check_name.startswith(GX_CHECK_PREFIX)]
    lines.append("Checked:")
    failed_tests = [item for item in dbt_tests if blocks_publish(item)]
    warned_tests = [item for item in dbt_tests if not item.passed and not blocks_publish(item)]
    passed_tests = len(dbt_tests) - len(failed_tests) - len(warned_tests)
    lines.append(
        f"  dbt tests: {passed_tests} passed, {len(failed_tests)} failed, "
        f"{len(warned_tests)} warned"
    )
    for item in failed_tests:
        name = f"dbt test {item.check_name} on {item.asset_key.to_user_string()}"
        lines.append(f"    FAILED {name}")
        failures.append(name)
    for item in warned_tests:
        lines.append(f"    WARNING {item.check_name} on {item.asset_key.to_user_string()}")
    docs_index = paths.gx_docs_dir() / "index.html"
    if gx:
        lines.append(f"  Great Expectations suites: {len(gx)} run (Data Docs {docs_index})")
    else:
        lines.append("  Great Expectations suites: not run (a step before them failed)")
    for item in sorted(gx, key=lambda evaluation: evaluation.check_name):
        status = "passed" if item.passed else "FAILED"
        lines.append(f"    {status} {item.check_name} on {item.asset_key.to_user_string()}")
        if not item.passed:
            failures.append(f"GX suite {item.check_name} on {item.asset_key.to_user_string()}")
            details = item.metadata.get("failures")
            for detail in (details.value if details else [])[:10]:
                lines.append(f"      - {detail}")

    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        message = " ".join(line.strip() for line in (error.message if error else "").splitlines())
        failures.append(f"step {event.step_key}: {message[:400] or 'failed'}")

    materialized = {
        event.asset_key.to_user_string() for event in result.get_asset_materialization_events()
    }
    lines.append("Published:")
    if "publish" in materialized:
        from orchestration.publish import served_row_counts

        lines.append(f"  serving database {paths.serving_db()}")
        for table, rows in served_row_counts(paths.serving_db()).items():
            lines.append(f"    marts.{table}: {rows} rows")
        lines.append(f"  Parquet {paths.parquet_dir()}")
    else:
        lines.append("  nothing: the served database and Parquet are unchanged")
    if "report" in materialized:
        lines.append(f"  report {paths.report_dir() / 'index.html'}")

    if failures:
        lines.append("REFRESH FAILED:")
        lines.extend(f"  - {failure}" for failure in failures)
    else:
        lines.append("Refresh succeeded.")
    return "\n".join(lines), failures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = run_refresh(args.cmo_export, args.cio_export, args.log_level)
    text, failures = summarize(result)
    print(text)
    return 1 if failures or not result.success else 0


if __name__ == "__main__":
    sys.exit(main())
