"""The summary a headless refresh prints: inputs, what was built, checked and published."""

from __future__ import annotations

from collections import Counter

from cmo_cio.landing import describe_inputs


def summarize(result) -> tuple[str, list[str]]:
    """The printed summary of a refresh, and the list of what failed (empty on success)."""
    from cmo_cio.publish import served_row_counts
    from cmo_cio.serving import bi_connections
    from cmo_cio.studies import MICRODATA_SCHEMA
    from orchestration.assets.dbt import dbt_resource_types
    from orchestration.assets.raw import exports_of_run
    from orchestration.checks import GX_CHECK_PREFIX, blocks_publish
    from orchestration.resources import settings_of_run

    settings = settings_of_run(result.dagster_run)
    lines: list[str] = []
    failures: list[str] = []
    resource_types = dbt_resource_types()

    built = Counter(
        resource_types.get(event.asset_key, "asset")
        for event in result.get_asset_materialization_events()
        if event.asset_key in resource_types
    )
    lines.append("== Refresh summary ==")
    lines.append("Inputs:")
    lines.extend(f"  {line}" for line in describe_inputs(exports_of_run(result.dagster_run)))
    built_into = settings.spark_tables_dir if settings.engine == "spark" else settings.build_db
    lines.append(f"Built (dbt on {settings.engine}, into {built_into}):")
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
    docs_index = settings.gx_docs_dir / "index.html"
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
        lines.append(f"  public serving database {settings.serving_db}")
        for table, rows in served_row_counts(settings.serving_db).items():
            lines.append(f"    marts.{table}: {rows} rows")
        lines.append(f"  Parquet {settings.parquet_dir}")
        lines.append(f"  restricted microdata (owner-only) {settings.microdata_db}")
        for table, rows in served_row_counts(settings.microdata_db, MICRODATA_SCHEMA).items():
            lines.append(f"    microdata.{table}: {rows} rows")
        lines.append("Connect BI tools read-only:")
        lines.extend(f"  {client}: {how}" for client, how in bi_connections(settings))
    else:
        lines.append("  nothing: the served databases and Parquet are unchanged")
    if "report" in materialized:
        lines.append(f"  report {settings.report_dir / 'index.html'}")

    if failures:
        lines.append("REFRESH FAILED:")
        lines.extend(f"  - {failure}" for failure in failures)
    else:
        lines.append("Refresh succeeded.")
    return "\n".join(lines), failures
