"""Land: the raw export of each study a refresh builds from, as the dbt sources' assets.

The assets `raw/cmo_study_2011_export` and `raw/cio_study_2011_export` are the dbt sources
of the raw exports; materializing them picks the file of each study (the landed export the
run was given, else the committed synthetic export), checks it is there and records which
file it was, so the asset history says what every refresh was built from. The dbt build
reads the same files; the raw GX suites are checks on these assets.
"""

# No `from __future__ import annotations`: Dagster reads the annotations of the asset function.
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
from cmo_cio.studies import STUDIES, STUDY_BY_KEY

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
        return {key: str(Path(path).resolve()) for key, path in self.exports.items() if path}


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
def raw_exports(context: AssetExecutionContext, config: RefreshConfig):
    exports = config.validated_exports()
    for study in STUDIES:
        path = export_file(study.key, exports)
        if not path.is_file():
            raise Failure(description=f"the {study.code} export {path} is not a file")
        stat = path.stat()
        origin = "landed export" if study.key in exports else "committed synthetic export"
        context.log.info(f"{study.code}: {origin} {path}")
        yield MaterializeResult(
            asset_key=raw_asset_key(study),
            metadata={
                "path": MetadataValue.path(str(path)),
                "origin": origin,
                "bytes": stat.st_size,
                "modified": datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(),
            },
        )
