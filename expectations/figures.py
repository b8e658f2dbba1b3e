"""The Great Expectations suites of the figure marts, built from one declaration.

Every figure mart (`cmo_cio.marts.FIGURE_MARTS`) has the same bar columns, so one builder
writes its suite: the value ranges and domains GX owns (shares and interval bounds in 0-100,
counts within range, roles and provenance statuses, labels present). Keys, the interval order
and the one-bar-per-measure count are dbt tests (`models/marts/figures/_figures__models.yml`).
A figure with columns of its own adds their expectations in `EXTRA_EXPECTATIONS`.
"""

from __future__ import annotations

from cmo_cio.marts import FIGURE_MARTS
from cmo_cio.studies import MART_SCHEMA, REFERENCE_SCHEMA

# The roles whose bars a figure shows, from the codebook: the roles of its measures, and CIO
# where the crosswalk pairs its CMO measures with CIO ones (fig09's visionary plans).
ROLES_QUERY = (
    f"select role from {REFERENCE_SCHEMA}.measures where figure_id = '{{figure_id}}' "
    f"union select 'CIO' from {REFERENCE_SCHEMA}.cmo_cio_crosswalk "
    "where figure_id = '{figure_id}' and cio_measure_id is not null"
)

EXTRA_EXPECTATIONS: dict[str, list[dict]] = {
    "fig03": [
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "rank", "min_value": 1, "max_value": 9},
            "meta": {"why": "Nine forces are ranked."},
        },
    ],
    "fig07": [
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {
                "column": "performance_segment",
                "value_set": ["all", "outperformer", "underperformer"],
            },
        },
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "is_technology_based"},
        },
    ],
    "fig09": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "comparison_id"}},
    ],
}


def figure_suite(figure_id: str, mart: str) -> dict:
    """The GX suite document (with the runner's `meta`) of one figure mart."""

    def expect(kind: str, meta_why: str | None = None, **kwargs) -> dict:
        expectation = {"type": f"expect_{kind}", "kwargs": kwargs}
        if meta_why:
            expectation["meta"] = {"why": meta_why}
        return expectation

    share_columns = ["share_pct", "ci_low_pct", "ci_high_pct"]
    return {
        "name": f"{MART_SCHEMA}__{mart}",
        "meta": {
            "table": f"{MART_SCHEMA}.{mart}",
            "notes": f"The bars of report figure {figure_id}: shares of qualified respondents "
            "with 95% intervals, beside the report's value.",
            "parameters": {"roles": ROLES_QUERY.format(figure_id=figure_id)},
        },
        "expectations": [
            expect("column_values_to_be_in_set", column="figure_id", value_set=[figure_id]),
            expect("column_values_to_be_in_set", column="role", value_set={"$PARAMETER": "roles"}),
            expect("column_values_to_not_be_null", column="label_en"),
            expect("column_values_to_not_be_null", column="label_zh"),
            expect("column_values_to_not_be_null", column="n_answering"),
            expect(
                "column_values_to_be_between",
                "A bar is counted over at least one answering respondent.",
                column="n_answering",
                min_value=1,
            ),
            expect("column_values_to_be_between", column="n_selecting", min_value=0),
            expect("column_values_to_not_be_null", column="share_pct"),
            *(
                expect(
                    "column_values_to_be_between",
                    "Shares and their bounds are percentages.",
                    column=column,
                    min_value=0,
                    max_value=100,
                )
                for column in share_columns
            ),
            expect(
                "column_values_to_be_in_set",
                column="reference_status",
                value_set=["published", "derived", "assumed"],
            ),
            expect("table_row_count_to_be_between", "A figure has bars.", min_value=1),
            *EXTRA_EXPECTATIONS.get(figure_id, []),
        ],
    }


def figure_suites() -> list[dict]:
    """The suite documents of every figure mart, in report order."""
    return [figure_suite(figure_id, mart) for figure_id, mart in FIGURE_MARTS.items()]
