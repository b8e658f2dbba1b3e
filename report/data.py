"""Read what the report shows from the serving database, read-only.

The serving database may be replaced by the next refresh at any time, so the connection is
opened read-only, everything is read into plain Python rows at once, and it is closed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cmo_cio.marts import FIGURE_MARTS
from cmo_cio.studies import MART_SCHEMA

Row = dict[str, object]


class ReportDataError(RuntimeError):
    """The serving database lacks a mart or a column the report needs."""


@dataclass(frozen=True)
class ReportData:
    figures: dict[str, list[Row]]  # figure_id -> bars in display order
    comparisons: list[Row]  # cmo_cio_comparison
    segments: list[Row]  # segment_comparison
    screening: list[Row]  # screening_summary
    reconciliation: list[Row]  # published_figure_reconciliation
    sample_coverage: list[Row]  # respondents, countries and industries per role


def load_report_data(serving_db: Path) -> ReportData:
    """Everything the page needs, read in one short read-only session."""
    import duckdb

    serving_db = Path(serving_db)
    if not serving_db.is_file():
        raise ReportDataError(f"serving database {serving_db} does not exist; publish first")
    connection = duckdb.connect(str(serving_db), read_only=True)
    try:
        available = {
            name
            for (name,) in connection.execute(
                "select table_name from duckdb_tables() where schema_name = ?", [MART_SCHEMA]
            ).fetchall()
        }

        def read(table: str, order_by: str) -> list[Row]:
            if table not in available:
                raise ReportDataError(
                    f"serving database {serving_db} has no table {MART_SCHEMA}.{table}"
                )
            return rows(connection, f"select * from {MART_SCHEMA}.{table} order by {order_by}")

        figures = {
            figure_id: read(mart, "display_order, role") for figure_id, mart in FIGURE_MARTS.items()
        }
        reconciliation = read(
            "published_figure_reconciliation", "figure_id, measure_id, role, statistic"
        )
        return ReportData(
            figures=figures,
            comparisons=read("cmo_cio_comparison", "figure_id, comparison_id"),
            segments=read("segment_comparison", "segment_type, segment_value, measure_id, role"),
            screening=read("screening_summary", "study, screening_outcome"),
            reconciliation=reconciliation,
            sample_coverage=_sample_coverage(reconciliation),
        )
    finally:
        connection.close()


# fig01 counts of the reconciliation mart -> the sample table's columns
COVERAGE_MEASURES = {
    "qualified_completes": "respondents",
    "countries": "countries",
    "industries": "industries",
}


def _sample_coverage(reconciliation: list[Row]) -> list[Row]:
    """Qualified respondents, countries and industries per study, as computed for fig01."""
    by_role: dict[str, Row] = {}
    for row in reconciliation:
        column = COVERAGE_MEASURES.get(row["measure_id"])
        if row["figure_id"] == "fig01" and column and row["role"] in ("CMO", "CIO"):
            by_role.setdefault(row["role"], {"role": row["role"]})[column] = int(
                row["computed_value"]
            )
    return [by_role[role] for role in sorted(by_role)]


def rows(connection, sql: str) -> list[Row]:
    """The result of `sql` as a list of dicts keyed by column name."""
    cursor = connection.execute(sql)
    columns = [description[0] for description in cursor.description]
    return [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
