"""The HTML report built from a served database: offline, complete, true to the marts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from cmo_cio.marts import FIGURE_MARTS
from report import build_report
from report.data import ReportDataError, rows
from report.figures import reference_wording
from report.readings import gap_sentences


@pytest.fixture(scope="module")
def built_page(served_warehouse, tmp_path_factory) -> Path:
    return build_report(served_warehouse, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def page_data(built_page) -> dict:
    html = built_page.read_text(encoding="utf-8")
    match = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', html, re.DOTALL
    )
    assert match, "the page embeds its data as JSON"
    return json.loads(match.group(1))


def mart_rows(serving_db: Path, table: str) -> list[dict]:
    with duckdb.connect(str(serving_db), read_only=True) as connection:
        return rows(connection, f"select * from marts.{table}")


@pytest.mark.slow
def test_page_is_self_contained_and_offline(built_page):
    from plotly.offline import get_plotlyjs

    html = built_page.read_text(encoding="utf-8")
    assert built_page.name == "index.html"
    # nothing is fetched: no external scripts, styles or images
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", html)
    # the pinned plotly.js bundle is embedded exactly once
    assert html.count(get_plotlyjs()[:300]) == 1


@pytest.mark.slow
def test_serving_database_is_closed_after_the_build(served_warehouse, built_page):
    # a connection left open by the build would make this read-write open fail
    with duckdb.connect(str(served_warehouse)) as connection:
        assert connection.execute("select count(*) from marts.fig02_complexity").fetchone()[0]


@pytest.mark.slow
def test_every_figure_has_a_bilingual_section_and_chart(built_page):
    html = built_page.read_text(encoding="utf-8")
    for figure_id in FIGURE_MARTS:
        section = re.search(
            rf'<section class="panel figure" id="figure-{figure_id}".*?</section>', html, re.DOTALL
        )
        assert section, f"no section for {figure_id}"
        assert f'id="chart-{figure_id}"' in section.group(0)
        title = re.search(r"<h2>(.*?)</h2>", section.group(0), re.DOTALL).group(1)
        assert re.search(r'<span data-l="zh">图\d+\.</span> <span data-l="en">', title)
        assert '<ul class="reading" data-l="en">' in section.group(0)
        assert '<ul class="reading" data-l="zh">' in section.group(0)


@pytest.mark.slow
def test_bars_and_intervals_are_the_marts_shares(served_warehouse, page_data):
    plots = {
        (figure["id"], lang): plot
        for figure in page_data["figures"]
        for lang, plot in figure["plots"].items()
    }
    assert [figure["id"] for figure in page_data["figures"]] == list(FIGURE_MARTS)
    for (figure_id, lang), plot in plots.items():
        rows = mart_rows(served_warehouse, FIGURE_MARTS[figure_id])
        bars = [t for t in plot["data"] if t["type"] == "bar"]
        drawn = sorted(
            (round(x, 6), round(x + high, 6), round(x - low, 6))
            for trace in bars
            for x, high, low in zip(
                trace["x"],
                trace["error_x"]["array"],
                trace["error_x"]["arrayminus"],
                strict=True,
            )
        )
        expected = sorted(
            (round(r["share_pct"], 6), round(r["ci_high_pct"], 6), round(r["ci_low_pct"], 6))
            for r in rows
        )
        assert drawn == expected, (figure_id, lang)


@pytest.mark.slow
def test_assumed_reference_values_get_their_own_marker(served_warehouse, page_data):
    for figure in page_data["figures"]:
        mart = FIGURE_MARTS[figure["id"]]
        rows = [r for r in mart_rows(served_warehouse, mart) if reference_wording(r)]
        markers = [t for t in figure["plots"]["zh"]["data"] if t.get("mode") == "markers"]
        by_symbol: dict[str, list[float]] = {}
        for trace in markers:
            by_symbol.setdefault(trace["marker"]["symbol"], []).extend(trace["x"])
        assumed = sorted(
            float(r["reference_value"]) for r in rows if r["reference_status"] == "assumed"
        )
        findings = sorted(
            float(r["reference_value"]) for r in rows if r["reference_status"] != "assumed"
        )
        assert sorted(by_symbol.get("circle-open", [])) == assumed, figure["id"]
        assert sorted(by_symbol.get("diamond", [])) == findings, figure["id"]


@pytest.mark.slow
def test_page_says_assumed_values_are_not_findings(built_page):
    text = re.sub(r"\s+", " ", built_page.read_text(encoding="utf-8"))
    assert "Assumed values are calibration assumptions, not the report&#39;s findings." in text
    assert "假设值是校准假设，并非报告的结论。" in text


@pytest.mark.slow
def test_fig03_keeps_the_cmo_ranking_order(served_warehouse, page_data):
    plots = next(f["plots"] for f in page_data["figures"] if f["id"] == "fig03")
    cmo = sorted(
        (r for r in mart_rows(served_warehouse, "fig03_external_forces") if r["role"] == "CMO"),
        key=lambda r: r["rank"],
    )
    for lang, plot in plots.items():
        assert plot["layout"]["yaxis"]["categoryarray"] == [r["measure_id"] for r in cmo]
        for lines, row in zip(plot["ticks"], cmo, strict=True):
            assert lines[0] == row[f"label_{lang}"], (lines, lang)
            assert f"CMO #{row['rank']}" in lines[1]


@pytest.mark.slow
def test_readings_follow_the_significance_in_cmo_cio_comparison(served_warehouse, built_page):
    html = built_page.read_text(encoding="utf-8")
    comparisons = mart_rows(served_warehouse, "cmo_cio_comparison")
    for figure_id in FIGURE_MARTS:
        section = re.search(rf'id="figure-{figure_id}".*?</section>', html, re.DOTALL).group(0)
        for lang in ("en", "zh"):
            readings = re.search(
                rf'<ul class="reading" data-l="{lang}">(.*?)</ul>', section, re.DOTALL
            )
            shown = re.findall(r"<li>(.*?)</li>", readings.group(1), re.DOTALL)
            expected = gap_sentences([c for c in comparisons if c["figure_id"] == figure_id], lang)
            for sentence in expected:
                assert _html_text(sentence) in shown, (figure_id, sentence)
    paired = [c for c in comparisons if c["is_significant"] is not None]
    assert any(c["is_significant"] for c in paired), "expected at least one significant gap"


@pytest.mark.slow
def test_segment_view_carries_every_segment_cell(served_warehouse, page_data):
    segments = page_data["segments"]
    rows = mart_rows(served_warehouse, "segment_comparison")
    assert len(segments["rows"]) == len(rows)
    suppressed_column = segments["columns"].index("is_suppressed")
    share_column = segments["columns"].index("share_pct")
    for row in segments["rows"]:
        if row[suppressed_column]:
            assert row[share_column] is None
    assert {m["id"] for m in segments["measures"]} == {r["measure_id"] for r in rows}
    assert set(segments["types"]) == {"region", "industry", "company_size", "financial_performance"}


def test_missing_mart_is_a_clear_error(tmp_path):
    incomplete = tmp_path / "serving.duckdb"
    with duckdb.connect(str(incomplete)) as connection:
        connection.execute("create schema marts")
        connection.execute(
            "create table marts.fig02_complexity as select 1 as display_order, 'CMO' as role"
        )
    with pytest.raises(ReportDataError, match="no table marts.fig03_external_forces"):
        build_report(incomplete, tmp_path / "out")
    assert not (tmp_path / "out" / "index.html").exists()


def test_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(ReportDataError, match="does not exist"):
        build_report(tmp_path / "absent.duckdb", tmp_path / "out")


def _html_text(sentence: str) -> str:
    from markupsafe import escape

    return str(escape(sentence))


@pytest.mark.slow
def test_text_from_the_marts_cannot_inject_markup(served_warehouse, tmp_path):
    """A label is text: markup, braces and quotes in it are shown, never interpreted."""
    import shutil

    served = tmp_path / "serving.duckdb"
    shutil.copy(served_warehouse, served)
    hostile = '<img src=x onerror=alert(1)> {x} & "quoted" </script><!--'
    with duckdb.connect(str(served)) as connection:
        connection.execute(
            "update marts.fig02_complexity set label_en = ?, label_zh = ?", [hostile] * 2
        )
        connection.execute("update marts.screening_summary set outcome_label_zh = ?", [hostile])
    html = build_report(served, tmp_path / "out").read_text(encoding="utf-8")
    assert "<img src=x" not in html
    assert "<!--" not in html.split('id="report-data">', 1)[1].split("</script>", 1)[0]
    assert "&lt;img src=x onerror=alert(1)&gt; {x} &amp; &#34;quoted&#34;" in html
