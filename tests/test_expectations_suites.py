"""The warehouse's own suites: they pass on a good build and catch each kind of defect.

A copy of the session's dbt build is damaged in one place per suite; every damaged suite
must fail on exactly the expectation written for that defect, and no other suite may fail.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from expectations.runner import load_suites, validate_warehouse

pytestmark = pytest.mark.slow

# suite -> (damage done to the build, the expectation that must fail because of it)
DAMAGE = {
    "raw__cmo_study_2011_export": (
        "update raw.cmo_study_2011_export set ResponseID = 'R_tooShort' "
        "where ResponseID = (select min(ResponseID) from raw.cmo_study_2011_export)",
        "expect_column_values_to_match_regex(ResponseID)",
    ),
    "raw__cio_study_2011_export": (
        "update raw.cio_study_2011_export set resp_id = (select min(resp_id) "
        "from raw.cio_study_2011_export) where resp_id = (select max(resp_id) "
        "from raw.cio_study_2011_export)",
        "expect_column_values_to_be_unique(resp_id)",
    ),
    "staging__stg_cio_study__interviews": (
        # the staged view reads the raw seed: a real interview in an unknown country
        "update raw.cio_study_2011_export set country_iso = 'ZZ' "
        "where interviewer_id like 'IV%' and resp_id = (select min(resp_id) "
        "from raw.cio_study_2011_export where interviewer_id like 'IV%')",
        "expect_column_values_to_be_in_set(country_code)",
    ),
    "marts__dim_respondent": (
        "update marts.dim_respondent set country_code = 'ZZ' "
        "where respondent_key = (select min(respondent_key) from marts.dim_respondent)",
        "expect_column_values_to_be_in_set(country_code)",
    ),
    "marts__dim_survey_item": (
        "insert into marts.dim_survey_item select * from marts.dim_survey_item limit 1",
        "expect_compound_columns_to_be_unique(role,item_code,sub_item_code)",
    ),
    "marts__fct_survey_response": (
        "update marts.fct_survey_response set rank_position = 4 where rank_position = 3",
        "expect_column_values_to_be_between(rank_position)",
    ),
    "marts__fig02_complexity": (
        "update marts.fig02_complexity set ci_low_pct = least(share_pct + 1, 100) "
        "where measure_id = 'expect_high_complexity' and role = 'CMO'",
        "expect_column_pair_values_a_to_be_greater_than_b(share_pct>=ci_low_pct)",
    ),
    "marts__fig04_technology_importance": (
        "update marts.fig04_technology_importance set ci_high_pct = greatest(share_pct - 1, 0) "
        "where role = 'CIO'",
        "expect_column_pair_values_a_to_be_greater_than_b(ci_high_pct>=share_pct)",
    ),
    "marts__fig06_cmo_information_sources": (
        "delete from marts.fig06_cmo_information_sources "
        "where measure_id = (select min(measure_id) from marts.fig06_cmo_information_sources)",
        "expect_table_row_count_to_equal(table)",
    ),
    "marts__fig08_data_priorities": (
        "update marts.fig08_data_priorities set role = 'CFO' "
        "where measure_id = (select min(measure_id) from marts.fig08_data_priorities)",
        "expect_column_values_to_be_in_set(role)",
    ),
    "marts__segment_comparison": (
        "update marts.segment_comparison set share_pct = 50 where is_suppressed",
        "expect_column_values_to_be_null(share_pct)",
    ),
    "marts__cmo_cio_comparison": (
        "update marts.cmo_cio_comparison set p_value = 1.5 "
        "where comparison_id = (select min(comparison_id) from marts.cmo_cio_comparison)",
        "expect_column_values_to_be_between(p_value)",
    ),
    "marts__published_figure_reconciliation": (
        "update marts.published_figure_reconciliation set measure_id = null "
        "where figure_id = 'fig02'",
        "expect_column_values_to_not_be_null(measure_id)",
    ),
    "marts__screening_summary": (
        "update marts.screening_summary set interview_count = interview_count + 1 "
        "where screening_outcome = 'test_record'",
        "expect_column_sum_to_be_between(interview_count)",
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
    damaged = tmp_path / "damaged.duckdb"
    shutil.copyfile(built_warehouse, damaged)
    with duckdb.connect(str(damaged)) as connection:
        for damage_sql, _ in DAMAGE.values():
            connection.execute(damage_sql)

    run = validate_warehouse(damaged, None)

    outcomes = {outcome.suite.name: outcome for outcome in run.suites}
    assert {outcome.suite.name for outcome in run.failed_suites} == set(DAMAGE)
    for suite_name, (_, expectation) in DAMAGE.items():
        assert expectation in failed_expectations(outcomes[suite_name]), (
            suite_name,
            outcomes[suite_name].failures,
        )
