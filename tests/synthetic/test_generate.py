"""The generator is deterministic and the committed seeds are what it writes."""

from __future__ import annotations

import csv
import filecmp
import re
from pathlib import Path

import pytest
import yaml

from cmo_cio.settings import PROJECT_DIR
from cmo_cio.studies import STUDIES
from synthetic.generate import generate

SEEDS = PROJECT_DIR / "seeds"
# The published figures are kept in shared/ beside the project (CI checks it out there).
SHARED_FIGURES = PROJECT_DIR.parent / "shared" / "reference" / "published_figures.csv"


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    first = generate(seed=2011, out_dir=tmp_path / "first")
    second = generate(seed=2011, out_dir=tmp_path / "second")
    other = generate(seed=7, out_dir=tmp_path / "other")
    for study in (study.code for study in STUDIES):
        assert first[study].read_bytes() == second[study].read_bytes()
        assert first[study].read_bytes() != other[study].read_bytes()


def test_committed_synthetic_exports_equal_a_fresh_generation(tmp_path):
    fresh = generate(out_dir=tmp_path)
    for study in STUDIES:
        assert filecmp.cmp(study.synthetic_export, fresh[study.code], shallow=False), (
            f"{study.synthetic_export.name} drifted: run `python -m synthetic.generate`"
        )


def seed_column_types(yml: Path) -> dict[str, dict[str, str]]:
    spec = yaml.safe_load(yml.read_text(encoding="utf-8"))
    return {seed["name"]: seed["config"]["column_types"] for seed in spec["seeds"]}


def test_every_raw_column_is_declared_as_text_in_its_source():
    sources = yaml.safe_load(
        (PROJECT_DIR / "models" / "staging" / "_raw__sources.yml").read_text(encoding="utf-8")
    )["sources"]
    tables = {table["name"]: table for source in sources for table in source["tables"]}
    for study in STUDIES:
        columns = tables[study.source_table]["columns"]
        assert [column["name"] for column in columns] == header(study.synthetic_export)
        assert {column["data_type"] for column in columns} == {"varchar"}


def test_reference_seeds_are_typed_and_codes_stay_text():
    types = seed_column_types(SEEDS / "reference" / "_reference__seeds.yml")
    csv_files = sorted((SEEDS / "reference").glob("*.csv"))
    assert {p.stem for p in csv_files} == set(types)
    for path in csv_files:
        assert list(types[path.stem]) == header(path), path.name
        for column, data_type in types[path.stem].items():
            if column.endswith("_code") or column in ("raw_value", "option_code"):
                assert data_type == "string", (path.name, column)


def test_published_figures_are_the_shared_reference_unchanged():
    copied = SEEDS / "reference" / "published_figures.csv"
    assert {"status", "source", "note"} <= set(header(copied))
    if not SHARED_FIGURES.exists():
        pytest.skip(f"no shared reference at {SHARED_FIGURES} to compare the seed copy with")
    assert copied.read_bytes() == SHARED_FIGURES.read_bytes(), (
        f"seeds/reference/published_figures.csv differs from {SHARED_FIGURES}"
    )


def test_countries_industries_and_size_bands():
    countries = rows(SEEDS / "reference" / "countries.csv")
    assert len(countries) >= 71
    assert len({c["country_code"] for c in countries}) == len(countries)
    assert all(re.fullmatch(r"[A-Z]{2}", c["country_code"]) for c in countries)
    assert all(c["country_name_en"] and c["country_name_zh"] for c in countries)
    assert 5 <= len({c["region_code"] for c in countries}) <= 8
    industries = rows(SEEDS / "reference" / "industries.csv")
    assert len(industries) == 19
    assert all(i["industry_name_en"] and i["industry_name_zh"] for i in industries)
    bands = rows(SEEDS / "reference" / "company_size_bands.csv")
    lows = [int(b["min_employees"]) for b in bands]
    assert lows == sorted(lows)
    for lower, upper in zip(bands, bands[1:], strict=False):
        assert int(lower["max_employees"]) + 1 == int(upper["min_employees"])


def test_measures_cover_published_shares_and_ranks():
    measures = {(m["measure_id"], m["role"]) for m in rows(SEEDS / "reference" / "measures.csv")}
    figures = rows(SEEDS / "reference" / "published_figures.csv")
    share_like = [f for f in figures if f["statistic"] not in ("count", "count_at_least", "flag")]
    assert share_like
    assert {(f["measure_id"], f["role"]) for f in share_like} <= measures


def test_crosswalk_pairs_existing_measures():
    measures = {(m["measure_id"], m["role"]) for m in rows(SEEDS / "reference" / "measures.csv")}
    crosswalk = rows(SEEDS / "reference" / "cmo_cio_crosswalk.csv")
    shared = [c for c in crosswalk if c["crosswalk_type"] == "shared_question"]
    assert {c["figure_id"] for c in shared} == {"fig02", "fig03", "fig04", "fig05"}
    for row in crosswalk:
        assert (row["cmo_measure_id"], "CMO") in measures
        if row["cio_measure_id"]:
            assert (row["cio_measure_id"], "CIO") in measures
    plans = {
        c["cmo_measure_id"]: c["cio_measure_id"] for c in crosswalk if c["figure_id"] == "fig09"
    }
    assert plans["technology_plan_social_media"] == "visionary_plan_collaboration_social_networking"
    assert plans["technology_plan_content_management"] == ""
    assert plans["technology_plan_tablet_applications"] == ""
