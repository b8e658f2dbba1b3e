"""The summary a headless refresh prints: inputs, what was built, checked and published."""

from __future__ import annotations

from collections import Counter

from cmo_cio.landing import describe_inputs

# how a Dagster Failure's message starts; the summary shows the description alone
FAILURE_PREFIX = "dagster._core.definitions.events.Failure"


def summarize(result) -> tuple[str, list[str]]:
    """The printed summary of a refresh, and the list of what failed (empty on success)."""
    from cmo_cio.publish import served_row_counts
    from cmo_cio.serving import bi_connections
    from cmo_cio.studies import MART_SCHEMA, MICRODATA_SCHEMA
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
    inputs_summary = _accepted_rows(result)
    lines.append("== Refresh summary ==")
    lines.append("Inputs:")
    lines.extend(f"  {line}" for line in describe_inputs(exports_of_run(result.dagster_run)))
    lines.extend(f"  {line}" for line in inputs_summary)
    lines.extend(f"  WARNING {warning}" for warning in _contract_warnings(result))
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
    failed_suites = sorted(
        (item for item in gx if not item.passed), key=lambda item: item.check_name
    )
    if gx:
        lines.append(
            f"  Great Expectations suites: {len(gx) - len(failed_suites)} passed, "
            f"{len(failed_suites)} failed (Data Docs {docs_index})"
        )
    else:
        lines.append("  Great Expectations suites: not run (a step before them failed)")
    # a passing suite is one of the count; a failing one is shown in full
    for item in failed_suites:
        lines.append(f"    FAILED {item.check_name} on {item.asset_key.to_user_string()}")
        failures.append(f"GX suite {item.check_name} on {item.asset_key.to_user_string()}")
        details = item.metadata.get("failures")
        for detail in (details.value if details else [])[:10]:
            lines.append(f"      - {detail}")

    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        message = " ".join(line.strip() for line in (error.message if error else "").splitlines())
        message = message.removeprefix(f"{FAILURE_PREFIX}: ")
        failures.append(f"step {event.step_key}: {message[:600] or 'failed'}")

    materialized = {
        event.asset_key.to_user_string() for event in result.get_asset_materialization_events()
    }
    lines.append("Published:")
    if "publish" in materialized:
        lines.append(f"  public serving database {settings.serving_db}")
        lines.extend(_row_counts(MART_SCHEMA, served_row_counts(settings.serving_db)))
        lines.append(f"  Parquet {settings.parquet_dir}")
        lines.append(f"  restricted microdata (owner-only) {settings.microdata_db}")
        microdata = served_row_counts(settings.microdata_db, MICRODATA_SCHEMA)
        lines.extend(_row_counts(MICRODATA_SCHEMA, microdata))
        lines.append("Connect BI tools read-only:")
        lines.extend(f"  {client}: {how}" for client, how in bi_connections(settings))
    else:
        lines.append("  nothing: the served databases and Parquet are unchanged")
    if "report" in materialized:
        lines.append(f"  report {settings.report_dir / 'index.html'}")

    if failures:
        lines.append("REFRESH FAILED:")
        lines.extend(f"  - {failure}" for failure in failures)
        # the first line says what to act on: the first failure, without its step name
        headline = "REFRESH FAILED: " + failures[0].split(": ", 1)[-1]
    else:
        lines.append("Refresh succeeded.")
        headline = (
            "Refresh succeeded: " + ", ".join(inputs_summary)
            if inputs_summary
            else ("Refresh succeeded.")
        )
    return "\n".join([headline, *lines]), failures


def _row_counts(schema: str, counts: dict[str, int], width: int = 96) -> list[str]:
    """'    marts (rows): cmo_cio_comparison 60, dim_survey_item 65, ...', wrapped between
    tables (never between a table and its count)."""
    lines = [f"    {schema} (rows):"]
    for index, (table, rows) in enumerate(counts.items()):
        item = f" {table} {rows:,}" + ("," if index < len(counts) - 1 else "")
        if len(lines[-1]) + len(item) > width:
            lines.append("     ")
        lines[-1] += item
    return lines


def _accepted_rows(result) -> list[str]:
    """Per export checked by the input contract: rows accepted, and rejected if any."""
    described = []
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        if "rows_accepted" not in metadata:
            continue
        path = metadata["path"].value
        text = f"{path.rsplit('/', 1)[-1]} {metadata['rows_accepted'].value} rows accepted"
        rejected = metadata["rows_rejected"].value
        if rejected:
            text += f", {rejected} rejected (see {metadata['rejects'].value})"
        described.append(text)
    return described


def _contract_warnings(result) -> list[str]:
    """What the input contract accepted but mentions (an ignored column, say), per file."""
    warnings = []
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        if "warnings" in metadata:
            name = metadata["path"].value.rsplit("/", 1)[-1]
            warnings.extend(f"{name}: {warning}" for warning in metadata["warnings"].value)
    return warnings
