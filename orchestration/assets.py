"""Assets of the refresh: dbt build (write), GX suites (audit), publish, report.

- `warehouse_dbt`: every dbt seed, model and snapshot; dbt tests are blocking asset checks.
- `great_expectations_suites`: one blocking asset check per GX suite, on the table it checks.
- `publish`: copies the audited marts to the serving database and Parquet.
- `report`: the HTML report built from the serving database.

Dagster runs a downstream asset only after the blocking checks of its upstream assets passed,
so a failed dbt test or GX suite stops the run before `publish`; `publish` also verifies that
this run audited the build before touching what BI tools read.
"""

# No `from __future__ import annotations` here: Dagster reads the annotations of the asset
# functions (config and resources) when the module is imported.
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    Config,
    ConfigurableResource,
    DagsterEventType,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset_check,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from pydantic import Field

from orchestration import paths
from orchestration.dbt_project import prepare_manifest
from orchestration.jobs import DBT_OP_NAME
from orchestration.lock import refresh_lock

GX_CHECK_PREFIX = "gx_"
MART_SCHEMA = "marts"

dbt_project = DbtProject(
    project_dir=paths.PROJECT_DIR,
    profiles_dir=paths.PROJECT_DIR,
    target_path=paths.dbt_target_dir(),
)
MANIFEST_PATH = prepare_manifest(paths.dbt_target_dir())


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """Asset keys are `[schema, name]` (for example `marts/dim_respondent`), as in the database."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        schema = dbt_resource_props.get("schema")
        return schema if dbt_resource_props["resource_type"] != "source" else "landing"


translator = WarehouseDbtTranslator()


def _manifest() -> dict:
    return json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))


def asset_resource_types() -> dict[AssetKey, str]:
    """The dbt resource type (model, seed, snapshot) of each dbt asset."""
    return {
        translator.get_asset_key(node): node["resource_type"]
        for node in _manifest()["nodes"].values()
        if node["resource_type"] in ("model", "seed", "snapshot")
    }


def dbt_asset_keys(schema: str | None = None) -> list[AssetKey]:
    """Asset keys of the dbt seeds, models and snapshots (optionally of one schema)."""
    keys = [key for key in asset_resource_types() if schema is None or key.path[0] == schema]
    return sorted(keys, key=lambda key: key.to_user_string())


# -- resources and config -------------------------------------------------------------------


class RefreshLockResource(ConfigurableResource):
    """Holds the refresh lock for the whole run (the job runs its steps in one process)."""

    def yield_for_execution(self, context):  # type: ignore[override]
        from contextlib import contextmanager

        @contextmanager
        def held():
            run_id = context.run.run_id if context.run else "no run"
            with refresh_lock(paths.refresh_lock_file(), holder=f"run {run_id}"):
                yield self

        return held()


class RefreshConfig(Config):
    """Real exports to build from instead of the committed synthetic seeds (dbt vars)."""

    cmo_export_path: str = Field(default="", description="CMO export (CSV or Parquet)")
    cio_export_path: str = Field(default="", description="CIO export (CSV or Parquet)")

    def dbt_vars(self) -> dict[str, str]:
        return {
            name: value
            for name, value in (
                ("cmo_export_path", self.cmo_export_path),
                ("cio_export_path", self.cio_export_path),
            )
            if value
        }


# -- write: dbt build -----------------------------------------------------------------------


@dbt_assets(
    manifest=MANIFEST_PATH,
    project=dbt_project,
    dagster_dbt_translator=translator,
    name=DBT_OP_NAME,
)
def warehouse_dbt(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    config: RefreshConfig,
    refresh_lock: RefreshLockResource,
):
    """`dbt build` of seeds, models, snapshots and tests into the build database."""
    build_db = paths.build_db()
    build_db.parent.mkdir(parents=True, exist_ok=True)
    # The dbt profile reads the build database from this variable; make it absolute.
    os.environ["CMO_CIO_BUILD_DB"] = str(build_db)

    from orchestration.inputs import describe_inputs

    args = ["build"]
    dbt_vars = config.dbt_vars()
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    context.log.info("building from " + "; ".join(describe_inputs(dbt_vars)))
    # One folder for every refresh (one at a time): dbt reuses its partial parse.
    target_path = paths.dbt_target_dir() / "refresh"
    # Failures are read from run_results.json: never from a previous refresh's.
    (target_path / "run_results.json").unlink(missing_ok=True)
    invocation = dbt.cli(args, context=context, target_path=target_path, raise_on_error=False)
    yield from invocation.stream()

    failed = failed_dbt_nodes(target_path / "run_results.json")
    if failed or not invocation.is_successful():
        raise Failure(
            description="dbt build failed: " + (", ".join(failed) or "see the dbt log"),
            metadata={"failed_dbt_nodes": failed, "dbt_target_path": str(target_path)},
        )


def failed_dbt_nodes(run_results_path: Path) -> list[str]:
    """Names of the dbt nodes (tests, models, seeds) that failed or errored."""
    if not run_results_path.exists():
        return []
    results = json.loads(run_results_path.read_text(encoding="utf-8"))["results"]
    return [
        f"{result['unique_id']} ({result['status']})"
        for result in results
        if result["status"] in ("fail", "error", "runtime error")
    ]


# -- audit: Great Expectations suites -------------------------------------------------------


def _gx_suites():
    from expectations.runner import load_suites

    return load_suites()


def gx_check_specs(known_assets: set[AssetKey]) -> tuple[list[AssetCheckSpec], list[str]]:
    """One blocking check spec per suite whose table is a dbt asset; and the suites left out."""
    specs, orphaned = [], []
    for suite in _gx_suites():
        key = AssetKey(suite.table.split("."))
        if key not in known_assets:
            orphaned.append(suite.name)
            continue
        specs.append(
            AssetCheckSpec(
                name=GX_CHECK_PREFIX + suite.name,
                asset=key,
                blocking=True,
                description=f"Great Expectations suite {suite.path.name} "
                f"({suite.expectation_count} expectations)",
                metadata={"suite_file": str(suite.path.relative_to(paths.PROJECT_DIR))},
            )
        )
    return specs, orphaned


GX_CHECK_SPECS, GX_SUITES_WITHOUT_ASSET = gx_check_specs(set(dbt_asset_keys()))


# The raw seed each export variable replaces.
RAW_TABLE_OF_EXPORT_VAR = {
    "cmo_export_path": "raw.cmo_study_2011_export",
    "cio_export_path": "raw.cio_study_2011_export",
}


def landed_exports_of_run(context) -> dict[str, str]:
    """Raw table -> export file, for the exports this run's dbt build read instead of seeds."""
    ops_config = (context.run.run_config or {}).get("ops", {})
    config = (ops_config.get(DBT_OP_NAME) or {}).get("config") or {}
    return {
        table: config[variable]
        for variable, table in RAW_TABLE_OF_EXPORT_VAR.items()
        if config.get(variable)
    }


@multi_asset_check(
    specs=GX_CHECK_SPECS,
    name="great_expectations_suites",
    description="Validates every GX suite against the build database and writes Data Docs.",
)
def great_expectations_suites(context):
    from expectations.runner import export_file_relation, load_suites, validate_warehouse

    names = [spec.name.removeprefix(GX_CHECK_PREFIX) for spec in GX_CHECK_SPECS]
    # A refresh built from landed exports has its raw suites check those files, not the seeds.
    landed = landed_exports_of_run(context)
    if landed:
        context.log.info(f"raw suites validate the landed exports {landed}")
    run = validate_warehouse(
        paths.build_db(),
        paths.gx_docs_dir(),
        load_suites(names=names + GX_SUITES_WITHOUT_ASSET),
        table_sources={table: export_file_relation(path) for table, path in landed.items()},
    )
    context.log.info(f"GX Data Docs: {run.docs_index}")
    for outcome in run.suites:
        if not outcome.success:
            context.log.error(f"{outcome.summary()}: " + "; ".join(outcome.failures))
        if outcome.suite.name in GX_SUITES_WITHOUT_ASSET:
            continue
        yield AssetCheckResult(
            check_name=GX_CHECK_PREFIX + outcome.suite.name,
            asset_key=AssetKey(outcome.suite.table.split(".")),
            passed=outcome.success,
            severity=AssetCheckSeverity.ERROR,
            description=outcome.summary(),
            metadata={
                "table": outcome.suite.table,
                "rows": outcome.row_count if outcome.row_count is not None else -1,
                "expectations": outcome.suite.expectation_count,
                "failures": MetadataValue.json(outcome.failures),
                "data_docs": MetadataValue.path(str(run.docs_index or "")),
            },
        )
    if GX_SUITES_WITHOUT_ASSET:
        # A suite must never drop out of the audit silently (a renamed model, say).
        raise Failure(
            description="GX suites whose table is not built by dbt: "
            + ", ".join(GX_SUITES_WITHOUT_ASSET)
        )


# -- publish and report ---------------------------------------------------------------------


def blocks_publish(evaluation) -> bool:
    """A failed check of ERROR severity blocks; dbt tests configured as warnings do not."""
    return not evaluation.passed and evaluation.severity == AssetCheckSeverity.ERROR


def audit_failures_of_run(context: AssetExecutionContext) -> list[str]:
    """What keeps this run from publishing: failed checks, or GX suites that did not run."""
    records = context.instance.get_records_for_run(
        context.run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    evaluations = [record.event_log_entry.dagster_event.event_specific_data for record in records]
    problems = [
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name} failed"
        for evaluation in evaluations
        if blocks_publish(evaluation)
    ]
    passed = {evaluation.check_name for evaluation in evaluations if evaluation.passed}
    problems += [
        f"{spec.asset_key.to_user_string()}:{spec.name} did not run in this refresh"
        for spec in GX_CHECK_SPECS
        if spec.name not in passed
    ]
    return problems


@asset(
    key="publish",
    group_name="serving",
    deps=dbt_asset_keys(MART_SCHEMA),
    description="Write-audit-publish: atomically replaces the serving database and Parquet "
    "with the marts of the build database, once every blocking check passed.",
)
def publish(context: AssetExecutionContext, refresh_lock: RefreshLockResource) -> MaterializeResult:
    from orchestration.publish import publish_marts, served_row_counts

    problems = audit_failures_of_run(context)
    if problems:
        raise Failure(description="not published, the audit failed: " + "; ".join(problems))

    serving_db, parquet_dir = paths.serving_db(), paths.parquet_dir()
    tables = publish_marts(paths.build_db(), serving_db, parquet_dir)
    row_counts = served_row_counts(serving_db)
    context.log.info(f"published {len(tables)} marts to {serving_db}")
    return MaterializeResult(
        metadata={
            "serving_db": MetadataValue.path(str(serving_db)),
            "parquet_dir": MetadataValue.path(str(parquet_dir)),
            "mart_row_counts": MetadataValue.json(row_counts),
            "mart_count": len(tables),
        }
    )


@asset(
    key="report",
    group_name="serving",
    deps=["publish"],
    description="The HTML report (index.html) built from the serving database.",
)
def report(context: AssetExecutionContext) -> MaterializeResult:
    try:
        from report.build import build_report
    except ImportError as error:
        raise Failure(description=f"the report builder is not available: {error}") from error

    out_dir = paths.report_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    index = build_report(paths.serving_db(), out_dir)
    context.log.info(f"report written to {index}")
    return MaterializeResult(metadata={"report": MetadataValue.path(str(index))})
