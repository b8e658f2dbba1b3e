"""Chart and reading rules of the report on small hand-made mart rows (no warehouse build)."""

from __future__ import annotations

import yaml

from report.build import PROJECT_DIR, min_cell_n
from report.figures import categories_of, figure_spec
from report.readings import gap_sentences


def bar(measure_id: str, role: str = "CMO", share: float = 50.0, **extra) -> dict:
    return {
        "figure_id": extra.pop("figure_id", "fig02"),
        "measure_id": measure_id,
        "role": role,
        "label_en": measure_id.replace("_", " ").capitalize(),
        "label_zh": "中文",
        "n_answering": 200,
        "n_selecting": int(share * 2),
        "share_pct": share,
        "ci_low_pct": share - 5,
        "ci_high_pct": share + 5,
        "reference_statistic": None,
        "reference_value": None,
        "reference_status": None,
        "display_order": extra.pop("display_order", 1),
        **extra,
    }


def test_fig07_segment_bars_sit_under_the_factor_they_split():
    rows = [
        bar("underprepared_data_explosion", is_technology_based=True, performance_segment="all"),
        bar("underprepared_social_media", is_technology_based=True, performance_segment="all"),
        bar("underprepared_privacy", is_technology_based=False, performance_segment="all"),
        bar("underprepared_social_media_outperformers", performance_segment="outperformer"),
        bar("underprepared_social_media_underperformers", performance_segment="underperformer"),
    ]
    order = [c.key for c in categories_of("fig07", rows)]
    assert order == [
        "underprepared_data_explosion",
        "underprepared_social_media",
        "underprepared_social_media_outperformers",
        "underprepared_social_media_underperformers",
        "underprepared_privacy",
    ]
    ticks = {c.key: c.ticks for c in categories_of("fig07", rows)}
    for lang in ("en", "zh"):
        assert ticks["underprepared_social_media"][lang][0].startswith("⊙ <b>")
        assert "⊙" not in ticks["underprepared_privacy"][lang][0]


def test_fig07_names_each_of_its_two_blues_in_the_legend():
    """Technology-based factors are drawn darker than the others: each colour has its own
    legend entry, in the same bar slot."""
    rows = [
        bar("underprepared_data_explosion", is_technology_based=True, performance_segment="all"),
        bar("underprepared_privacy", is_technology_based=False, performance_segment="all"),
        bar("underprepared_privacy_outperformers", performance_segment="outperformer"),
    ]
    bars = [trace for trace in figure_spec("fig07", rows)["data"] if trace["type"] == "bar"]
    cmo = [trace for trace in bars if trace["name"].startswith("CMO:")]
    assert [trace["name"] for trace in cmo] == [
        "CMO: ⊙ technology-based factors",
        "CMO: other factors",
    ]
    assert len({trace["marker"]["color"] for trace in cmo}) == 2
    assert len({trace["offsetgroup"] for trace in cmo}) == 1
    assert [len(trace["y"]) for trace in cmo] == [1, 1]


def test_fig09_pairs_a_cmo_technology_with_its_cio_plan():
    rows = [
        bar("technology_plan_social_media", comparison_id="technology_social_media"),
        bar(
            "visionary_plan_collaboration_social_networking",
            role="CIO",
            comparison_id="technology_social_media",
        ),
        bar("technology_plan_tablet_applications", comparison_id="technology_tablet_applications"),
    ]
    categories = categories_of("fig09", rows)
    assert [sorted(c.bars) for c in categories] == [["CIO", "CMO"], ["CMO"]]
    assert (
        categories[0].ticks["en"][-1] == "CIO plan: Visionary plan collaboration social networking"
    )
    assert categories[1].ticks["en"][-1] == "no CIO counterpart"
    assert categories[0].ticks["zh"] == ["中文", "CIO计划：中文"]


def test_assumed_and_published_values_get_different_markers():
    rows = [
        bar(
            "expect_high_complexity",
            reference_statistic="share_pct",
            reference_value=79,
            reference_status="published",
        ),
        bar(
            "expect_high_complexity",
            role="CIO",
            reference_statistic="share_pct",
            reference_value=78,
            reference_status="assumed",
        ),
        bar("prepared_for_complexity", reference_statistic="rank", reference_value=1),
    ]
    markers = {
        trace["marker"]["symbol"]: trace["x"]
        for trace in figure_spec("fig02", rows)["data"]
        if trace["type"] == "scatter"
    }
    # a rank is not drawn on the share axis
    assert markers == {"diamond": [79.0], "circle-open": [78.0]}


def test_gap_sentences_split_significant_from_not():
    def comparison(label, cmo, cio, p_value):
        return {
            "label_en": label,
            "cmo_share_pct": cmo,
            "cio_share_pct": cio,
            "difference_pct_points": cmo - cio,
            "p_value": p_value,
            "is_significant": p_value < 0.05,
        }

    sentences = gap_sentences(
        [
            comparison("Small", 50.0, 47.0, 0.01),
            comparison("Same", 50.0, 50.04, 0.9),
            comparison("Wide", 80.0, 50.0, 0.00001),
            {"label_en": "CMO only", "cmo_share_pct": 40.0, "cio_share_pct": None},
        ]
    )
    assert sentences == [
        "Significant CMO/CIO gaps (95% level): Wide (CMO 80% vs CIO 50%, +30.0 points, "
        "p < 0.001); Small (CMO 50% vs CIO 47%, +3.0 points, p = 0.010).",
        "Not significant: Same (CMO 50% vs CIO 50%, +0.0 points, p = 0.900).",
    ]


def test_suppression_threshold_comes_from_the_cells_min_cell_n_column():
    configured = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["min_cell_n"]
    built = [
        {"n_answering": configured - 1, "is_suppressed": True, "min_cell_n": configured},
        {"n_answering": configured + 200, "is_suppressed": True, "min_cell_n": configured},
        {"n_answering": configured, "is_suppressed": False, "min_cell_n": configured},
    ]
    assert min_cell_n(built) == configured
    # a run with another threshold: the page prints that run's number, not the configured one
    overridden = [{"n_answering": 15, "is_suppressed": True, "min_cell_n": configured + 10}]
    assert min_cell_n(overridden) == configured + 10
    # cells that disagree (or carry no threshold) get no number at all
    assert min_cell_n([*built, *overridden]) is None
    assert min_cell_n([{"n_answering": 3, "is_suppressed": True}]) is None
