"""Land: the raw export of each study a refresh builds from, as the dbt sources' assets.

The assets `raw/cmo_study_2011_export` and `raw/cio_study_2011_export` are the dbt sources
of the raw exports; materializing them picks the file of each study (the landed export the
run was given, else the committed synthetic export) and checks it against the input contract
(`cmo_cio.contract`) before anything is built. A structural problem stops the refresh here,
naming the file and what to do; rows that break a rule go to the rejects folder, and more of
them than `max_rejected_rows` allows stop it too. The rows that kept the contract are what
the dbt build and the raw GX suites read (`build_inputs_of_run`); the asset history records
which file every refresh was built from and how many of its rows were accepted.
"""

# No `from __future__ import annotations`: Dagster reads the annotations of the asset function.
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)
from pydantic import Field

from cmo_cio.landing import Exports, export_file
from cmo_cio.settings import WarehouseSettings, rejected_rows_allowed
from cmo_cio.studies import STUDIES, STUDY_BY_KEY
from orchestration.resources import WarehouseResource

RAW_OP_NAME = "raw_exports"


class RefreshConfig(Config):
    """The exports to build from; a study not named is built from its synthetic export."""

    exports: dict[str, str] = Field(
        default_factory=dict,
        description="study key (cmo, cio) -> path of a CSV or Parquet export",
    )
    dbt_vars: dict[str, Any] = Field(
        default_factory=dict,
        description="extra dbt vars of this refresh, e.g. {min_cell_n: 20}",
    )

    def validated_exports(self) -> Exports:
        unknown = sorted(set(self.exports) - set(STUDY_BY_KEY))
        if unknown:
            raise Failure(
                description=f"unknown study {', '.join(unknown)} in the refresh config; "
                f"known: {', '.join(STUDY_BY_KEY)}"
            )
        return {key: os.path.abspath(path) for key, path in self.exports.items() if path}


def raw_asset_key(study) -> AssetKey:
    return AssetKey(study.source_relation.split("."))


def refresh_op_config(exports: Exports, dbt_vars: dict | None = None) -> dict:
    """The `ops` part of a run config that builds from `exports` (with extra dbt vars)."""
    config: dict[str, Any] = {"exports": dict(sorted(exports.items()))}
    if dbt_vars:
        config["dbt_vars"] = dbt_vars
    return {RAW_OP_NAME: {"config": config}}


def _refresh_config_of_run(run) -> dict:
    ops_config = (run.run_config or {}).get("ops", {}) if run else {}
    return (ops_config.get(RAW_OP_NAME) or {}).get("config") or {}


def exports_of_run(run) -> Exports:
    """The exports a run was configured to build from (empty: all synthetic)."""
    exports = _refresh_config_of_run(run).get("exports") or {}
    return {key: path for key, path in exports.items() if path}


def dbt_vars_of_run(run) -> dict[str, Any]:
    """The extra dbt vars a run was configured with."""
    return dict(_refresh_config_of_run(run).get("dbt_vars") or {})


@multi_asset(
    name=RAW_OP_NAME,
    specs=[
        AssetSpec(
            raw_asset_key(study),
            group_name="landing",
            description=f"The {study.name} export a refresh builds from (dbt source "
            f"{study.source_relation}).",
        )
        for study in STUDIES
    ],
)
def raw_exports(
    context: AssetExecutionContext, config: RefreshConfig, warehouse: WarehouseResource
):
    from cmo_cio.contract import ExportRefused, check_export

    settings = warehouse.settings
    exports = config.validated_exports()
    accepted_dir = accepted_dir_of_run(settings, context.run)
    _remove_other_runs_accepted(settings, accepted_dir)
    checks = []
    for study in STUDIES:
        path = export_file(study.key, exports)
        try:
            checks.append(check_export(study, path, accepted_dir, settings.rejects_dir))
        except ExportRefused as refused:
            raise Failure(description=str(refused)) from None
    for check in checks:
        allowed = rejected_rows_allowed(settings.max_rejected_rows, check.rows_in)
        for warning in check.warnings:
            context.log.warning(f"{check.study.code} export {check.path.name}: {warning}")
        if check.rows_rejected > allowed:
            raise Failure(description=_too_many_rejected(check, allowed))
        if check.rows_rejected:
            context.log.warning(check.summary())

    for study, check in zip(STUDIES, checks, strict=True):
        stat = check.path.stat()
        origin = "landed export" if study.key in exports else "committed synthetic export"
        context.log.info(f"{check.summary()} ({origin})")
        yield MaterializeResult(
            asset_key=raw_asset_key(study),
            metadata={
                "path": MetadataValue.path(str(check.path)),
                "origin": origin,
                "bytes": stat.st_size,
                "modified": datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(),
                "rows": check.rows_in,
                "rows_accepted": check.rows_accepted,
                "rows_rejected": check.rows_rejected,
                "rejects": MetadataValue.path(str(check.rejects_path or "")),
                "contract_problems": MetadataValue.json([b.describe() for b in check.breaks]),
                "warnings": MetadataValue.json(check.warnings),
            },
        )


def _too_many_rejected(check, allowed: int) -> str:
    first = check.breaks[0].describe() if check.breaks else ""
    return (
        f"{check.study.code} export {check.path.name}: {check.rows_rejected} of "
        f"{check.rows_in} rows break the input contract ({first}"
        f"{'; ...' if len(check.breaks) > 1 else ''}). Every rejected row and its reasons are "
        f"in {check.rejects_path}. Fix the export, or let a refresh publish without them "
        f"by setting CMO_CIO_MAX_REJECTED_ROWS (now {allowed})."
    )


def accepted_dir_of_run(settings: WarehouseSettings, run) -> Path:
    """Where a run keeps the accepted rows of its exports."""
    return settings.accepted_exports_dir / (run.run_id if run else "no-run")


def _remove_other_runs_accepted(settings: WarehouseSettings, keep: Path) -> None:
    """Accepted rows of earlier runs (finished, or killed) are not needed again."""
    import shutil

    folder = settings.accepted_exports_dir
    if folder.is_dir():
        for old in folder.iterdir():
            if old == keep:
                continue
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink()


def build_inputs_of_run(settings: WarehouseSettings, run) -> Exports:
    """Study key -> the file the build and the raw suites read: the rows of its export that
    kept the contract, as this run's raw step wrote them (the export itself when the step
    did not run)."""
    exports = exports_of_run(run)
    accepted_dir = accepted_dir_of_run(settings, run)
    inputs = {}
    for study in STUDIES:
        accepted = accepted_dir / f"{study.key}.parquet"
        inputs[study.key] = str(accepted if accepted.is_file() else export_file(study.key, exports))
    return inputs
