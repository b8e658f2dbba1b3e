"""dbt runs beyond the default build: docs, suppression threshold, real export files."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import PROJECT_DIR, run_dbt

pytestmark = pytest.mark.slow


def query(database, sql: str) -> list[tuple]:
    import duckdb

    connection = duckdb.connect(str(database), read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def copy_of(built_warehouse, tmp_path):
    """A private copy of the built database, so a rebuild leaves the shared one alone."""
    build_db = tmp_path / "build.duckdb"
    shutil.copyfile(built_warehouse, build_db)
    return build_db


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
    """A CSV and a Parquet export given through the dbt vars screen exactly like the seeds."""
    import duckdb

    raw_dir = PROJECT_DIR / "seeds" / "raw"
    cmo_csv = tmp_path / "cmo_export.csv"
    shutil.copyfile(raw_dir / "cmo_study_2011_export.csv", cmo_csv)
    cio_parquet = tmp_path / "cio_export.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * from read_csv('{raw_dir / 'cio_study_2011_export.csv'}', "
            f"all_varchar = true)) to '{cio_parquet}' (format parquet)"
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
    import duckdb

    build_db = copy_of(built_warehouse, tmp_path)
    with duckdb.connect(str(build_db)) as connection:
        # 300 CMOs now call technology unimportant: fig04's published 93% breaks
        connection.execute(
            """
            update raw.cmo_study_2011_export set Q4 = '1'
            where ResponseID in (
                select ResponseID from raw.cmo_study_2011_export order by ResponseID limit 300
            )
            """
        )
    with pytest.raises(AssertionError) as failure:
        run_dbt(
            [
                "build",
                "--select",
                "+published_figure_reconciliation",
                "--exclude",
                "resource_type:seed",
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
    import duckdb

    build_db = copy_of(built_warehouse, tmp_path)
    with duckdb.connect(str(build_db)) as connection:
        [(real_rows,)] = connection.execute(
            """
            update raw.cmo_study_2011_export set StartDate = '31/02/2011 9:xx', Finished = 'yes'
            where ResponseID = (
                select min(ResponseID) from raw.cmo_study_2011_export where Status = 'IP Address'
            )
            """
        ).fetchall()
        [(test_record_rows,)] = connection.execute(
            """
            update raw.cio_study_2011_export set disposition = null, interview_minutes = 'n/a'
            where resp_id = (
                select min(resp_id) from raw.cio_study_2011_export
                where interviewer_id like 'TEST%'
            )
            """
        ).fetchall()
    assert (real_rows, test_record_rows) == (1, 1)
    with pytest.raises(AssertionError) as failure:
        run_dbt(
            [
                "test",
                "--select",
                "stg_cmo_study__interviews",
                "stg_cio_study__interviews",
                "--exclude",
                "test_type:unit",
            ],
            build_db,
            tmp_path,
        )
    output = str(failure.value)
    assert "Failure in test real_cmo_interviews_have_a_parsable_start" in output
    assert "Failure in test real_cmo_interviews_have_a_finished_code" in output
    assert "Failure in test real_cio_interviews_have_a_disposition" not in output
    assert "Failure in test real_cio_interviews_have_a_numeric_duration" not in output
