"""What starts a refresh: a daily schedule, and a sensor on the landing folder.

Both skip while a refresh is queued or running (or holds the refresh lock), so at most one
refresh runs at a time; a skipped landed export is picked up on a later tick.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from dagster import (
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    schedule,
    sensor,
)

from orchestration import paths
from orchestration.jobs import JOB_NAME, export_run_config, refresh_warehouse
from orchestration.lock import refresh_lock_is_held

DAILY_CRON = "0 5 * * *"
# A landed export: cmo*.csv, cmo*.parquet, cio*.csv or cio*.parquet (any case).
EXPORT_FILE = re.compile(r"^(?P<study>cmo|cio).*\.(csv|parquet)$", re.IGNORECASE)
ACTIVE_STATUSES = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]


def refresh_in_progress(context) -> str | None:
    """Why a new refresh must wait, or None when none is queued or running."""
    instance = getattr(context, "instance", None)
    if instance is not None:
        active = instance.get_run_records(
            RunsFilter(job_name=JOB_NAME, statuses=ACTIVE_STATUSES), limit=1
        )
        if active:
            run = active[0].dagster_run
            return f"refresh run {run.run_id} is {run.status.value.lower()}"
    if refresh_lock_is_held(paths.refresh_lock_file()):
        return f"a refresh holds {paths.refresh_lock_file()}"
    return None


@schedule(
    name="daily_refresh",
    cron_schedule=DAILY_CRON,
    execution_timezone="UTC",
    job=refresh_warehouse,
    default_status=DefaultScheduleStatus.RUNNING,
    description="Rebuilds, audits and publishes the warehouse every day at 05:00 UTC.",
)
def daily_refresh_schedule(context: ScheduleEvaluationContext):
    busy = refresh_in_progress(context)
    if busy:
        return SkipReason(f"skipped: {busy}")
    return RunRequest(tags={"cmo_cio_warehouse/trigger": "schedule"})


# -- landing folder -------------------------------------------------------------------------


def export_fingerprint(path: Path) -> str:
    """Changes when a file of the same name is replaced by a new export."""
    stat = path.stat()
    return f"{stat.st_mtime_ns}:{stat.st_size}"


def unseen_exports(landing_dir: Path, seen: dict[str, str]) -> list[Path]:
    """Exports in `landing_dir` that are new, or replaced since they were last seen."""
    if not landing_dir.is_dir():
        return []
    return [
        path
        for path in sorted(landing_dir.iterdir())
        if EXPORT_FILE.match(path.name)
        and path.is_file()
        and seen.get(path.name) != export_fingerprint(path)
    ]


def newest_per_study(exports: list[Path]) -> dict[str, Path]:
    """The most recently written export of each study (keys `cmo`, `cio`)."""
    newest: dict[str, Path] = {}
    for path in exports:
        study = EXPORT_FILE.match(path.name).group("study").lower()
        if study not in newest or path.stat().st_mtime_ns > newest[study].stat().st_mtime_ns:
            newest[study] = path
    return newest


@sensor(
    name="landing_export_sensor",
    job=refresh_warehouse,
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts a refresh from a new CMO or CIO export in the landing folder.",
)
def landing_export_sensor(context: SensorEvaluationContext):
    landing_dir = paths.landing_dir()
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    unseen = unseen_exports(landing_dir, seen)
    if not unseen:
        return SkipReason(f"no new export in {landing_dir}")
    busy = refresh_in_progress(context)
    if busy:
        # The cursor is not advanced: the export starts a refresh on a later tick.
        return SkipReason(f"new export waits: {busy}")

    # An older export landed beside a newer one of the same study is superseded, not rebuilt.
    for path in unseen:
        seen[path.name] = export_fingerprint(path)
    exports = newest_per_study(unseen)
    run_key = "+".join(f"{path.name}@{seen[path.name]}" for path in exports.values())
    config = export_run_config(
        cmo_export_path=str(exports["cmo"].resolve()) if "cmo" in exports else "",
        cio_export_path=str(exports["cio"].resolve()) if "cio" in exports else "",
    )
    request = RunRequest(
        run_key=run_key,
        run_config=config,
        tags={"cmo_cio_warehouse/trigger": "landing", "cmo_cio_warehouse/exports": run_key},
    )
    return SensorResult(run_requests=[request], cursor=json.dumps(seen, sort_keys=True))
