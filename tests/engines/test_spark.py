"""The Spark engine: the same refresh as on DuckDB, serving the same marts.

One headless refresh runs on Spark (`CMO_CIO_ENGINE=spark python -m orchestration`: dbt
build on Spark, the GX audit on Spark DataFrames, publish) from the committed synthetic
exports, in a folder of its own. Its served files are compared with what the DuckDB build
serves (`served_warehouse`): every public mart row by row (text and integers exactly,
doubles to 1e-9), the microdata as the same multiset of rows but for the per-build
respondent numbers. The slow parts (each dbt command on Spark starts a JVM) run once here.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cmo_cio.settings import PROJECT_DIR, WarehouseSettings, environment_under
from cmo_cio.studies import MART_SCHEMA, MICRODATA_SCHEMA
from expectations.runner import load_suites
from tests.support import headless_refresh, query

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("java") is None,
        reason="the Spark engine needs Java (scripts/ensure_java.sh installs it)",
    ),
]
FLOAT_TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def spark_refresh(tmp_path_factory):
    """The folder of a finished refresh on Spark, and its environment."""
    root = tmp_path_factory.mktemp("spark_refresh")
    (root / "landing").mkdir()
    env = {**os.environ, **environment_under(root), "CMO_CIO_ENGINE": "spark"}
    result = headless_refresh(env, timeout=1800)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    return root, env, result.stdout


def served_files(env: dict) -> WarehouseSettings:
    return WarehouseSettings.from_env(env)


def test_the_refresh_on_spark_builds_audits_and_publishes(spark_refresh):
    root, env, output = spark_refresh
    settings = served_files(env)
    assert "dbt on spark" in output
    # one progress line per finished step, counted (the output is not a terminal)
    assert re.findall(r"\] (\d)/5 \w+ done", output) == ["1", "2", "3", "4", "5"]
    assert "failed, 0 warned" in output and " 0 failed" in output
    suites = load_suites()
    assert f"Great Expectations suites: {len(suites)} passed, 0 failed" in output
    assert settings.serving_db.is_file() and settings.microdata_db.is_file()
    assert (settings.report_dir / "index.html").is_file()
    # dbt wrote its tables as Parquet under the engine's folder, not into a DuckDB build
    assert any((settings.spark_tables_dir / "marts.db").glob("*/*.parquet"))
    assert not settings.build_db.exists()


def test_every_public_mart_is_the_same_on_both_engines(spark_refresh, served_warehouse):
    _, env, _ = spark_refresh
    spark_served = served_files(env).serving_db
    tables = _tables(served_warehouse, MART_SCHEMA)
    assert tables and tables == _tables(spark_served, MART_SCHEMA)
    for table in tables:
        assert _columns(spark_served, MART_SCHEMA, table) == _columns(
            served_warehouse, MART_SCHEMA, table
        ), table
        _assert_same_rows(
            table,
            _rows(served_warehouse, MART_SCHEMA, table),
            _rows(spark_served, MART_SCHEMA, table),
        )


def test_the_served_marts_keep_their_descriptions_on_spark(spark_refresh, served_warehouse):
    _, env, _ = spark_refresh
    sql = (
        "select table_name, column_name, comment from duckdb_columns() "
        "where schema_name = 'marts' order by all"
    )
    assert query(served_files(env).serving_db, sql) == query(served_warehouse, sql)


def test_the_microdata_are_the_same_but_for_the_respondent_numbers(spark_refresh, served_warehouse):
    _, env, _ = spark_refresh
    duckdb_microdata = served_warehouse.with_name("respondent_microdata.duckdb")
    spark_microdata = served_files(env).microdata_db
    for table in ("dim_respondent", "fct_survey_response"):
        columns = [
            name
            for name, _ in _columns(duckdb_microdata, MICRODATA_SCHEMA, table)
            if name != "respondent_id"
        ]
        assert _columns(spark_microdata, MICRODATA_SCHEMA, table) == _columns(
            duckdb_microdata, MICRODATA_SCHEMA, table
        )
        listed = ", ".join(columns)
        sql = f"select {listed}, count(*) from {MICRODATA_SCHEMA}.{table} group by all order by all"
        assert query(spark_microdata, sql) == query(duckdb_microdata, sql), table


def test_the_audit_on_spark_fails_a_damaged_table(spark_refresh, tmp_path):
    """The Spark audit really validates: the served suite passes on the engine's table and
    fails on a copy with a share above 100 and a role that does not exist."""
    import duckdb

    from expectations.runner import validate_spark_build

    _, env, _ = spark_refresh
    tables = served_files(env).spark_tables_dir
    damaged = tmp_path / "tables" / "marts.db" / "segment_comparison"
    damaged.mkdir(parents=True)
    source = str(tables / "marts.db" / "segment_comparison" / "*.parquet")
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * replace ("
            f"  case when row_number() over () = 1 then 150.0 else share_pct end as share_pct,"
            f"  case when row_number() over () = 2 then 'CEO' else role end as role"
            f") from read_parquet('{source}')) to '{damaged / 'part-0.parquet'}' (format parquet)"
        )
    shutil.copytree(tables / "reference.db", tmp_path / "tables" / "reference.db")
    suites = load_suites(names=["marts__segment_comparison"])

    good = validate_spark_build(tables, None, suites)
    bad = validate_spark_build(tmp_path / "tables", None, suites)

    assert good.success, good.suites[0].failures
    assert not bad.success
    failures = " ".join(bad.suites[0].failures)
    assert "share_pct" in failures and "role" in failures


def test_junk_in_a_real_interview_fails_the_build_on_spark_too(spark_refresh, tmp_path):
    """Spark runs without ANSI mode (a bad cast is NULL), yet an unparsable start of a real
    interview fails the build by name, as on DuckDB."""
    from tests.dbt_project.test_runs import edited_export

    _, env, _ = spark_refresh

    def junk_in_the_first_real_interview(rows):
        first_real = min(
            (r for r in rows if r["Status"] == "IP Address"), key=lambda r: r["ResponseID"]
        )
        first_real.update(StartDate="31/02/2011 9:xx", Finished="yes")

    cmo = edited_export("cmo", tmp_path / "cmo.csv", junk_in_the_first_real_interview)
    dbt_vars = {"cmo_export_path": str(cmo), "spark_dir": env["CMO_CIO_SPARK_DIR"]}
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            "--target",
            "spark",
            "--select",
            "stg_cmo_study__interviews",
            "--exclude",
            "test_type:unit",
            "--vars",
            json.dumps(dbt_vars),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        env={**env, "DBT_PROFILES_DIR": str(PROJECT_DIR)},
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode != 0
    assert "Failure in test real_cmo_interviews_have_a_parsable_start" in result.stdout
    assert "Failure in test real_cmo_interviews_have_a_finished_code" in result.stdout


# -- reading the served files ---------------------------------------------------------------


def _tables(database: Path, schema: str) -> list[str]:
    rows = query(
        database,
        "select table_name from duckdb_tables() where schema_name = ? order by 1",
        [schema],
    )
    return [row[0] for row in rows]


def _columns(database: Path, schema: str, table: str) -> list[tuple[str, str]]:
    return query(
        database,
        "select column_name, data_type from duckdb_columns() "
        "where schema_name = ? and table_name = ? order by column_index",
        [schema, table],
    )


def _rows(database: Path, schema: str, table: str) -> list[tuple]:
    return query(database, f"select * from {schema}.{table} order by all")


def _assert_same_rows(table: str, expected: list[tuple], actual: list[tuple]) -> None:
    assert len(actual) == len(expected), f"{table}: {len(actual)} rows, not {len(expected)}"
    for number, (want, got) in enumerate(zip(expected, actual, strict=True)):
        for value_wanted, value_got in zip(want, got, strict=True):
            if isinstance(value_wanted, float) and isinstance(value_got, float):
                same = math.isclose(value_wanted, value_got, rel_tol=0, abs_tol=FLOAT_TOLERANCE)
            else:
                same = value_wanted == value_got
            assert same, f"{table} row {number}: {got} differs from {want}"
