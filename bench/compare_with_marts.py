"""Compare the hand-written recomputation (bench/handwritten.sql) with the dbt marts.

    python -m bench.compare_with_marts --marts-db warehouse/build.duckdb \
        [--handwritten-db PATH | --cmo CMO_EXPORT --cio CIO_EXPORT] [--reference-dir DIR]

Without --handwritten-db the script runs on the exports (default: the committed
synthetic CSVs, which the default dbt build reads) into a temporary database.
Compared, row by row and column by column (floats to 1e-9):
  - marts.screening_summary, marts.cmo_cio_comparison, marts.segment_comparison;
  - every marts.fig0* row against the hand-written measure_shares;
  - intermediate.int_measure_shares against measure_shares, where it is kept;
  - the long grain (survey_responses_labelled): row by row against
    intermediate.int_survey_responses where dbt keeps it as a table keyed by
    respondent_key and the script runs here (the dbt key is recomputed from the
    raw interview id and the salt of dbt_project.yml); and against
    microdata.fct_survey_response: rows per role x item x sub-item x option, and
    every respondent's answers as one text, compared as multisets.
Prints each difference and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from bench.handwritten import DEFAULT_REFERENCE_DIR, PROJECT_DIR, execute_handwritten

TOLERANCE = 1e-9
DEFAULT_CMO = PROJECT_DIR / "data" / "synthetic" / "cmo_study_2011_export.csv"
DEFAULT_CIO = PROJECT_DIR / "data" / "synthetic" / "cio_study_2011_export.csv"
FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}
# figure mart columns that int_measure_shares holds under another name
FIGURE_COLUMN_SOURCES = {
    "rank": "share_rank",
    "rank_in_segment": "share_rank",
    "market_factor_code": "sub_item_code",
    "is_technology_based": "coalesce(is_technology_based, false)",
}
# fig09 pairs a CMO technology with a CIO plan of fig08: its figure_id, pairing and
# order are its own, not the measure's
FIG09_COLUMNS_NOT_COMPARED = {"figure_id", "comparison_id", "display_order"}
MAX_SHOWN = 10


@dataclass
class Comparison:
    """What was compared and every difference found."""

    checked: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not self.differences

    def report(self) -> str:
        lines = [f"compared: {name}" for name in self.checked]
        lines += [f"DIFFERENCE: {text}" for text in self.differences]
        lines.append("EQUAL" if self.equal else f"{len(self.differences)} difference(s)")
        return "\n".join(lines)


def respondent_key_salt() -> str:
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return str(project["vars"]["respondent_key_salt"])


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    rows = con.execute(f"describe select * from {relation}").fetchall()
    return {name: str(kind) for name, kind, *_ in rows}


def _find(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str | None:
    """The dbt table schema.table, qualified by the attached file that holds it, or None."""
    row = con.execute(
        "select database_name from duckdb_tables() "
        "where database_name in ('marts_db', 'microdata_db') "
        "and schema_name = ? and table_name = ? order by database_name limit 1",
        [schema, table],
    ).fetchone()
    return f"{row[0]}.{schema}.{table}" if row else None


def compare_relations(
    con: duckdb.DuckDBPyConnection,
    name: str,
    expected: str,
    actual: str,
    keys: list[str],
    columns: dict[str, str] | None = None,
) -> list[str]:
    """Full outer join of two relations on `keys`; every missing row and unequal cell.

    `expected` is the dbt side. `columns` maps a column of `expected` to the
    expression of `actual` that must equal it (default: every non-key column
    of `expected`, under its own name).
    """
    types = _columns(con, expected)
    if columns is None:
        columns = {column: column for column in types if column not in keys}
    key_match = " and ".join(f"e.{key} is not distinct from a.{key}" for key in keys)
    checks = []
    for column in columns:
        e, a = f"e.{column}", f"a_{column}"
        if types[column] in FLOAT_TYPES:
            differs = (
                f"(({e} is null) != ({a} is null) "
                f"or abs({e} - {a}) > {TOLERANCE} or isnan({e}) != isnan({a}))"
            )
        else:
            differs = f"{e} is distinct from {a}"
        checks.append((column, differs))
    actual_projection = ", ".join(
        keys + [f"{source} as a_{column}" for column, source in columns.items()]
    )
    joined = (
        f"from (select *, true as _present from {expected}) as e "
        f"full outer join (select {actual_projection}, true as _present from {actual}) as a "
        f"on {key_match}"
    )
    key_text = " || ' ' || ".join(
        f"coalesce(cast(coalesce(e.{k}, a.{k}) as varchar), 'NULL')" for k in keys
    )
    differences = []
    sides = (("only in dbt", "a._present is null"), ("only hand-written", "e._present is null"))
    for side, condition in sides:
        count, examples = con.execute(
            f"select count(*), list({key_text})[:{MAX_SHOWN}] {joined} where {condition}"
        ).fetchone()
        if count:
            differences.append(f"{name}: {count} row(s) {side}, e.g. {examples}")
    for column, differs in checks:
        count, examples = con.execute(
            f"select count(*), list({key_text} || ': ' "
            f"|| coalesce(cast(e.{column} as varchar), 'NULL') || ' vs ' "
            f"|| coalesce(cast(a_{column} as varchar), 'NULL'))[:{MAX_SHOWN}] "
            f"{joined} where e._present and a._present and {differs}"
        ).fetchone()
        if count:
            differences.append(f"{name}.{column}: {count} value(s) differ, e.g. {examples}")
    return differences


def _has_temp_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where temporary and table_name = ?", [table]
        ).fetchone()[0]
    )


def _compare_long_grain(con: duckdb.DuckDBPyConnection, result: Comparison) -> None:
    """The hand-written long grain (survey_responses_labelled) against dbt's.

    Row by row against intermediate.int_survey_responses where dbt keeps it as a
    table keyed by respondent_key and the script ran in this connection (its temp
    table `interviews` gives each respondent's raw id, hence the dbt key); and
    always against microdata.fct_survey_response, whose respondent ids are drawn
    at random: rows per role x item x sub-item x option, and every respondent's
    answers as one text, compared as multisets.
    """
    mine = _columns(con, "survey_responses_labelled")
    dbt_table = _find(con, "intermediate", "int_survey_responses")
    compared = False
    if (
        dbt_table
        and "respondent_key" in _columns(con, dbt_table)
        and _has_temp_table(con, "interviews")
    ):
        salt = respondent_key_salt().replace("'", "''")
        # the dbt key of each hand-written respondent: md5(salt|study|raw id)
        con.execute(
            f"""
            create or replace temp view handwritten_responses_keyed as
            select
                md5('{salt}' || '|' || interviews.study || '|' || interviews.raw_interview_id)
                    as respondent_key,
                responses.* exclude (respondent_key)
            from survey_responses_labelled as responses
            inner join interviews on responses.respondent_key = interviews.rowid
            """
        )
        keys = ["respondent_key", "item_code", "sub_item_code"]
        columns = [c for c in _columns(con, dbt_table) if c in mine and c not in keys]
        name = f"int_survey_responses (row by row: {', '.join(columns)})"
        result.checked.append(name)
        result.differences += compare_relations(
            con,
            name,
            f"(select {', '.join(keys + columns)} from {dbt_table})",
            "handwritten_responses_keyed",
            keys,
        )
        compared = True
    fct = _find(con, "microdata", "fct_survey_response")
    if fct:
        grain = "role, item_code, sub_item_code, answer_type, option_code, rank_position"
        name = "fct_survey_response (rows per role x item x sub-item x option)"
        result.checked.append(name)
        result.differences += compare_relations(
            con,
            name,
            f"(select {grain}, count(*) as n_rows, count(distinct respondent_id) as n_respondents "
            f"from {fct} group by all)",
            f"(select {grain}, count(*) as n_rows, count(distinct respondent_key) as n_respondents "
            f"from survey_responses_labelled group by all)",
            grain.split(", "),
        )
        signature = (
            "select role, string_agg(concat_ws(':', item_code, sub_item_code, "
            "coalesce(option_code, '-'), coalesce(cast(rank_position as varchar), '-')), ' ' "
            "order by item_code, sub_item_code) as answers from {table} group by {key}, role"
        )
        name = "fct_survey_response (each respondent's answers, as a multiset)"
        result.checked.append(name)
        result.differences += compare_relations(
            con,
            name,
            f"(select role, answers, count(*) as respondents "
            f"from ({signature.format(table=fct, key='respondent_id')}) group by all)",
            f"(select role, answers, count(*) as respondents from "
            f"({signature.format(table='survey_responses_labelled', key='respondent_key')}) "
            "group by all)",
            ["role", "answers"],
        )
        compared = True
    if not compared:
        result.differences.append(
            "no dbt long grain (int_survey_responses, fct_survey_response) to compare"
        )


def compare_databases(con: duckdb.DuckDBPyConnection) -> Comparison:
    """Compare the hand-written tables of `con` with the dbt databases attached as marts_db
    (and microdata_db, where the microdata are built in a file of their own)."""
    result = Comparison()
    for table, keys in (
        ("screening_summary", ["study", "screening_outcome"]),
        ("cmo_cio_comparison", ["comparison_id"]),
        ("segment_comparison", ["role", "measure_id", "segment_type", "segment_value"]),
    ):
        name = f"marts.{table}"
        result.checked.append(name)
        result.differences += compare_relations(con, name, f"marts_db.marts.{table}", table, keys)

    figure_tables = [
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where database_name = 'marts_db' "
            "and schema_name = 'marts' and table_name like 'fig0%' order by table_name"
        ).fetchall()
    ]
    if not figure_tables:
        result.differences.append("no marts.fig0* table in the dbt database")
    share_columns = set(_columns(con, "measure_shares"))
    for table in figure_tables:
        name = f"marts.{table} (vs measure_shares)"
        result.checked.append(name)
        columns = {}
        for column in _columns(con, f"marts_db.marts.{table}"):
            if column in ("measure_id", "role"):
                continue
            if table.startswith("fig09") and column in FIG09_COLUMNS_NOT_COMPARED:
                continue
            source = FIGURE_COLUMN_SOURCES.get(column, column)
            if source == column and column not in share_columns:
                result.differences.append(f"{name}: no counterpart for column {column}")
                continue
            columns[column] = source
        # every figure row must be a measure_shares row with the same values
        differences = compare_relations(
            con,
            name,
            f"marts_db.marts.{table}",
            f"(select * from measure_shares where (measure_id, role) in "
            f"(select (measure_id, role) from marts_db.marts.{table}))",
            ["measure_id", "role"],
            columns,
        )
        result.differences += differences
    int_measure_shares = _find(con, "intermediate", "int_measure_shares")
    if int_measure_shares:
        name = "intermediate.int_measure_shares"
        result.checked.append(name)
        result.differences += compare_relations(
            con,
            name,
            int_measure_shares,
            "measure_shares",
            ["measure_id", "role"],
        )
    _compare_long_grain(con, result)
    return result


def compare_with_marts(
    marts_db: str | os.PathLike,
    handwritten_db: str | os.PathLike | None = None,
    cmo: str | os.PathLike = DEFAULT_CMO,
    cio: str | os.PathLike = DEFAULT_CIO,
    reference_dir: str | os.PathLike = DEFAULT_REFERENCE_DIR,
    microdata_db: str | os.PathLike | None = None,
) -> Comparison:
    """Compare the dbt database `marts_db` with the hand-written tables.

    The restricted microdata (fct_survey_response) is read from `microdata_db`,
    by default the file profiles.yml builds it in beside `marts_db`
    (build.duckdb -> build.microdata.duckdb), or from `marts_db` itself.

    Without `handwritten_db` the script runs on the exports in a fresh
    temporary database, and the long grain can be compared row by row (its
    temp tables give each respondent's raw id); a finished `handwritten_db`
    has lost them, so its long grain is compared as multisets only.
    """
    if microdata_db is None:
        microdata_db = str(marts_db).replace(".duckdb", "") + ".microdata.duckdb"
    if not Path(marts_db).exists():
        raise FileNotFoundError(marts_db)
    with tempfile.TemporaryDirectory(prefix="handwritten-compare-") as tmp:
        if handwritten_db is None:
            con = duckdb.connect(str(Path(tmp) / "handwritten.duckdb"))
            execute_handwritten(con, cmo, cio, reference_dir)
        else:
            con = duckdb.connect(str(handwritten_db), read_only=True)
        try:
            for alias, path in (("marts_db", marts_db), ("microdata_db", microdata_db)):
                if path is not None and Path(path).exists():
                    literal = str(Path(path).resolve()).replace("'", "''")
                    con.execute(f"attach '{literal}' as {alias} (read_only)")
            return compare_databases(con)
        finally:
            con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marts-db", required=True, help="a dbt build database")
    parser.add_argument("--handwritten-db", help="a database bench.handwritten made")
    parser.add_argument("--cmo", default=str(DEFAULT_CMO), help="CMO export the dbt build read")
    parser.add_argument("--cio", default=str(DEFAULT_CIO), help="CIO export the dbt build read")
    parser.add_argument("--reference-dir", default=str(DEFAULT_REFERENCE_DIR))
    parser.add_argument(
        "--microdata-db", help="the dbt microdata file (default: beside --marts-db)"
    )
    args = parser.parse_args(argv)
    result = compare_with_marts(
        args.marts_db,
        args.handwritten_db,
        args.cmo,
        args.cio,
        args.reference_dir,
        args.microdata_db,
    )
    print(result.report())
    return 0 if result.equal else 1


if __name__ == "__main__":
    sys.exit(main())
