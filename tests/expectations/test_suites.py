"""The warehouse's own checks: they pass on a good build and each owner catches its defects.

GX owns value ranges, domains and the raw-file contract; dbt owns keys, relationships and
row identities. A copy of the session's build is damaged once per suite: every damaged suite
must fail on exactly the expectation written for that defect, and no other suite may fail.
Another copy is damaged where dbt is the owner, and the named dbt tests must fail.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from expectations.runner import load_suites, validate_warehouse
from tests.support import copy_build, microdata_of, run_dbt

pytestmark = pytest.mark.slow

# suite -> (damage done to the build, the expectation that must fail because of it)
DAMAGE = {
    "staging__stg_cio_study__interviews": (
        "update staging.stg_cio_study__interviews set b1 = '7' "  # a 5-point scale
        "where raw_interview_id = (select min(raw_interview_id) "
        "from staging.stg_cio_study__interviews where not is_test_record)",
        "expect_column_values_to_be_in_set(b1)",
    ),
    "microdata__dim_respondent": (
        "update microdata.dim_respondent set interview_length_band = '1 minute' "
        "where respondent_id = (select min(respondent_id) from microdata.dim_respondent)",
        "expect_column_values_to_be_in_set(interview_length_band)",
    ),
    "marts__dim_survey_item": (
        "update marts.dim_survey_item set answer_type = 'free_text' "
        "where item_code = (select min(item_code) from marts.dim_survey_item)",
        "expect_column_values_to_be_in_set(answer_type)",
    ),
    "microdata__fct_survey_response": (
        "update microdata.fct_survey_response set rank_position = 4 where rank_position = 3",
        "expect_column_values_to_be_between(rank_position)",
    ),
    "marts__fig02_complexity": (
        "update marts.fig02_complexity set share_pct = 150, ci_high_pct = 150 "
        "where measure_id = 'expect_high_complexity' and role = 'CMO'",
        "expect_column_values_to_be_between(share_pct)",
    ),
    "marts__fig06_cmo_information_sources": (
        "update marts.fig06_cmo_information_sources set label_zh = null "
        "where measure_id = (select min(measure_id) from marts.fig06_cmo_information_sources)",
        "expect_column_values_to_not_be_null(label_zh)",
    ),
    "marts__fig08_data_priorities": (
        "update marts.fig08_data_priorities set role = 'CFO' "
        "where measure_id = (select min(measure_id) from marts.fig08_data_priorities)",
        "expect_column_values_to_be_in_set(role)",
    ),
    "marts__segment_comparison": (
        "update marts.segment_comparison set segment_type = 'country' "
        "where segment_type = 'region'",
        "expect_column_values_to_be_in_set(segment_type)",
    ),
    "marts__cmo_cio_comparison": (
        "update marts.cmo_cio_comparison set p_value = 1.5 "
        "where comparison_id = (select min(comparison_id) from marts.cmo_cio_comparison)",
        "expect_column_values_to_be_between(p_value)",
    ),
    "marts__published_figure_reconciliation": (
        "update marts.published_figure_reconciliation set status = 'guessed' "
        "where figure_id = 'fig02'",
        "expect_column_values_to_be_in_set(status)",
    ),
    "marts__screening_summary": (
        "update marts.screening_summary set interview_count = -1 "
        "where screening_outcome = 'test_record'",
        "expect_column_values_to_be_between(interview_count)",
    ),
}

# dbt test (by name prefix) -> the damage it must catch; GX no longer checks these.
DBT_OWNED_DAMAGE = {
    "expression_is_true_fig02_complexity_": (
        "update marts.fig02_complexity set ci_low_pct = least(share_pct + 1, 100) "
        "where measure_id = 'expect_high_complexity' and role = 'CMO'"
    ),
    "one_bar_per_measure_fig06_cmo_information_sources": (
        "delete from marts.fig06_cmo_information_sources "
        "where measure_id = (select min(measure_id) from marts.fig06_cmo_information_sources)"
    ),
    "unique_combination_of_columns_dim_survey_item_": (
        "insert into marts.dim_survey_item select * from marts.dim_survey_item limit 1"
    ),
    "relationships_dim_respondent_country_code": (
        "update microdata.dim_respondent set country_code = 'ZZ' "
        "where respondent_id = (select max(respondent_id) from microdata.dim_respondent)"
    ),
    "microdata_respondents_are_k_anonymous": (
        "update microdata.dim_respondent set interview_month = date '1999-01-01' "
        "where respondent_id = (select min(respondent_id) from microdata.dim_respondent)"
    ),
    "expression_is_true_segment_comparison_": (
        "update marts.segment_comparison set share_pct = 50 where is_suppressed"
    ),
    "not_null_published_figure_reconciliation_measure_id": (
        "update marts.published_figure_reconciliation set measure_id = null "
        "where figure_id = 'fig04'"
    ),
    "raw_interviews_are_qualified_plus_excluded": (
        "update marts.screening_summary set interview_count = interview_count + 1 "
        "where screening_outcome = 'test_record'"
    ),
}


def failed_expectations(outcome) -> list[str]:
    return [item.describe().split(":")[0] for item in outcome.expectations if not item.success]


@pytest.fixture(scope="module")
def good_validation(built_warehouse):
    return validate_warehouse(built_warehouse, None)


def test_every_suite_passes_on_the_build(good_validation):
    assert len(good_validation.suites) == len(load_suites())
    failures = {outcome.suite.name: outcome.failures for outcome in good_validation.failed_suites}
    assert failures == {}
    assert all(outcome.row_count and outcome.row_count > 0 for outcome in good_validation.suites)


def test_each_damage_fails_its_suite_and_only_it(built_warehouse, tmp_path):
    damaged = copy_build(built_warehouse, tmp_path / "damaged.duckdb")
    for damage_sql, _ in DAMAGE.values():
        target = microdata_of(damaged) if "microdata." in damage_sql else damaged
        with duckdb.connect(str(target)) as connection:
            connection.execute(damage_sql)

    run = validate_warehouse(damaged, None)

    outcomes = {outcome.suite.name: outcome for outcome in run.suites}
    assert {outcome.suite.name for outcome in run.failed_suites} == set(DAMAGE)
    for suite_name, (_, expectation) in DAMAGE.items():
        assert expectation in failed_expectations(outcomes[suite_name]), (
            suite_name,
            outcomes[suite_name].failures,
        )


def test_dbt_owns_keys_relationships_and_identities(built_warehouse, tmp_path):
    damaged = copy_build(built_warehouse, tmp_path / "damaged.duckdb")
    for damage_sql in DBT_OWNED_DAMAGE.values():
        target = microdata_of(damaged) if "microdata." in damage_sql else damaged
        with duckdb.connect(str(target)) as connection:
            connection.execute(damage_sql)
    with pytest.raises(AssertionError):
        run_dbt(
            ["test", "--select", "marts", "microdata", "--exclude", "test_type:unit"],
            damaged,
            tmp_path,
        )
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    failed = [r["unique_id"].split(".")[2] for r in results if r["status"] in ("fail", "error")]
    for test_name in DBT_OWNED_DAMAGE:
        assert any(name.startswith(test_name) for name in failed), (test_name, failed)
