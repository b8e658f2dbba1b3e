"""The HTML report in headless Chromium, on a phone (390 px) and a desktop (1366 px), in
English and in Chinese.

The browser comes from tests/conftest.py (`browser`). Screenshots of every width and
language are written to test-output/report-<width>-<language>.png.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import duckdb
import pytest

from cmo_cio.marts import FIGURE_MARTS
from report import build_report
from report.data import rows
from report.figures import reference_wording

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT_DIR / "test-output"
LOCAL_URL = re.compile(r"^(file|data|about|blob):")
PHONE, DESKTOP = 390, 1366
LANGUAGES = ("en", "zh")

# Latin words that stay as they are in the Chinese page: acronyms (CMO, CIO, IBM, CRM),
# a name, and the symbols of statistics.
LATIN_IN_CHINESE = {"Wilson", "p", "n"}
LATIN_WORD = re.compile(r"[A-Za-z]+")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")

# Every visible text of the page with its language and position (SVG text included).
VISIBLE_TEXTS = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, element = node.parentElement;
    const text = node.textContent.trim();
    if (!text || element.closest("script, style, code")) continue;
    if (element.closest("option, optgroup")) {  // a closed list: its entries count as shown
      found.push({text: text, lang: element.closest("[lang]").getAttribute("lang"),
                  chart: "options", left: 0, right: 0, containerLeft: 0, containerRight: 1});
      continue;
    }
    if (!element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const container = element.closest(".chart") || element.closest(".panel, header, footer");
    const outer = container ? container.getBoundingClientRect() : null;
    found.push({
      text: text,
      lang: element.closest("[lang]").getAttribute("lang"),
      svg: element instanceof SVGElement,
      chart: element.closest(".chart") ? element.closest(".chart").id : null,
      left: box.left, right: box.right,
      containerLeft: outer ? outer.left : 0, containerRight: outer ? outer.right : innerWidth,
    });
  }
  return found;
}"""

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
def page_path(served_warehouse, tmp_path_factory) -> Path:
    return build_report(served_warehouse, tmp_path_factory.mktemp("browser_report"))


class OpenedPage:
    """A page of a fresh browser context (nothing remembered), with its problems recorded."""

    def __init__(self, browser, width: int):
        # a reader whose browser speaks English, until told otherwise
        self.context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.outside: list[str] = []
        self.page.on(
            "console", lambda m: self.problems.append(m.text) if m.type == "error" else None
        )
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))
        self.page.on(
            "request", lambda r: None if LOCAL_URL.match(r.url) else self.outside.append(r.url)
        )
        self.page.route(re.compile(r"^https?://"), lambda route: route.abort())

    def open(self, url: str, lang: str):
        self.page.goto(url)
        self.page.wait_for_selector(f"body[data-rendered='{lang}']", timeout=60_000)
        return self.page

    def close(self):
        self.context.close()


@pytest.fixture(scope="module", params=[(w, lang) for w in (PHONE, DESKTOP) for lang in LANGUAGES])
def shown(request, browser, page_path):
    """(page, problems, outside, width, language): the report at one width and language."""
    width, lang = request.param
    opened = OpenedPage(browser, width)
    page = opened.open(f"{page_path.as_uri()}?lang={lang}", lang)
    yield page, opened.problems, opened.outside, width, lang
    opened.close()


def test_page_loads_offline_without_errors(shown):
    page, problems, outside, _, lang = shown
    assert problems == []
    assert outside == [], "the page must not fetch anything from the network"
    title = {"en": "CMO and CIO: acquaintances or allies?", "zh": "CMO和CIO：熟人还是盟友？"}
    assert page.title() == title[lang]
    assert page.evaluate("document.documentElement.lang") == {"en": "en", "zh": "zh-CN"}[lang]


def test_page_fits_the_screen_without_sideways_scrolling(shown):
    page, _, _, width, _ = shown
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_no_text_is_cut_off(shown):
    """Every visible text, axis labels and legends included, lies within its container."""
    page, _, _, _, _ = shown
    clipped = [
        (t["chart"], t["text"], round(t["left"]), round(t["right"]))
        for t in page.evaluate(VISIBLE_TEXTS)
        if t["left"] < t["containerLeft"] - 1 or t["right"] > t["containerRight"] + 1
    ]
    assert clipped == []


def test_every_figure_draws_its_bars_labels_and_report_values(shown, served_rows):
    page, _, _, _, _ = shown
    for figure_id, bars in served_rows["figures"].items():
        chart = f"#chart-{figure_id}"
        assert page.locator(f"{chart} .main-svg").count() > 0, figure_id
        assert page.locator(f"{chart} .barlayer .point").count() == len(bars), figure_id
        # every bar carries its share as a label, inside or beside it
        inside = page.locator(f"{chart} .barlayer .bartext").all_text_contents()
        beside = page.locator(f"{chart} .scatterlayer .textpoint").all_text_contents()
        labels = [text.strip() for text in inside + beside if text.strip()]
        assert sorted(labels) == sorted(f"{r['share_pct']:.0f}%" for r in bars), figure_id
        references = sum(1 for r in bars if reference_wording(r))
        assert page.locator(f"{chart} .scatterlayer .point").count() == references, figure_id
        # the axis title is there in full
        assert page.locator(f"{chart} .xtitle").count() == 1, figure_id


def test_axis_labels_do_not_overlap_and_no_toolbar_covers_the_legend(shown):
    page, _, _, _, _ = shown
    for chart in page.locator(".chart").all():
        name = chart.get_attribute("id")
        boxes = sorted(
            (box["y"], box["y"] + box["height"])
            for box in (label.bounding_box() for label in chart.locator(".ytick text").all())
        )
        overlapping = [
            (above, below) for above, below in pairwise(boxes) if below[0] < above[1] - 1
        ]
        assert overlapping == [], name
        # Plotly's toolbar sat on the legend; the charts have nothing to zoom and show none
        chart.hover()
        assert chart.locator(".modebar").filter(visible=True).count() == 0, name


def test_the_page_speaks_one_language(shown):
    """In Chinese no English is left but names and symbols; in English no Chinese but
    what is marked as Chinese (the report's own title, the language switch)."""
    page, _, _, _, lang = shown
    page_lang = page.evaluate("document.documentElement.lang")
    texts = [t for t in page.evaluate(VISIBLE_TEXTS) if t["lang"] == page_lang]
    if lang == "zh":
        english = {
            (t["chart"], t["text"])
            for t in texts
            if any(
                not word.isupper() and word not in LATIN_IN_CHINESE
                for word in LATIN_WORD.findall(t["text"])
            )
        }
        assert english == set()
    else:
        assert {(t["chart"], t["text"]) for t in texts if CJK.search(t["text"])} == set()


def test_screenshot(shown):
    page, _, _, width, lang = shown
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"report-{width}-{lang}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 50_000


def test_switching_language_changes_every_label_and_is_remembered(browser, page_path):
    opened = OpenedPage(browser, PHONE)
    try:
        page = opened.open(page_path.as_uri(), "en")  # a new reader: the browser's language
        english = _axis_labels(page)
        page.click("button[data-set-lang='zh']")
        page.wait_for_selector("body[data-rendered='zh']")
        chinese = _axis_labels(page)
        assert chinese.keys() == english.keys()
        for chart, labels in english.items():
            assert len(chinese[chart]) == len(labels) > 0, chart
            unchanged = [a for a, b in zip(labels, chinese[chart], strict=True) if a == b]
            assert unchanged == [], chart
        # remembered: the next visit opens in Chinese, unless the address says otherwise
        assert opened.open(page_path.as_uri(), "zh").title() == "CMO和CIO：熟人还是盟友？"
        opened.open(f"{page_path.as_uri()}?lang=en", "en")
        assert opened.problems == []
    finally:
        opened.close()


def test_segment_selector_changes_the_segment_chart(browser, page_path, served_rows):
    opened = OpenedPage(browser, DESKTOP)
    try:
        page = opened.open(f"{page_path.as_uri()}?lang=en", "en")
        _check_segment_selection(page, served_rows["segments"])
        assert opened.problems == []
    finally:
        opened.close()


def _axis_labels(page) -> dict[str, list[str]]:
    return {
        chart.get_attribute("id"): chart.locator(".ytick text").all_text_contents()
        for chart in page.locator(".chart").all()
    }


def _check_segment_selection(page, segment_rows: list[dict]) -> None:
    segment_type, measure_id = _selection_with_most_suppressed(segment_rows)
    cells = [
        r
        for r in segment_rows
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


def _selection_with_most_suppressed(segments: list[dict]) -> tuple[str, str]:
    """The segment type and measure with the most suppressed cells (not the default view)."""
    counts: dict[tuple[str, str], int] = {}
    for row in segments:
        key = (row["segment_type"], row["measure_id"])
        counts[key] = counts.get(key, 0) + bool(row["is_suppressed"])
    candidates = [key for key in counts if key[0] != "region"]
    return max(candidates, key=lambda key: (counts[key], key))
