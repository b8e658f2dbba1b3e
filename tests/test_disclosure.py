"""Serving that protects respondents: an attacker on the public database recovers nothing.

The attacker holds everything the public serving database serves and the codebook of the
repository. They try two ways into a suppressed cell of `segment_comparison`:
- respondent-level tables served beside the aggregates: one join and a `group by` gives
  every hidden count back;
- the published aggregates alone: measure totals, every segment type's cells, pooled (ALL)
  cells that are CMO plus CIO, options of one question that add up to the respondents
  answering it, three forces per ranking, and fig07's bars of one performance segment. As a
  statistics office audits a table, every hidden count is bounded by linear programming over
  all of these equations; a cell is recovered when its lowest and highest feasible values
  meet.
The restricted microdata is tested on its own: every combination of the quasi-identifiers it
keeps is shared by at least k respondents.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pytest
from scipy.optimize import linprog

from cmo_cio.publish import publish_marts
from tests.support import query

pytestmark = pytest.mark.slow

CellKey = tuple[str, str, str, str]  # role, measure_id, segment_type, segment_value


def rows(database, sql: str) -> list[dict]:
    with duckdb.connect(str(database), read_only=True) as connection:
        cursor = connection.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


# -- the attack -------------------------------------------------------------------------------


def respondent_level_recovery(served, codebook_db) -> dict[CellKey, int]:
    """Hidden cells recomputed from respondent-level tables served beside the aggregates."""
    with duckdb.connect(str(served), read_only=True) as connection:
        columns = defaultdict(set)
        for schema, table, column in connection.execute(
            "select schema_name, table_name, column_name from duckdb_columns()"
        ).fetchall():
            columns[(schema, table)].add(column)
    profile = {"role", "region_code", "industry_code", "size_band_code", "financial_performance"}
    answers = {"item_code", "sub_item_code", "option_code"}
    profiles = [name for name, cols in columns.items() if profile <= cols]
    facts = [name for name, cols in columns.items() if answers <= cols and "role" in cols]
    for profile_table in profiles:
        for fact_table in facts:
            shared = (columns[profile_table] & columns[fact_table]) - profile - answers
            keys = [column for column in shared if column.startswith("respondent_")]
            if keys:
                return _recompute_cells(served, codebook_db, profile_table, fact_table, keys[0])
    return {}


def _recompute_cells(served, codebook_db, profile_table, fact_table, key) -> dict:
    profile_relation, fact_relation = ".".join(profile_table), ".".join(fact_table)
    with duckdb.connect(str(served), read_only=True) as connection:
        connection.execute(f"attach '{codebook_db}' as codebook (read_only)")
        recovered = connection.execute(
            f"""
            with measures as (
                select measure_id, role, item_code, sub_item_code,
                    unnest(string_split(selected_option_codes, '|')) as option_code
                from codebook.staging.stg_reference__measures
                where financial_performance_filter is null
            ),
            answers as (
                select p.role, p.region_code, p.industry_code,
                    coalesce(p.size_band_code, 'not_stated') as size_band_code,
                    p.financial_performance, f.item_code, f.sub_item_code, f.option_code,
                    f.{key} as respondent
                from {fact_relation} f join {profile_relation} p using ({key})
                where f.option_code is not null
            ),
            selecting as (
                select distinct m.measure_id, m.role, a.respondent, a.region_code,
                    a.industry_code, a.size_band_code, a.financial_performance
                from answers a join measures m
                    on m.item_code = a.item_code and m.sub_item_code = a.sub_item_code
                    and m.option_code = a.option_code and m.role in (a.role, 'ALL')
            )
            select role, measure_id, 'company_size', size_band_code, count(*) from selecting
            group by all
            union all
            select role, measure_id, 'industry', industry_code, count(*) from selecting
            group by all
            union all
            select role, measure_id, 'region', region_code, count(*) from selecting group by all
            union all
            select role, measure_id, 'financial_performance', financial_performance, count(*)
            from selecting group by all
            """
        ).fetchall()
    cells = {(r, m, t, v): n for r, m, t, v, n in recovered}
    hidden = {cell.key for cell in served_cells(served) if cell.n_selecting is None}
    return {key: cells.get(key, 0) for key in hidden}


@dataclass
class Cell:
    key: CellKey
    n_answering: int
    n_selecting: int | None  # None: suppressed


def served_cells(served) -> list[Cell]:
    return [
        Cell(
            (row["role"], row["measure_id"], row["segment_type"], row["segment_value"]),
            row["n_answering"],
            row["n_selecting"],
        )
        for row in rows(served, "select * from marts.segment_comparison")
    ]


@dataclass
class LinearSystem:
    """Equations over the hidden counts: coefficients . hidden = value."""

    variables: dict[CellKey, int] = field(default_factory=dict)
    equations: list[tuple[dict[CellKey, float], float]] = field(default_factory=list)

    def add(self, terms: list[tuple[float, Cell]], value: float) -> None:
        """Add sum(coefficient * cell) = value; known cells move to the right-hand side."""
        hidden: dict[CellKey, float] = defaultdict(float)
        for coefficient, cell in terms:
            if cell.n_selecting is None:
                hidden[cell.key] += coefficient
            else:
                value -= coefficient * cell.n_selecting
        if hidden:
            self.equations.append((dict(hidden), value))


def aggregate_equations(served, codebook_db) -> tuple[LinearSystem, dict[CellKey, Cell]]:
    """Every linear equation the public aggregates give over the hidden counts."""
    cells = {cell.key: cell for cell in served_cells(served)}
    system = LinearSystem()
    for cell in cells.values():
        if cell.n_selecting is None:
            system.variables[cell.key] = cell.n_answering

    figure_tables = [
        name
        for (name,) in query(
            served,
            "select table_name from duckdb_tables() where schema_name = 'marts' "
            "and table_name like 'fig%'",
        )
    ]
    totals = {}
    for table in figure_tables:
        for measure_id, role, n_selecting in query(
            served, f"select measure_id, role, n_selecting from marts.{table}"
        ):
            totals[(role, measure_id)] = n_selecting

    by_group: dict[tuple, list[Cell]] = defaultdict(list)
    for cell in cells.values():
        role, measure_id, segment_type, _ = cell.key
        by_group[(role, measure_id, segment_type)].append(cell)

    # 1. the cells of a segment type add up to the measure's total
    for (role, measure_id, _), group in by_group.items():
        if (role, measure_id) in totals:
            system.add([(1.0, cell) for cell in group], totals[(role, measure_id)])

    # 2. a pooled (ALL) cell is the CMO cell plus the CIO cell
    for (role, measure_id, segment_type, value), cell in cells.items():
        if role == "ALL":
            parts = [cells.get((r, measure_id, segment_type, value)) for r in ("CMO", "CIO")]
            if all(parts):
                system.add([(1.0, cell), (-1.0, parts[0]), (-1.0, parts[1])], 0.0)

    measures = rows(codebook_db, "select * from staging.stg_reference__measures")
    items = rows(
        codebook_db,
        "select distinct study, item_code, answer_type from staging.stg_reference__survey_items",
    )
    options = rows(
        codebook_db,
        "select study, item_code, option_code from staging.stg_reference__answer_options",
    )
    answer_type = {(row["study"], row["item_code"]): row["answer_type"] for row in items}
    options_of = defaultdict(set)
    for row in options:
        options_of[(row["study"], row["item_code"])].add(row["option_code"])

    # 3. options of one single-choice question that cover all its answers add up to n
    #    answering; 4. a respondent ranks three forces: a ranking's cells add up to 3 n
    by_question = defaultdict(list)
    for measure in measures:
        if not measure["financial_performance_filter"]:
            by_question[(measure["role"], measure["item_code"])].append(measure)
    for (role, item_code), question_measures in by_question.items():
        study = "CMO" if role == "ALL" else role
        kind = answer_type.get((study, item_code))
        selected = set()
        for measure in question_measures:
            selected |= set(measure["selected_option_codes"].split("|"))
        if kind == "single_choice" and selected >= options_of[(study, item_code)]:
            multiplier = 1.0
        elif kind == "top3_ranking":
            multiplier = 3.0
        else:
            continue
        segment_keys = {
            (t, v)
            for (r, m, t, v) in cells
            if r == role and m == question_measures[0]["measure_id"]
        }
        for segment_type, value in segment_keys:
            group = [
                cells.get((role, m["measure_id"], segment_type, value)) for m in question_measures
            ]
            if all(group):
                system.add([(1.0, cell) for cell in group], multiplier * group[0].n_answering)

    # 5. a measure of one performance segment (fig07) is its base measure's segment cell
    for measure in measures:
        segment = measure["financial_performance_filter"]
        if not segment or (measure["role"], measure["measure_id"]) not in totals:
            continue
        base = next(
            m["measure_id"]
            for m in measures
            if m["role"] == measure["role"]
            and m["item_code"] == measure["item_code"]
            and m["sub_item_code"] == measure["sub_item_code"]
            and not m["financial_performance_filter"]
        )
        cell = cells.get((measure["role"], base, "financial_performance", segment))
        if cell:
            system.add([(1.0, cell)], totals[(measure["role"], measure["measure_id"])])
    return system, cells


def exactly_recovered(system: LinearSystem) -> dict[CellKey, float]:
    """The hidden counts whose lowest and highest feasible values meet."""
    keys = list(system.variables)
    if not keys:
        return {}
    index = {key: i for i, key in enumerate(keys)}
    a_eq = np.zeros((len(system.equations), len(keys)))
    b_eq = np.zeros(len(system.equations))
    for row, (terms, value) in enumerate(system.equations):
        for key, coefficient in terms.items():
            a_eq[row, index[key]] = coefficient
        b_eq[row] = value
    bounds = [(0, system.variables[key]) for key in keys]
    recovered = {}
    for key in keys:
        objective = np.zeros(len(keys))
        objective[index[key]] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        assert low.status == 0 and high.status == 0, "the served aggregates contradict"
        if -high.fun - low.fun < 0.5:  # counts are whole: one feasible value
            recovered[key] = low.fun
    return recovered


# -- tests ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def leaky_serving_db(built_warehouse, tmp_path_factory):
    """The public database with respondent-level tables served beside the aggregates,
    as the serving database was laid out before: the attack must get in here."""
    folder = tmp_path_factory.mktemp("leaky")
    served = folder / "serving.duckdb"
    publish_marts(built_warehouse, served, folder / "parquet")
    with duckdb.connect(str(served)) as connection:
        connection.execute(f"attach '{built_warehouse}' as build (read_only)")
        connection.execute(
            "create table marts.dim_respondent as select i.respondent_id, i.role, "
            "c.region_code, i.country_code, i.industry_code, i.size_band_code, "
            "i.financial_performance, i.interview_date, i.interview_minutes "
            "from build.intermediate.int_interviews_screened i "
            "left join build.staging.stg_reference__countries c using (country_code) "
            "where i.is_qualified"
        )
        connection.execute(
            "create table marts.fct_survey_response as select respondent_id, role, item_code, "
            "sub_item_code, option_code from build.intermediate.int_survey_responses"
        )
    return served


def test_the_public_database_serves_no_respondent_level_table(served_warehouse):
    tables = query(
        served_warehouse,
        "select schema_name, table_name, estimated_size from duckdb_tables()",
    )
    assert {schema for schema, _, _ in tables} == {"marts"}
    assert not {"dim_respondent", "fct_survey_response"} & {table for _, table, _ in tables}
    for _, table, _ in tables:
        columns = {
            c
            for (c,) in query(
                served_warehouse,
                f"select column_name from duckdb_columns() where table_name = '{table}'",
            )
        }
        assert not columns & {"respondent_key", "respondent_id"}, table


def test_no_suppressed_cell_is_recovered_from_the_public_database(
    served_warehouse, built_warehouse
):
    hidden = [cell for cell in served_cells(served_warehouse) if cell.n_selecting is None]
    assert hidden, "the seeds' segments have suppressed cells to attack"
    assert respondent_level_recovery(served_warehouse, built_warehouse) == {}
    system, _ = aggregate_equations(served_warehouse, built_warehouse)
    # every hidden cell is in some equation: the attacker has something to work with
    constrained = {key for terms, _ in system.equations for key in terms}
    assert constrained == {cell.key for cell in hidden}
    assert exactly_recovered(system) == {}


def test_the_attack_gets_in_where_respondent_level_tables_are_served(
    leaky_serving_db, built_warehouse
):
    recovered = respondent_level_recovery(leaky_serving_db, built_warehouse)
    truth = {
        (r, m, t, v): n
        for r, m, t, v, n in query(
            built_warehouse,
            "select c.role, c.measure_id, 'company_size', "
            "coalesce(c.size_band_code, 'not_stated'), sum(c.n_selecting) "
            "from intermediate.int_measure_cells c group by all",
        )
    }
    hidden = {cell.key for cell in served_cells(leaky_serving_db) if cell.n_selecting is None}
    assert hidden and set(recovered) == hidden
    for key, value in recovered.items():
        if key[2] == "company_size":
            assert value == truth.get(key, 0), key


def test_the_aggregate_attack_finds_a_lone_hidden_cell(served_warehouse, built_warehouse, tmp_path):
    """Without complementary suppression a lone hidden cell is the total minus the others."""
    exposed = tmp_path / "serving.duckdb"
    shutil.copyfile(served_warehouse, exposed)
    with duckdb.connect(str(built_warehouse), read_only=True) as build:
        truth = {
            (r, m, v): n
            for r, m, v, n in build.execute(
                "select role, measure_id, coalesce(size_band_code, 'not_stated'), "
                "sum(n_selecting) from intermediate.int_measure_cells group by all"
            ).fetchall()
        }
    with duckdb.connect(str(exposed)) as connection:
        for r, m, v in connection.execute(
            "select role, measure_id, segment_value from marts.segment_comparison "
            "where suppression_reason = 'complementary' and segment_type = 'company_size'"
        ).fetchall():
            connection.execute(
                "update marts.segment_comparison set n_selecting = ?, is_suppressed = false "
                "where role = ? and measure_id = ? and segment_type = 'company_size' "
                "and segment_value = ?",
                [truth[(r, m, v)], r, m, v],
            )
    system, _ = aggregate_equations(exposed, built_warehouse)
    recovered = exactly_recovered(system)
    small = {cell.key for cell in served_cells(exposed) if cell.n_selecting is None}
    assert small and set(recovered) == small


def quasi_identifier_classes(database, table: str = "microdata.dim_respondent") -> list[int]:
    """Sizes of the equivalence classes of the quasi-identifiers a respondent table keeps:
    every column but its key, its labels (functions of codes) and bookkeeping."""
    columns = [
        column
        for (column,) in query(
            database,
            "select column_name from duckdb_columns() where schema_name || '.' || table_name = ?",
            [table],
        )
        if not column.startswith("respondent_")
        and not column.endswith(("_en", "_zh"))
        and column != "generalized_attributes"
    ]
    grouping = ", ".join(columns)
    return [n for (n,) in query(database, f"select count(*) from {table} group by {grouping}")]


def microdata_k() -> int:
    import yaml

    from cmo_cio.settings import PROJECT_DIR

    return int(yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["microdata_k"])


def test_the_restricted_microdata_is_k_anonymous(served_warehouse):
    microdata = served_warehouse.with_name("respondent_microdata.duckdb")
    classes = quasi_identifier_classes(microdata)
    assert sum(classes) > 4000  # every qualified respondent is there
    assert min(classes) >= microdata_k()


def test_the_respondent_table_served_before_re_identified_everyone(leaky_serving_db):
    classes = quasi_identifier_classes(leaky_serving_db, "marts.dim_respondent")
    assert min(classes) == 1
    assert sum(1 for size in classes if size == 1) > 0.9 * len(classes)


def test_the_restricted_microdata_is_owner_only_and_keyed_apart_from_the_exports(
    served_warehouse, built_warehouse
):
    import stat

    microdata = served_warehouse.with_name("respondent_microdata.duckdb")
    assert stat.S_IMODE(microdata.stat().st_mode) == 0o600
    keys = {
        key
        for (key,) in query(
            built_warehouse, "select respondent_key from intermediate.int_interviews_screened"
        )
    }
    columns = query(
        microdata,
        "select column_name, data_type from duckdb_columns() where table_name = 'dim_respondent'",
    )
    assert ("respondent_id", "BIGINT") in columns
    assert not {name for name, _ in columns} & {
        "respondent_key",
        "interview_date",
        "interview_minutes",
        "interview_started_at",
    }
    ids = {
        str(i) for (i,) in query(microdata, "select respondent_id from microdata.dim_respondent")
    }
    assert not ids & keys
