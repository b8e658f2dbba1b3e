"""What starts a refresh: a daily schedule, and a sensor on the landing folder.

Both build their run config from `cmo_cio.landing.current_exports`: per study the newest
settled export in the landing folder, the synthetic export only for a study with none landed.
They read the landing folder and its settle time through the `warehouse` resource.
Both skip while a refresh is queued or running (or holds the refresh lock), so at most one
refresh runs at a time; a skipped landed export is picked up on a later tick.
"""

from __future__ import annotations

import json

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

from cmo_cio.landing import (
    LandedExport,
    current_exports,
    export_paths,
    inputs_label,
    newest_per_study,
    read_landing_folder,
)
from cmo_cio.lock import refresh_lock_is_held
from orchestration.jobs import JOB_NAME, refresh_run_config, refresh_warehouse
from orchestration.resources import WarehouseResource

DAILY_CRON = "0 5 * * *"
INPUTS_TAG = "cmo_cio_warehouse/inputs"
ACTIVE_STATUSES = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]


def refresh_in_progress(context, warehouse: WarehouseResource) -> str | None:
    """Why a new refresh must wait, or None when none is queued or running."""
    instance = getattr(context, "instance", None)
    if instance is not None:
        active = instance.get_run_records(
            RunsFilter(job_name=JOB_NAME, statuses=ACTIVE_STATUSES), limit=1
        )
        if active:
            run = active[0].dagster_run
            return f"refresh run {run.run_id} is {run.status.value.lower()}"
    lock_file = warehouse.settings.refresh_lock_file
    if refresh_lock_is_held(lock_file):
        return f"a refresh holds {lock_file}"
    return None


def refresh_request(
    trigger: str, exports: dict[str, LandedExport], run_key: str | None = None
) -> RunRequest:
    """A refresh built from `exports` (study -> landed export); other studies are synthetic."""
    label = inputs_label(exports)
    return RunRequest(
        run_key=run_key,
        run_config=refresh_run_config(export_paths(exports)),
        tags={"cmo_cio_warehouse/trigger": trigger, INPUTS_TAG: label},
    )


@schedule(
    name="daily_refresh",
    cron_schedule=DAILY_CRON,
    execution_timezone="UTC",
    job=refresh_warehouse,
    default_status=DefaultScheduleStatus.RUNNING,
    description="Rebuilds, audits and publishes the warehouse every day at 05:00 UTC from the "
    "current inputs: the newest settled landed export of each study, else its synthetic one.",
)
def daily_refresh_schedule(context: ScheduleEvaluationContext, warehouse: WarehouseResource):
    """Rebuilds from the current inputs, never from the synthetic files once an export landed."""
    busy = refresh_in_progress(context, warehouse)
    if busy:
        return SkipReason(f"skipped: {busy}")
    settings = warehouse.settings
    exports = current_exports(settings.landing_dir, settings.landing_settle_seconds)
    return refresh_request("schedule", exports)


# -- landing folder -------------------------------------------------------------------------


@sensor(
    name="landing_export_sensor",
    job=refresh_warehouse,
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts a refresh when a new CMO or CIO export has settled in the landing "
    "folder, built from the current inputs of both studies.",
)
def landing_export_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    """A new settled export starts a refresh from the current inputs of both studies.

    The cursor maps each export file seen to its fingerprint (modification time and size),
    so the same file never triggers twice. A file counts once its modification time is
    settle time old; an export older than the current one of its study is superseded and
    starts nothing.
    """
    settings = warehouse.settings
    landing_dir, settle_seconds = settings.landing_dir, settings.landing_settle_seconds
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    folder = read_landing_folder(landing_dir, settle_seconds)
    unseen = [
        export for export in folder.settled if seen.get(export.path.name) != export.fingerprint
    ]
    if not unseen:
        if folder.unsettled:
            names = ", ".join(export.path.name for export in folder.unsettled)
            return SkipReason(f"waiting for {names} to settle ({settle_seconds:g} s unchanged)")
        return SkipReason(f"no new export in {landing_dir}")
    busy = refresh_in_progress(context, warehouse)
    if busy:
        # The cursor is not advanced: the export starts a refresh on a later tick.
        return SkipReason(f"new export waits: {busy}")

    # Files no longer in the folder are forgotten, so the cursor does not grow without end.
    present = {export.path.name for export in folder.settled}
    cursor = {name: print_ for name, print_ in seen.items() if name in present}
    cursor.update({export.path.name: export.fingerprint for export in unseen})
    cursor_text = json.dumps(cursor, sort_keys=True)

    exports = newest_per_study(folder.settled)
    if not any(exports.get(export.study_key) == export for export in unseen):
        superseded = ", ".join(export.path.name for export in unseen)
        return SensorResult(
            skip_reason=SkipReason(f"{superseded}: superseded by a newer export of its study"),
            cursor=cursor_text,
        )
    label = inputs_label(exports)
    return SensorResult(
        run_requests=[refresh_request("landing", exports, run_key=label)], cursor=cursor_text
    )
