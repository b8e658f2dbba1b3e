"""Write: `dbt build` of every seed and model into the build database.

The engine setting picks the dbt target (profiles.yml: `duckdb`, the default, or `spark`).

Asset keys are `[schema, name]` as in the database (`marts/dim_respondent`); the raw exports
are the dbt sources `raw/<study>_study_2011_export`, upstream assets of `assets/raw.py`.
dbt tests become asset checks by themselves, blocking unless configured with
`severity: warn`.
"""

# No `from __future__ import annotations`: Dagster reads the annotations of the asset function.
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Failure
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from cmo_cio.faults import fault_point
from cmo_cio.landing import dbt_export_vars, describe_inputs
from expectations.runner import import_in_background
from orchestration.assets.raw import build_inputs_of_run, dbt_vars_of_run, exports_of_run
from orchestration.project import MANIFEST_PATH, dbt_project
from orchestration.resources import WarehouseResource

DBT_OP_NAME = "warehouse_dbt"
DBT_RESOURCE_TYPES = ("model", "seed", "snapshot")


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """Asset keys are `[schema, name]` (`marts/dim_respondent`), as in the database."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] in DBT_RESOURCE_TYPES:
            return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return "landing"
        return dbt_resource_props.get("schema")


translator = WarehouseDbtTranslator()


@dbt_assets(
    manifest=MANIFEST_PATH,
    project=dbt_project,
    dagster_dbt_translator=translator,
    name=DBT_OP_NAME,
)
def warehouse_dbt(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """`dbt build` of seeds, models and tests into the build database, from the run's exports."""
    settings = warehouse.settings
    settings.build_db.parent.mkdir(parents=True, exist_ok=True)
    exports = exports_of_run(context.run)
    dbt_vars = {
        **dbt_vars_of_run(context.run),
        "build_db": str(settings.build_db),
        "spark_dir": str(settings.spark_dir),
        **dbt_export_vars(build_inputs_of_run(settings, context.run)),
    }
    context.log.info(f"building on {settings.engine} from " + "; ".join(describe_inputs(exports)))

    target_path = settings.dbt_refresh_target_dir
    # Failures are read from run_results.json: never from a previous refresh's.
    (target_path / "run_results.json").unlink(missing_ok=True)
    invocation = dbt.cli(
        # Unit tests check the models' logic, not the data: CI runs them (make test).
        [
            "build",
            "--target",
            settings.engine,
            "--exclude",
            "test_type:unit",
            "--vars",
            json.dumps(dbt_vars),
        ],
        context=context,
        target_path=target_path,
        raise_on_error=False,
    )
    # The audit after the build needs Great Expectations: import it while dbt works.
    import_in_background()
    for number, event in enumerate(invocation.stream()):
        if number == 1:  # dbt has built its first node
            fault_point("dbt")
        yield event

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


def dbt_resource_types() -> dict[AssetKey, str]:
    """The dbt resource type (model, seed, snapshot) of each dbt asset."""
    manifest = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    return {
        translator.get_asset_key(node): node["resource_type"]
        for node in manifest["nodes"].values()
        if node["resource_type"] in DBT_RESOURCE_TYPES
    }


def dbt_asset_keys(schema: str | None = None) -> list[AssetKey]:
    """Asset keys of the dbt seeds and models (optionally of one schema)."""
    keys = [key for key in dbt_resource_types() if schema is None or key.path[0] == schema]
    return sorted(keys, key=lambda key: key.to_user_string())
