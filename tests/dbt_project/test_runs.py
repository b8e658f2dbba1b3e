"""dbt runs beyond the default build: docs, suppression threshold, real export files."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from cmo_cio.studies import STUDY_BY_KEY
from tests.support import copy_build, microdata_of, query, run_dbt

pytestmark = pytest.mark.slow


def edited_export(study_key: str, target: Path, edit) -> Path:
    """A copy of a study's synthetic export with `edit(rows)` applied; returns its path."""
    with STUDY_BY_KEY[study_key].synthetic_export.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    edit(rows)
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target


def copy_of(built_warehouse, tmp_path):
    """A private copy of the build, so a rebuild leaves the shared one alone."""
    return copy_build(built_warehouse, tmp_path / "build.duckdb")


def test_dbt_docs_generate_documents_the_marts(built_warehouse, tmp_path):
    build_db = copy_of(built_warehouse, tmp_path)
    run_dbt(["docs", "generate"], build_db, tmp_path)
    catalog = json.loads((tmp_path / "target" / "catalog.json").read_text())
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    comparison = catalog["nodes"]["model.cmo_cio_warehouse.cmo_cio_comparison"]
    assert "is_significant" in comparison["columns"]
    exposures = {exposure["name"] for exposure in manifest["exposures"].values()}
    assert {"static_html_report", "bi_dashboards", "parquet_export"} <= exposures
    assert (tmp_path / "target" / "index.html").is_file()


def test_a_higher_minimum_cell_size_suppresses_every_cell(built_warehouse, tmp_path):
    build_db = copy_of(built_warehouse, tmp_path)
    run_dbt(
        ["run", "--select", "segment_comparison", "--vars", "{min_cell_n: 100000}"],
        build_db,
        tmp_path,
    )
    [(cells, suppressed, leaked)] = query(
        build_db,
        """
        select
            count(*),
            count(*) filter (where is_suppressed),
            count(*) filter (
                where n_selecting is not null or share_pct is not null
                   or ci_low_pct is not null or ci_high_pct is not null
            )
        from marts.segment_comparison
        """,
    )
    assert cells > 1000
    assert suppressed == cells
    assert leaked == 0


def test_another_minimum_cell_size_is_carried_to_the_suppression_and_its_suite(
    built_warehouse, tmp_path
):
    """With min_cell_n 20 the mart, its singular test and its GX suite all use 20."""
    from expectations.runner import load_suites, validate_warehouse

    build_db = copy_of(built_warehouse, tmp_path)
    run_dbt(
        [
            "build",
            "--select",
            "segment_comparison",
            "assert_segment_suppression_cannot_be_undone",
            "--vars",
            "{min_cell_n: 20}",
        ],
        build_db,
        tmp_path,
    )
    [(thresholds, small_shown, small_cells, between_10_and_20)] = query(
        build_db,
        """
        select
            list(distinct min_cell_n),
            count(*) filter (where n_answering < 20 and not is_suppressed),
            count(*) filter (where suppression_reason = 'small_cell'),
            count(*) filter (
                where suppression_reason = 'small_cell' and n_answering >= 10
            )
        from marts.segment_comparison
        """,
    )
    assert thresholds == [20]
    assert small_shown == 0
    assert small_cells > 0
    assert between_10_and_20 > 0, "the higher threshold hides cells the default shows"
    run = validate_warehouse(
        build_db, None, suites=load_suites(names=["marts__segment_comparison"])
    )
    assert run.success, [outcome.failures for outcome in run.suites]


def test_real_export_files_replace_the_seeds(built_warehouse, tmp_path):
    """A CSV and a Parquet export given through the dbt vars screen exactly like the
    synthetic exports; the Parquet one has typed columns and its columns in another order."""
    import duckdb

    cmo_csv = tmp_path / "cmo_export.csv"
    shutil.copyfile(STUDY_BY_KEY["cmo"].synthetic_export, cmo_csv)
    cio_parquet = tmp_path / "cio_export.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select fin_perf, * exclude (fin_perf) from "
            f"read_csv('{STUDY_BY_KEY['cio'].synthetic_export}', all_varchar = true)) "
            f"to '{cio_parquet}' (format parquet)"
        )
    expected = query(
        built_warehouse,
        "select study, screening_outcome, interview_count, raw_interview_count "
        "from marts.screening_summary order by all",
    )

    build_db = copy_of(built_warehouse, tmp_path)
    export_vars = json.dumps({"cmo_export_path": str(cmo_csv), "cio_export_path": str(cio_parquet)})
    run_dbt(
        [
            "build",
            "--select",
            "+screening_summary",
            "--exclude",
            "resource_type:seed",
            "--vars",
            export_vars,
        ],
        build_db,
        tmp_path,
    )
    actual = query(
        build_db,
        "select study, screening_outcome, interview_count, raw_interview_count "
        "from marts.screening_summary order by all",
    )
    assert actual == expected


def test_build_fails_when_a_published_figure_is_not_reproduced(built_warehouse, tmp_path):
    """Corrupt raw answers behind a published share: the build must stop on it."""

    def technology_unimportant_to_300_cmos(rows):
        # fig04's published 93% of CMOs calling technology crucial no longer holds
        for row in sorted(rows, key=lambda row: row["ResponseID"])[:300]:
            row["Q4"] = "1"

    export = edited_export("cmo", tmp_path / "cmo.csv", technology_unimportant_to_300_cmos)
    build_db = copy_of(built_warehouse, tmp_path)
    with pytest.raises(AssertionError) as failure:
        run_dbt(
            [
                "build",
                "--select",
                "+published_figure_reconciliation",
                "--exclude",
                "resource_type:seed",
                "--vars",
                json.dumps({"cmo_export_path": str(export)}),
            ],
            build_db,
            tmp_path,
        )
    assert "published_and_derived_figures_are_reproduced" in str(failure.value)
    [(measure_id, is_reproduced)] = query(
        build_db,
        """
        select measure_id, is_reproduced from marts.published_figure_reconciliation
        where measure_id = 'technology_crucial_to_success' and role = 'CMO'
        """,
    )
    assert not is_reproduced


def test_junk_in_a_real_interview_fails_the_build_by_name(built_warehouse, tmp_path):
    """An unparsable start or completion code in a real interview stops the build; the same
    junk in a test record (screened out anyway) does not."""

    def junk_in_the_first_real_interview(rows):
        first_real = min(
            (r for r in rows if r["Status"] == "IP Address"), key=lambda r: r["ResponseID"]
        )
        first_real.update(StartDate="31/02/2011 9:xx", Finished="yes")

    def junk_in_a_test_record(rows):
        first_test = min(
            (r for r in rows if r["interviewer_id"].startswith("TEST")),
            key=lambda r: int(r["resp_id"]),
        )
        first_test.update(disposition="", interview_minutes="n/a")

    cmo = edited_export("cmo", tmp_path / "cmo.csv", junk_in_the_first_real_interview)
    cio = edited_export("cio", tmp_path / "cio.csv", junk_in_a_test_record)
    build_db = copy_of(built_warehouse, tmp_path)
    with pytest.raises(AssertionError) as failure:
        run_dbt(
            [
                "build",
                "--select",
                "stg_cmo_study__interviews",
                "stg_cio_study__interviews",
                "--exclude",
                "test_type:unit",
                "--vars",
                json.dumps({"cmo_export_path": str(cmo), "cio_export_path": str(cio)}),
            ],
            build_db,
            tmp_path,
        )
    output = str(failure.value)
    assert "Failure in test real_cmo_interviews_have_a_parsable_start" in output
    assert "Failure in test real_cmo_interviews_have_a_finished_code" in output
    assert "Failure in test real_cio_interviews_have_a_disposition" not in output
    assert "Failure in test real_cio_interviews_have_a_numeric_duration" not in output


def test_source_freshness_reports_the_age_of_each_export_file(built_warehouse, tmp_path):
    import os
    import time

    old = edited_export("cio", tmp_path / "cio_old.csv", lambda rows: None)
    sixty_days_ago = time.time() - 60 * 86400
    os.utime(old, (sixty_days_ago, sixty_days_ago))
    build_db = copy_of(built_warehouse, tmp_path)
    run_dbt(
        ["source", "freshness", "--vars", json.dumps({"cio_export_path": str(old)})],
        build_db,
        tmp_path,
    )
    results = json.loads((tmp_path / "target" / "sources.json").read_text())["results"]
    status = {result["unique_id"].split(".")[-1]: result["status"] for result in results}
    assert status == {"cmo_study_2011_export": "pass", "cio_study_2011_export": "warn"}


def test_relations_no_model_builds_any_more_are_dropped(built_warehouse, tmp_path):
    """A table left in schema marts by an earlier version of the project (here: one named
    like the respondent-level marts that moved to the microdata file) must not survive the
    next run, since publish serves every table of that schema. Only runs and builds drop:
    a test or a freshness check changes nothing."""
    build_db = copy_of(built_warehouse, tmp_path)
    microdata = microdata_of(build_db)

    def relations() -> set[str]:
        with duckdb.connect(str(build_db), read_only=True) as connection:
            connection.execute(f"attach '{microdata}' as microdata_build (read_only)")
            rows = connection.execute(
                "select database_name || '.' || schema_name || '.' || table_name "
                "from duckdb_tables() union all "
                "select database_name || '.' || schema_name || '.' || view_name "
                "from duckdb_views() where not internal"
            ).fetchall()
        return {name for (name,) in rows}

    before = relations()
    assert any(".microdata." in name for name in before)
    with duckdb.connect(str(build_db)) as connection:
        connection.execute("create table marts.dim_respondent as select 1 as respondent_id")
        connection.execute("create view staging.stg_renamed_long_ago as select 1 as x")
    with duckdb.connect(str(microdata)) as connection:
        connection.execute("create table microdata.dim_respondent_old as select 1 as x")
    with_leftovers = relations()
    assert len(with_leftovers - before) == 3

    run_dbt(["test", "--select", "dim_survey_item"], build_db, tmp_path)
    assert relations() == with_leftovers
    # a run drops them at its end, whatever it selects; everything built stays
    run_dbt(["run", "--select", "dim_survey_item"], build_db, tmp_path)
    assert relations() == before
