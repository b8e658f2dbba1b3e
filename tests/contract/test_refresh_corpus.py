"""Every export of the corpus through the real refresh (`make run`'s code path).

One folder of run-time files serves the whole module: a first refresh from the synthetic
exports publishes a version, then each case is landed alone in the landing folder (the other
study builds from its synthetic export) and refreshed. A refused export, or one with rejected
rows beyond the tolerance, fails the refresh with the summary's first line naming the file
and the problem, and leaves every served file byte for byte as it was; an accepted one, or
one whose rejected rows the tolerance allows, is published.
"""

from __future__ import annotations

import csv
import os
import shutil
import time

import pytest

from cmo_cio.settings import WarehouseSettings, environment_under
from tests.contract.corpus import CASES, write_case
from tests.support import digest, folder_digest, query

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, defs):
    root = tmp_path_factory.mktemp("corpus_refresh")
    with pytest.MonkeyPatch.context() as patch:
        for variable, path in environment_under(root).items():
            patch.setenv(variable, path)
        patch.setenv("CMO_CIO_LANDING_SETTLE_SECONDS", "0")
        patch.delenv("CMO_CIO_MAX_REJECTED_ROWS", raising=False)
        (root / "landing").mkdir()
        first_line, _ = refresh()
        assert first_line.startswith("Refresh succeeded"), first_line
        synthetic_screening = query(
            WarehouseSettings.from_env().serving_db,
            "select * from marts.screening_summary order by all",
        )
        yield root, synthetic_screening


def refresh() -> tuple[str, str]:
    from orchestration.__main__ import refresh_exports, run_refresh
    from orchestration.summary import summarize

    settings = WarehouseSettings.from_env()
    run = run_refresh(settings, refresh_exports(settings, {}))
    text, _ = summarize(run.result)
    return text.splitlines()[0], text


def served(settings: WarehouseSettings) -> dict[str, object]:
    return {
        "serving": digest(settings.serving_db),
        "microdata": digest(settings.microdata_db),
        "parquet": folder_digest(settings.parquet_dir.resolve()),
        "report": digest(settings.report_dir / "index.html"),
    }


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_landed_export_gets_its_outcome_from_the_refresh(case, warehouse, monkeypatch):
    root, synthetic_screening = warehouse
    landing = root / "landing"
    shutil.rmtree(landing)
    path = write_case(case, landing)
    settled = time.time() - 60
    if case.kind == "file":
        os.utime(path, (settled, settled))
    if case.tolerance:
        monkeypatch.setenv("CMO_CIO_MAX_REJECTED_ROWS", case.tolerance)
    settings = WarehouseSettings.from_env()
    before = served(settings)

    first_line, text = refresh()

    publishes = case.outcome == "accepted" or (case.outcome == "rejected_rows" and case.tolerance)
    if not publishes:
        assert first_line.startswith(f"REFRESH FAILED: {case.study.upper()} export {path.name}:")
        if case.outcome == "refused":
            assert case.message in first_line, first_line
        else:
            assert f"{case.rejected} of " in first_line and "break the input contract" in first_line
            assert case.message in first_line, first_line
            assert str(settings.rejects_dir / f"{path.name}.csv") in first_line
        assert served(settings) == before, "a refused export changed what is served"
        return

    assert first_line.startswith("Refresh succeeded"), text
    assert served(settings) != before
    screening = query(settings.serving_db, "select * from marts.screening_summary order by all")
    if case.outcome == "accepted":
        # the same interviews as the synthetic export: the same screening
        assert screening == synthetic_screening
        if case.message:  # a harmless variation worth a word: a warning in the summary
            assert f"WARNING {path.name}: {case.message}" in text, text
        return
    assert f"{case.rejected} rejected" in first_line
    rejects = settings.rejects_dir / f"{path.name}.csv"
    with rejects.open(encoding="utf-8", newline="") as file:
        assert len(list(csv.DictReader(file))) == case.rejected
    raw_counts = dict(
        query(
            settings.serving_db,
            "select study, sum(interview_count) from marts.screening_summary group by study",
        )
    )
    assert raw_counts[case.study.upper()] == _synthetic_rows(case.study) - case.rejected


def _synthetic_rows(study: str) -> int:
    from cmo_cio.studies import STUDY_BY_KEY

    with STUDY_BY_KEY[study].synthetic_export.open(encoding="utf-8", newline="") as file:
        return sum(1 for _ in csv.reader(file)) - 1
