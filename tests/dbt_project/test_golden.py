"""The marts keep the values they had before the models were reworked for scale.

`tests/dbt_project/golden/` holds the public marts as the model code of commit 3fdd3af (the
warehouse before the scale rework) built them from the committed synthetic exports, and the
counts of its respondent-level marts (their respondents and answers, not their keys, which are
drawn anew by every build). The current build must give the same rows: text and counts
exactly, doubles to 1e-9.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.support import microdata_of

pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).resolve().parent / "golden"
PUBLIC_MARTS = sorted(
    path.stem
    for path in GOLDEN.glob("*.csv")
    if path.stem not in ("fct_survey_response_counts", "dim_respondent_profiles")
)
# The respondent-level marts, as counts: the golden file and the same count of this build.
RESPONDENT_COUNTS = {
    "fct_survey_response_counts": (
        "select role, item_code, sub_item_code, answer_type, option_code, rank_position, "
        "count(*) as responses from microdata.fct_survey_response group by all"
    ),
    "dim_respondent_profiles": (
        "select role, country_code, region_code, industry_code, size_band_code, "
        "financial_performance, count(*) as respondents "
        "from intermediate.int_interviews_screened where is_qualified group by all"
    ),
}


def differences(connection, current: str, golden: Path) -> list[str]:
    """Rows of the golden file and the current relation that do not match one to one."""
    columns = connection.execute(f"describe {current}").fetchall()
    names = [name for name, *_ in columns]
    types = {name: kind for name, kind, *_ in columns}
    golden_relation = (
        f"(select {', '.join(f'cast({n} as {types[n]}) as {n}' for n in names)} "
        f"from read_csv('{golden}', header = true, all_varchar = true))"
    )
    keys = [n for n in names if types[n] not in ("DOUBLE", "FLOAT")]
    doubles = [n for n in names if types[n] in ("DOUBLE", "FLOAT")]
    matches = " and ".join(f"g.{n} is not distinct from c.{n}" for n in keys)
    close = (
        " and ".join(
            f"(g.{n} is null and c.{n} is null or abs(g.{n} - c.{n}) <= 1e-9)" for n in doubles
        )
        or "true"
    )
    numbered = "row_number() over (partition by {keys} order by {keys}) as copy"
    key_list = ", ".join(keys)
    query = f"""
        with g as (select *, {numbered.format(keys=key_list)} from {golden_relation}),
        c as (select *, {numbered.format(keys=key_list)} from {current})
        select coalesce(g.{keys[0]}, c.{keys[0]}), g.copy is null, c.copy is null, {close}
        from g full join c on {matches} and g.copy = c.copy
        where g.copy is null or c.copy is null or not ({close})
    """
    return [str(row) for row in connection.execute(query).fetchall()]


@pytest.mark.parametrize("mart", PUBLIC_MARTS)
def test_a_public_mart_keeps_its_values(built_warehouse, mart):
    with duckdb.connect(str(built_warehouse), read_only=True) as connection:
        current_columns = {
            name
            for (name,) in connection.execute(
                "select column_name from duckdb_columns() "
                "where schema_name = 'marts' and table_name = ?",
                [mart],
            ).fetchall()
        }
        golden_columns = connection.execute(
            f"select * from read_csv('{GOLDEN / f'{mart}.csv'}', header = true) limit 0"
        ).description
        kept = [column[0] for column in golden_columns]
        assert set(kept) <= current_columns, f"{mart} lost columns"
        current = f"(select {', '.join(kept)} from marts.{mart})"
        assert differences(connection, current, GOLDEN / f"{mart}.csv") == []


@pytest.mark.parametrize("counts", sorted(RESPONDENT_COUNTS))
def test_the_respondent_level_marts_keep_their_counts(built_warehouse, counts):
    database = built_warehouse if "intermediate" in RESPONDENT_COUNTS[counts] else None
    with duckdb.connect(
        str(database or microdata_of(built_warehouse)), read_only=True
    ) as connection:
        current = f"({RESPONDENT_COUNTS[counts]})"
        assert differences(connection, current, GOLDEN / f"{counts}.csv") == []
