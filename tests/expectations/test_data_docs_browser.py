"""Data Docs of real audits in headless Chromium, opened from file:// with the network cut.

The browser comes from tests/conftest.py (`browser`). The audit runs three times on the
session's build and keeps two runs, so the index must list every suite twice and nothing of
the first run.
"""

from __future__ import annotations

import re

import pytest

from expectations.runner import load_suites, validate_warehouse

pytestmark = pytest.mark.slow

KEEP_RUNS = 2
RUNS = ("audit-1", "audit-2", "audit-3")
LOCAL_URL = re.compile(r"^(file|data|about|blob):")
VALIDATIONS_TABLE = "table.ge-index-page-validation-results-table"
SUITES_TABLE = "table.ge-index-page-expectation_suites-table"
# The status of every Font Awesome face of the page once its fonts settled. (A font face
# that failed is 'error'; `document.fonts.check()` says true even when no face matches.)
FONT_AWESOME_FACE_STATUSES = """async () => {
    await document.fonts.ready;
    return [...document.fonts]
        .filter((face) => face.family.includes("Font Awesome"))
        .map((face) => face.status);
}"""


@pytest.fixture(scope="module")
def data_docs(built_warehouse, tmp_path_factory):
    """The docs folder after the audits, and the names of the suites that ran."""
    suites = load_suites()
    docs_dir = tmp_path_factory.mktemp("data_docs") / "gx_docs"
    for run_name in RUNS:
        validate_warehouse(
            built_warehouse, docs_dir, suites, keep_runs=KEEP_RUNS, run_name=run_name
        )
    return docs_dir, sorted(suite.name for suite in suites)


@pytest.fixture
def offline_page(browser):
    """A page that cannot reach the network, recording console errors, failed loads and
    every request that is not for a local file."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda r: problems.append(f"{r.url}: {r.failure}"))
    page.on("request", lambda r: None if LOCAL_URL.match(r.url) else outside.append(r.url))
    page.route(re.compile(r"^https?://"), lambda route: route.abort())
    yield page, problems, outside
    page.close()


def table_rows(page, table: str) -> list[dict]:
    """The rows bootstrap-table holds (every page of it), as the index's script gave them."""
    return page.evaluate(f"() => $('{table}').bootstrapTable('getData')")


def test_the_index_lists_every_suite_of_the_kept_runs_offline(data_docs, offline_page):
    docs_dir, suite_names = data_docs
    page, problems, outside = offline_page

    page.goto((docs_dir / "index.html").as_uri())
    page.wait_for_selector(f"{VALIDATIONS_TABLE} tbody tr[data-index]", timeout=30_000)

    validations = table_rows(page, VALIDATIONS_TABLE)
    kept = RUNS[-KEEP_RUNS:]
    assert sorted(
        (row["run_name"], row["_expectation_suite_name_sort"]) for row in validations
    ) == [(run, suite) for run in kept for suite in suite_names]
    suites = table_rows(page, SUITES_TABLE)
    assert sorted(row["expectation_suite_name"] for row in suites) == suite_names
    # bootstrap-table drew the first page and counts every row in its pagination.
    rendered = page.locator(f"{VALIDATIONS_TABLE} tbody tr[data-index]").count()
    assert 0 < rendered <= len(validations)
    assert f"of {len(validations)} rows" in page.inner_text("body")
    assert page.locator("img[alt='Great Expectations']").evaluate("img => img.naturalWidth") > 0
    assert problems == []
    assert outside == [], "Data Docs must not fetch anything from the network"


def test_a_validation_page_opens_from_the_index_and_renders(data_docs, offline_page):
    docs_dir, suite_names = data_docs
    page, problems, outside = offline_page
    page.goto((docs_dir / "index.html").as_uri())
    first_row = page.locator(f"{VALIDATIONS_TABLE} tbody tr[data-index]").first
    first_row.wait_for(timeout=30_000)

    with page.expect_navigation():
        first_row.click()

    assert "/validations/" in page.url
    page.wait_for_selector("text=Expectation Validation Result")
    assert page.locator("table.table tbody tr").count() > 0  # the expectations' results
    # Font Awesome's status icons are drawn with its font, loaded from the docs folder.
    icon = page.locator("i.fas").first
    assert "Font Awesome" in icon.evaluate("i => getComputedStyle(i).fontFamily")
    assert "loaded" in page.evaluate(FONT_AWESOME_FACE_STATUSES)
    assert any(name in page.url for name in suite_names)
    assert problems == []
    assert outside == []
