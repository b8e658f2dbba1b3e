"""Audit: the Great Expectations suites as asset checks, and the publish gate.

Every suite of `expectations` is a check `gx_<suite>` on the asset of the table it validates
(`[schema, table]`), all run by one step after the dbt build, `gx_audit`: the raw suites
read the export files the run built from, the other suites the build database, opened
read-only. One step, so Great Expectations is set up once (and imported while dbt works,
`assets/dbt.py`). Structurally unusable exports never get this far: the build stops before
dbt starts. The checks of the marts and microdata are blocking; a failed raw suite blocks
the publish through the gate (`audit_failures_of_run`), which refuses whenever any check of
the run failed or did not run. A suite whose table no longer exists in the dbt project fails
the audit instead of dropping out of it.
"""

# No `from __future__ import annotations`: Dagster reads the annotations of the check functions.
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    DagsterEventType,
    Failure,
    MetadataValue,
    multi_asset_check,
)

from cmo_cio.faults import fault_point
from cmo_cio.landing import export_file
from cmo_cio.settings import PROJECT_DIR
from cmo_cio.studies import STUDIES
from orchestration.assets.dbt import dbt_asset_keys
from orchestration.assets.raw import build_inputs_of_run, raw_asset_key
from orchestration.resources import WarehouseResource

GX_CHECK_PREFIX = "gx_"
RAW_KEYS = {raw_asset_key(study) for study in STUDIES}


def gx_check_specs(known_assets: set[AssetKey]) -> tuple[list[AssetCheckSpec], list[str]]:
    """One check spec per suite whose table is an asset; and the suites left out.

    The checks of dbt's assets are blocking. Those of the raw exports cannot be: the audit
    runs after the build that reads them (the publish gate stops on them instead)."""
    from expectations.runner import load_suites

    specs, orphaned = [], []
    for suite in load_suites():
        key = AssetKey(suite.table.split("."))
        if key not in known_assets:
            orphaned.append(suite.name)
            continue
        specs.append(
            AssetCheckSpec(
                name=GX_CHECK_PREFIX + suite.name,
                asset=key,
                blocking=key not in RAW_KEYS,
                description=f"Great Expectations suite {suite.name} "
                f"({suite.expectation_count} expectations)",
                metadata={"suite": suite.origin(PROJECT_DIR)},
            )
        )
    return specs, orphaned


GX_CHECK_SPECS, GX_SUITES_WITHOUT_ASSET = gx_check_specs(set(dbt_asset_keys()) | RAW_KEYS)


def _suite_names(specs: list[AssetCheckSpec]) -> list[str]:
    return [spec.name.removeprefix(GX_CHECK_PREFIX) for spec in specs]


def _check_results(context, run):
    """One blocking check result per suite outcome of a validation run."""
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


@multi_asset_check(
    specs=GX_CHECK_SPECS,
    name="gx_audit",
    description="Validates every GX suite: the raw ones against the run's export files, "
    "the others against the build (in DuckDB, or Spark DataFrames on the Spark engine).",
)
def gx_audit(context, warehouse: WarehouseResource):
    from expectations.runner import (
        export_file_relation,
        load_suites,
        validate_spark_build,
        validate_warehouse,
    )

    settings = warehouse.settings
    inputs = build_inputs_of_run(settings, context.run)
    export_files = {study.source_relation: export_file(study.key, inputs) for study in STUDIES}
    suites = load_suites(names=_suite_names(GX_CHECK_SPECS) + GX_SUITES_WITHOUT_ASSET)
    run_name = f"refresh-{context.run.run_id}"
    if settings.engine == "spark":
        run = validate_spark_build(
            settings.spark_tables_dir,
            settings.gx_docs_dir,
            suites,
            export_files=export_files,
            keep_runs=settings.gx_docs_keep_runs,
            run_name=run_name,
        )
    else:
        run = validate_warehouse(
            settings.build_db,
            settings.gx_docs_dir,
            suites,
            relations={table: export_file_relation(path) for table, path in export_files.items()},
            keep_runs=settings.gx_docs_keep_runs,
            run_name=run_name,
        )
    fault_point("gx_audit")
    yield from _check_results(context, run)
    if GX_SUITES_WITHOUT_ASSET:
        # A suite must never drop out of the audit silently (a renamed model, say).
        raise Failure(
            description="GX suites whose table is not built by dbt: "
            + ", ".join(GX_SUITES_WITHOUT_ASSET)
        )


GX_CHECKS = [gx_audit]


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
