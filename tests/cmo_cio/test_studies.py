"""The study registry agrees with the dbt project and the codebook."""

from __future__ import annotations

import csv

import yaml

from cmo_cio.settings import PROJECT_DIR
from cmo_cio.studies import RAW_SOURCE, STUDIES, STUDY_BY_KEY, study_of_export_file


def dbt_project() -> dict:
    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))


def test_each_study_has_its_dbt_source_var_and_synthetic_export():
    project = dbt_project()
    sources = yaml.safe_load(
        (PROJECT_DIR / "models" / "staging" / "_raw__sources.yml").read_text(encoding="utf-8")
    )["sources"]
    (raw,) = [source for source in sources if source["name"] == RAW_SOURCE]
    tables = {table["name"]: table for table in raw["tables"]}
    assert set(tables) == {study.source_table for study in STUDIES}
    for study in STUDIES:
        meta = tables[study.source_table]["meta"]
        assert {key: meta[key] for key in ("study", "export_var")} == {
            "study": study.code,
            "export_var": study.export_var,
        }
        default = project["vars"][study.export_var]
        assert PROJECT_DIR / default == study.synthetic_export
        with study.synthetic_export.open(encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == list(study.columns)


def test_answer_columns_are_the_raw_columns_the_codebook_maps():
    with (PROJECT_DIR / "seeds" / "reference" / "survey_items.csv").open(encoding="utf-8") as f:
        items = list(csv.DictReader(f))
    for study in STUDIES:
        mapped = [row["raw_column"] for row in items if row["study"] == study.code]
        assert list(study.answer_columns) == mapped


def test_landed_files_are_told_apart_by_study():
    assert study_of_export_file("cmo_2012.CSV") is STUDY_BY_KEY["cmo"]
    assert study_of_export_file("CIO-wave2.parquet") is STUDY_BY_KEY["cio"]
    assert study_of_export_file("cmo_2012.csv.part") is None
    assert study_of_export_file("notes.txt") is None


def test_the_mart_schema_is_the_dbt_projects():
    from cmo_cio.studies import MART_SCHEMA, REFERENCE_SCHEMA

    models = dbt_project()["models"]["cmo_cio_warehouse"]
    assert models["marts"]["+schema"] == MART_SCHEMA
    assert dbt_project()["seeds"]["cmo_cio_warehouse"]["reference"]["+schema"] == REFERENCE_SCHEMA
