"""The dbt build reproduces the report and answers its questions from the marts."""

from __future__ import annotations

import math

import pytest

from tests.support import microdata_of, query

pytestmark = pytest.mark.slow

DESIGN_MARTS = {
    "dim_survey_item",
    "cmo_cio_comparison",
    "segment_comparison",
    "published_figure_reconciliation",
    "screening_summary",
    "fig02_complexity",
    "fig03_external_forces",
    "fig04_technology_importance",
    "fig05_business_technology_collaboration",
    "fig06_cmo_information_sources",
    "fig07_cmo_market_factor_preparedness",
    "fig08_data_priorities",
    "fig09_technology_plans",
}


def test_build_creates_every_mart_of_the_design(built_warehouse):
    public = set(
        query(
            built_warehouse,
            "select schema_name, table_name from duckdb_tables() where schema_name = 'marts'",
        )
    )
    assert {("marts", mart) for mart in DESIGN_MARTS} <= public
    # the respondent-level marts are built into a file of their own
    restricted = set(
        query(microdata_of(built_warehouse), "select schema_name, table_name from duckdb_tables()")
    )
    assert restricted == {("microdata", "dim_respondent"), ("microdata", "fct_survey_response")}


def test_every_published_and_derived_figure_is_reproduced(built_warehouse):
    rows = query(
        built_warehouse,
        """
        select status, count(*), count(*) filter (where not is_reproduced)
        from marts.published_figure_reconciliation
        group by status
        """,
    )
    by_status = {status: (total, failed) for status, total, failed in rows}
    assert by_status["published"][0] > 50 and by_status["derived"][0] >= 2
    failures = query(
        built_warehouse,
        """
        select figure_id, measure_id, role, statistic, reference_value, computed_value
        from marts.published_figure_reconciliation
        where status in ('published', 'derived') and not is_reproduced
        """,
    )
    assert failures == []
    # every row of the reference is reconciled, none lost on the way
    (reference_rows,) = query(built_warehouse, "select count(*) from reference.published_figures")[
        0
    ]
    (reconciled_rows,) = query(
        built_warehouse, "select count(*) from marts.published_figure_reconciliation"
    )[0]
    assert reconciled_rows == reference_rows


def test_significant_gaps_come_from_one_query(built_warehouse):
    from scipy.stats import norm

    significant = query(
        built_warehouse,
        """
        select comparison_id, cmo_n_selecting, cmo_n_answering,
               cio_n_selecting, cio_n_answering, difference_pct_points, p_value
        from marts.cmo_cio_comparison
        where is_significant
        """,
    )
    (paired,) = query(
        built_warehouse,
        "select count(*) from marts.cmo_cio_comparison where p_value is not null",
    )[0]
    assert 0 < len(significant) < paired
    for comparison_id, k1, n1, k2, n2, difference, p_value in significant:
        pooled = (k1 + k2) / (n1 + n2)
        z = (k1 / n1 - k2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        expected_p = 2 * norm.sf(abs(z))
        assert expected_p < 0.05, comparison_id
        assert p_value == pytest.approx(expected_p, abs=1e-9), comparison_id
        assert difference == pytest.approx(100 * (k1 / n1 - k2 / n2), abs=1e-4)


def test_shares_and_wilson_intervals_agree_with_scipy(built_warehouse):
    from scipy.stats import binomtest

    rows = query(
        built_warehouse,
        """
        select measure_id, role, n_selecting, n_answering, share_pct, ci_low_pct, ci_high_pct
        from marts.fig07_cmo_market_factor_preparedness
        union all
        select measure_id, role, n_selecting, n_answering, share_pct, ci_low_pct, ci_high_pct
        from marts.fig05_business_technology_collaboration
        """,
    )
    assert len(rows) > 20
    for measure_id, role, k, n, share, low, high in rows:
        interval = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert share == pytest.approx(100 * k / n, abs=1e-4), (measure_id, role)
        assert low == pytest.approx(100 * interval.low, abs=1e-4), (measure_id, role)
        assert high == pytest.approx(100 * interval.high, abs=1e-4), (measure_id, role)


def test_fig03_keeps_the_ranking_order_of_the_report(built_warehouse):
    rows = query(
        built_warehouse,
        """
        select role, measure_id, rank, reference_rank, reference_rank_status
        from marts.fig03_external_forces
        order by role, rank
        """,
    )
    assert len(rows) == 18
    for role in ("CMO", "CIO"):
        ranks = [rank for row_role, _, rank, _, _ in rows if row_role == role]
        assert ranks == list(range(1, 10))
    mismatched = [row for row in rows if row[4] in ("published", "derived") and row[2] != row[3]]
    assert mismatched == []


def test_every_mart_column_carries_its_description(built_warehouse):
    undocumented_tables = query(
        built_warehouse,
        """
        select table_name from duckdb_tables()
        where schema_name = 'marts' and coalesce(comment, '') = ''
        """,
    )
    assert undocumented_tables == []
    columns = query(
        built_warehouse,
        """
        select table_name, column_name, comment from duckdb_columns()
        where schema_name = 'marts'
        """,
    )
    assert len(columns) > 150
    undocumented = [(table, column) for table, column, comment in columns if not comment]
    assert undocumented == []
    # doc() blocks are rendered, not stored as Jinja
    assert not [comment for _, _, comment in columns if "{{" in comment]


def test_raw_interview_ids_never_leave_staging(built_warehouse):
    leaking = query(
        built_warehouse,
        """
        select schema_name, table_name, column_name from duckdb_columns()
        where schema_name in ('intermediate', 'marts')
          and lower(column_name) in (
              'raw_interview_id', 'responseid', 'resp_id', 'panel_id', 'externalref', 'panel_uid'
          )
        """,
    )
    assert leaking == []
    (raw_ids_as_keys,) = query(
        built_warehouse,
        """
        with raw_ids as (
            select raw_interview_id from staging.stg_cmo_study__interviews
            union all
            select raw_interview_id from staging.stg_cio_study__interviews
        )
        select count(*) from intermediate.int_interviews_screened
        where respondent_key in (select * from raw_ids)
           or respondent_id::varchar in (select * from raw_ids)
        """,
    )[0]
    assert raw_ids_as_keys == 0


def test_small_segment_cells_are_suppressed(built_warehouse):
    rows = query(
        built_warehouse,
        """
        select
            n_answering, n_selecting, share_pct, ci_low_pct, ci_high_pct, is_suppressed,
            suppression_reason, min_cell_n
        from marts.segment_comparison
        """,
    )
    assert {row[7] for row in rows} == {10}, "the build runs with the default min_cell_n"
    small = [row for row in rows if row[0] < 10]
    assert small, "the synthetic data has segment cells under 10 respondents"
    assert all(row[5] and row[6] == "small_cell" for row in small)
    suppressed = [row for row in rows if row[5]]
    assert all(row[1:5] == (None, None, None, None) for row in suppressed)
    shown = [row for row in rows if not row[5]]
    assert all(row[0] >= 10 and row[6] is None and None not in row[1:5] for row in shown)


def test_no_suppressed_count_follows_from_the_measure_total(built_warehouse):
    """Measure total minus the shown cells of a segment type never isolates one hidden cell."""
    groups = query(
        built_warehouse,
        """
        select
            role, measure_id, segment_type,
            count(*) filter (where suppression_reason = 'small_cell') as small_cells,
            list(suppression_reason order by n_answering, segment_value)
                filter (where suppression_reason is distinct from 'small_cell')
                as others_by_size
        from marts.segment_comparison
        where role in ('CMO', 'CIO')
        group by all
        """,
    )
    assert any(g[3] == 1 for g in groups), "the data has a segment type with one small cell"
    for role, measure_id, segment_type, small_cells, others_by_size in groups:
        key = (role, measure_id, segment_type)
        if small_cells == 1:
            # the smallest of the other cells is hidden with it, and only that one
            assert others_by_size[0] == "complementary", key
            assert "complementary" not in others_by_size[1:], key
        else:
            assert "complementary" not in (others_by_size or []), key


def test_pooled_cells_do_not_give_back_a_hidden_cmo_or_cio_cell(built_warehouse):
    """ALL = CMO + CIO per cell: a shown pooled cell beside a hidden role cell would leak it."""
    cells = query(
        built_warehouse,
        """
        select
            pooled.is_suppressed,
            bool_or(by_role.is_suppressed),
            pooled.n_answering = sum(by_role.n_answering)
        from marts.segment_comparison as pooled
        inner join marts.segment_comparison as by_role
            on by_role.role in ('CMO', 'CIO')
            and (pooled.measure_id, pooled.segment_type, pooled.segment_value)
                = (by_role.measure_id, by_role.segment_type, by_role.segment_value)
        where pooled.role = 'ALL'
        group by pooled.measure_id, pooled.segment_type, pooled.segment_value,
            pooled.is_suppressed, pooled.n_answering
        """,
    )
    assert cells and all(adds_up for _, _, adds_up in cells), "ALL cells are CMO + CIO"
    beside_hidden = [cell for cell in cells if cell[1]]
    assert beside_hidden, "the data has pooled cells whose CMO or CIO cell is hidden"
    assert all(pooled_hidden for pooled_hidden, _, _ in beside_hidden)


def holm_adjusted(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment, in the order given: sort ascending, multiply the i-th
    smallest (1-based) of m by m - i + 1, cap at 1, and carry the running maximum."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [0.0] * len(p_values)
    running = 0.0
    for position, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - position) * p_values[index]))
        adjusted[index] = running
    return adjusted


def test_holm_adjusted_p_values_match_a_python_holm_over_the_tested_pairs(built_warehouse):
    rows = query(
        built_warehouse,
        """
        select comparison_id, p_value, p_value_holm, is_significant, is_significant_holm
        from marts.cmo_cio_comparison
        order by comparison_id
        """,
    )
    tested = [row for row in rows if row[1] is not None]
    assert len(tested) >= 10, "the crosswalk pairs about 20 CMO/CIO measures"
    expected = holm_adjusted([row[1] for row in tested])
    for (comparison_id, p_value, p_holm, significant, significant_holm), holm in zip(
        tested, expected, strict=True
    ):
        assert p_holm == pytest.approx(holm, abs=1e-9), comparison_id
        assert significant_holm == (holm < 0.05), comparison_id
        assert significant == (p_value < 0.05), comparison_id
    untested = [row for row in rows if row[1] is None]
    assert untested, "single-role measures have no test"
    assert all(row[2] is None and row[4] is None for row in untested)
