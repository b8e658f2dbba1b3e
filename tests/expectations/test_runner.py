"""The GX runner on small DuckDB tables: a good table passes, each kind of defect fails."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from expectations.runner import load_suites, validate_warehouse

# One expectation of every kind the warehouse suites use.
SUITE = {
    "name": "marts__shares",
    "meta": {
        "table": "marts.shares",
        "parameters": {
            "country_codes": "select country_code from reference.countries",
            "expected_rows": {"scalar": "select count(*) from reference.countries"},
        },
    },
    "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "cell_id"}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "cell_id"}},
        {
            "type": "expect_compound_columns_to_be_unique",
            "kwargs": {"column_list": ["role", "country_code"]},
        },
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "role", "value_set": ["CMO", "CIO", "ALL"]},
        },
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "country_code", "value_set": {"$PARAMETER": "country_codes"}},
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "share_pct", "min_value": 0, "max_value": 100},
        },
        {
            "type": "expect_column_pair_values_a_to_be_greater_than_b",
            "kwargs": {
                "column_A": "share_pct",
                "column_B": "ci_low_pct",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
        },
        {
            "type": "expect_table_row_count_to_equal",
            "kwargs": {"value": {"$PARAMETER": "expected_rows"}},
        },
        {
            "type": "expect_column_values_to_be_null",
            "kwargs": {
                "column": "share_pct",
                "row_condition": {
                    "type": "comparison",
                    "column": {"name": "is_suppressed"},
                    "operator": "==",
                    "parameter": True,
                },
            },
        },
    ],
}

GOOD_ROWS = """
    (1, 'CMO', 'US', 40.0, 35.0, false),
    (2, 'CIO', 'US', 50.0, 45.0, false),
    (3, 'CMO', 'DE', null, null, true)
"""

# Each defect breaks exactly one expectation (named by its type and column).
DEFECTS = {
    "null key": (
        "update marts.shares set cell_id = null where cell_id = 1",
        "expect_column_values_to_not_be_null(cell_id)",
    ),
    "duplicate key": (
        "update marts.shares set cell_id = 2 where cell_id = 1",
        "expect_column_values_to_be_unique(cell_id)",
    ),
    "duplicate grain": (
        "update marts.shares set role = 'CMO' where cell_id = 2",
        "expect_compound_columns_to_be_unique(role,country_code)",
    ),
    "unknown role": (
        "update marts.shares set role = 'CFO' where cell_id = 2",
        "expect_column_values_to_be_in_set(role)",
    ),
    "country outside the codebook": (
        "update marts.shares set country_code = 'ZZ' where cell_id = 2",
        "expect_column_values_to_be_in_set(country_code)",
    ),
    "share above 100": (
        "update marts.shares set share_pct = 140, ci_low_pct = 130 where cell_id = 1",
        "expect_column_values_to_be_between(share_pct)",
    ),
    "interval bound above the share": (
        "update marts.shares set ci_low_pct = 45 where cell_id = 1",
        "expect_column_pair_values_a_to_be_greater_than_b(share_pct>=ci_low_pct)",
    ),
    "missing row": (
        "delete from marts.shares where cell_id = 3",
        "expect_table_row_count_to_equal(table)",
    ),
    "suppressed cell with a share": (
        "update marts.shares set share_pct = 12.5 where cell_id = 3",
        "expect_column_values_to_be_null(share_pct)",
    ),
}


def make_database(path: Path, defect_sql: str | None = None) -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema reference")
        connection.execute(
            "create table reference.countries as "
            "select * from (values ('US'), ('DE'), ('FR')) as countries(country_code)"
        )
        connection.execute("create schema marts")
        connection.execute(
            "create table marts.shares (cell_id integer, role varchar, country_code varchar, "
            "share_pct double, ci_low_pct double, is_suppressed boolean)"
        )
        connection.execute(f"insert into marts.shares values {GOOD_ROWS}")
        if defect_sql:
            connection.execute(defect_sql)
    return path


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    suite_dir = tmp_path_factory.mktemp("suites")
    (suite_dir / "marts__shares.json").write_text(json.dumps(SUITE), encoding="utf-8")
    return load_suites(suite_dir)


def test_good_table_passes_and_writes_data_docs(tmp_path, suite):
    database = make_database(tmp_path / "good.duckdb")
    docs_dir = tmp_path / "gx_docs"

    run = validate_warehouse(database, docs_dir, suite)

    assert run.success, [outcome.failures for outcome in run.suites]
    outcome = run.suites[0]
    assert outcome.row_count == 3
    assert len(outcome.expectations) == len(SUITE["expectations"])
    assert run.docs_index == docs_dir / "index.html"
    assert "marts__shares" in run.docs_index.read_text(encoding="utf-8")


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_each_defect_fails_its_expectation(tmp_path, suite, defect):
    defect_sql, failing_expectation = DEFECTS[defect]
    database = make_database(tmp_path / "bad.duckdb", defect_sql)

    run = validate_warehouse(database, None, suite)

    assert not run.success
    failed = [
        item.describe().split(":")[0] for item in run.suites[0].expectations if not item.success
    ]
    assert failed == [failing_expectation]


def test_missing_table_fails_the_suite(tmp_path, suite):
    database = tmp_path / "empty.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema reference")
        connection.execute("create table reference.countries as select 'US' as country_code")

    run = validate_warehouse(database, None, suite)

    assert not run.success
    assert "cannot read marts.shares" in run.suites[0].failures[0]


def test_database_is_closed_after_validation(tmp_path, suite):
    database = make_database(tmp_path / "good.duckdb")
    validate_warehouse(database, None, suite)
    # A writer can open the file again: the runner's read-only connection is closed.
    with duckdb.connect(str(database)) as connection:
        connection.execute("insert into marts.shares values (4, 'CIO', 'FR', 1, 0, false)")


def test_docs_keep_the_newest_runs_and_drop_older_ones(tmp_path, suite):
    docs_dir = tmp_path / "gx_docs"
    pages = []
    for number in range(3):
        database = make_database(tmp_path / f"run{number}.duckdb")
        validate_warehouse(database, docs_dir, suite, keep_runs=2, run_name=f"run-{number}")
        pages.append(list((docs_dir / "validations").rglob("*.html")))
    index = (docs_dir / "index.html").read_text(encoding="utf-8")

    assert len(pages[0]) == 1 and len(pages[1]) == 2
    assert len(pages[2]) == 2  # the oldest run's page is gone
    assert "run-1" in index and "run-2" in index and "run-0" not in index


def test_an_export_file_is_validated_without_a_database(tmp_path):
    from expectations.runner import export_file_relation

    suite_dir = tmp_path / "suites"
    suite_dir.mkdir()
    (suite_dir / "raw__export.json").write_text(json.dumps(EXPORT_SUITE), encoding="utf-8")
    suites = load_suites(suite_dir)
    good, bad = tmp_path / "good.parquet", tmp_path / "bad.csv"
    with duckdb.connect() as connection:
        connection.execute(f"copy (select 'R_abc' as ResponseID, 'Japan' as Country) to '{good}'")
        connection.execute(
            f"copy (select 'not-an-id' as ResponseID, 'Japan' as Country) to '{bad}' (header)"
        )

    good_run = validate_warehouse(None, None, suites, {"raw.export": export_file_relation(good)})
    bad_run = validate_warehouse(None, None, suites, {"raw.export": export_file_relation(bad)})

    assert good_run.success
    assert not bad_run.success
    assert (
        bad_run.suites[0]
        .failures[0]
        .startswith("expect_column_values_to_match_regex(ResponseID): 1 unexpected rows")
    )


EXPORT_SUITE = {
    "name": "raw__export",
    "meta": {"table": "raw.export"},
    "expectations": [
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "ResponseID", "regex": "^R_[a-z]+$"},
        },
        {
            "type": "expect_table_columns_to_match_set",
            "kwargs": {"column_set": ["ResponseID", "Country"], "exact_match": True},
        },
    ],
}
