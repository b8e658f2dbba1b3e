"""Publish and report: what BI tools and readers get, once the audit passed.

- `publish` copies the audited public marts to the serving database and Parquet, and the
  restricted microdata to its own owner-only file (`cmo_cio.publish.publish_marts`: new
  files renamed over the old ones). On the Spark engine the audited tables are first copied
  from Spark's Parquet into a DuckDB build file (`cmo_cio.spark_build`): BI users get the
  same files from either engine.
- `report` builds the HTML report from the serving database.

Dagster runs `publish` only after the blocking checks of the marts passed; `publish` also
verifies that this run audited the build before touching what BI tools read.
"""

# No `from __future__ import annotations`: Dagster reads the annotations of the asset functions.
from dagster import AssetExecutionContext, Failure, MaterializeResult, MetadataValue, asset

from cmo_cio.studies import MART_SCHEMA, MICRODATA_SCHEMA
from orchestration.assets.dbt import dbt_asset_keys
from orchestration.checks import audit_failures_of_run
from orchestration.resources import WarehouseResource


@asset(
    key="publish",
    group_name="serving",
    deps=dbt_asset_keys(MART_SCHEMA) + dbt_asset_keys(MICRODATA_SCHEMA),
    description="Write-audit-publish: atomically replaces the public serving database and "
    "its Parquet copy with the aggregate marts, and the restricted microdata database with "
    "the de-identified respondent-level ones, once every blocking check passed.",
)
def publish(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    from cmo_cio.publish import publish_marts, served_row_counts

    problems = audit_failures_of_run(context)
    if problems:
        raise Failure(description="not published, the audit failed: " + "; ".join(problems))

    settings = warehouse.settings
    if settings.engine == "spark":
        from cmo_cio.spark_build import import_spark_build

        import_spark_build(
            settings.spark_tables_dir,
            settings.published_build_db,
            settings.dbt_refresh_target_dir / "manifest.json",
        )
    tables = publish_marts(
        settings.published_build_db,
        settings.serving_db,
        settings.parquet_dir,
        settings.microdata_db,
    )
    context.log.info(f"published {len(tables)} marts to {settings.serving_db}")
    return MaterializeResult(
        metadata={
            "serving_db": MetadataValue.path(str(settings.serving_db)),
            "parquet_dir": MetadataValue.path(str(settings.parquet_dir)),
            "mart_row_counts": MetadataValue.json(served_row_counts(settings.serving_db)),
            "mart_count": len(tables),
            "microdata_db": MetadataValue.path(str(settings.microdata_db)),
            "microdata_row_counts": MetadataValue.json(
                served_row_counts(settings.microdata_db, MICRODATA_SCHEMA)
            ),
        }
    )


@asset(
    key="report",
    group_name="serving",
    deps=["publish"],
    description="The HTML report (index.html) built from the serving database.",
)
def report(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    from report.build import build_report

    settings = warehouse.settings
    index = build_report(settings.serving_db, settings.report_dir)
    context.log.info(f"report written to {index}")
    return MaterializeResult(metadata={"report": MetadataValue.path(str(index))})
