"""The HTML report in headless Chromium (Debian's `chromium`, driven by playwright).

The browser comes from tests/conftest.py (`browser`).
A full-page screenshot is written to test-output/report.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from cmo_cio.marts import FIGURE_MARTS
from report import build_report
from report.data import rows
from report.figures import reference_wording

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCREENSHOT = PROJECT_DIR / "test-output" / "report.png"
LOCAL_URL = re.compile(r"^(file|data|about|blob):")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served_rows(served_warehouse):
    """Mart rows the page must show, read before the page is opened."""
    with duckdb.connect(str(served_warehouse), read_only=True) as connection:
        return {
            "figures": {
                figure_id: rows(connection, f"select * from marts.{mart}")
                for figure_id, mart in FIGURE_MARTS.items()
            },
            "segments": rows(connection, "select * from marts.segment_comparison"),
        }


@pytest.fixture(scope="module")
def report_page(browser, served_warehouse, tmp_path_factory):
    """The built page, opened from a file:// URL with every problem recorded."""
    page_path = build_report(served_warehouse, tmp_path_factory.mktemp("browser_report"))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda r: None if LOCAL_URL.match(r.url) else outside.append(r.url))
    page.route(re.compile(r"^https?://"), lambda route: route.abort())
    page.goto(page_path.as_uri())
    page.wait_for_selector("body[data-rendered='true']", timeout=30_000)
    yield page, problems, outside
    page.close()


def test_page_loads_offline_without_errors(report_page):
    page, problems, outside = report_page
    assert problems == []
    assert outside == [], "the page must not fetch anything from the network"
    assert "CMO和CIO：熟人还是盟友？" in page.title()


def test_every_figure_renders_its_bars_and_report_values(report_page, served_rows):
    page, _, _ = report_page
    for figure_id, bars in served_rows["figures"].items():
        chart = f"#chart-{figure_id}"
        assert page.locator(f"{chart} .main-svg").count() > 0, figure_id
        assert page.locator(f"{chart} .barlayer .point").count() == len(bars), figure_id
        references = sum(1 for r in bars if reference_wording(r))
        assert page.locator(f"{chart} .scatterlayer .point").count() == references, figure_id


def test_segment_selector_changes_the_segment_chart(report_page, served_rows):
    page, problems, _ = report_page
    segment_type, measure_id = _selection_with_most_suppressed(served_rows["segments"])
    cells = [
        r
        for r in served_rows["segments"]
        if r["segment_type"] == segment_type and r["measure_id"] == measure_id
    ]
    before = page.get_attribute("#chart-segments", "data-selection")
    page.select_option("#segment-type", segment_type)
    page.select_option("#segment-measure", measure_id)
    selection = f"{segment_type}/{measure_id}"
    assert selection != before, "pick a selection other than the default"
    page.wait_for_selector(f"#chart-segments[data-selection='{selection}']")

    segments = {r["segment_value"] for r in cells}
    shown = [r for r in cells if not r["is_suppressed"]]
    assert page.locator("#chart-segments .ytick").count() == len(segments)
    assert page.locator("#chart-segments .barlayer .point").count() == len(shown)
    assert page.locator("#segment-table tbody tr").count() == len(segments)

    suppressed_cells = page.locator("#segment-table td.suppressed")
    suppressed = [r for r in cells if r["is_suppressed"]]
    assert {r["suppression_reason"] for r in suppressed} == {"small_cell", "complementary"}, (
        "the served data should have a small cell and its complementary cell to show"
    )
    assert suppressed_cells.count() == len(suppressed)
    expected_texts = sorted(
        "suppressed (complementary)"
        if r["suppression_reason"] == "complementary"
        else f"suppressed (n = {r['n_answering']} < {r['min_cell_n']})"
        for r in suppressed
    )
    assert sorted(suppressed_cells.all_inner_texts()) == expected_texts
    assert problems == []


def test_full_page_screenshot(report_page):
    page, _, _ = report_page
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 50_000


def _selection_with_most_suppressed(segments: list[dict]) -> tuple[str, str]:
    """The segment type and measure with the most suppressed cells (not the default view)."""
    counts: dict[tuple[str, str], int] = {}
    for row in segments:
        key = (row["segment_type"], row["measure_id"])
        counts[key] = counts.get(key, 0) + bool(row["is_suppressed"])
    candidates = [key for key in counts if key[0] != "region"]
    return max(candidates, key=lambda key: (counts[key], key))
