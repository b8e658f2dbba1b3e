"""Publishing the marts: complete copies, comments kept, atomic swaps, nothing half-done."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import duckdb
import pytest

from cmo_cio.publish import PublishError, publish_marts, served_row_counts
from tests.support import digest, microdata_of


def make_build_db(path: Path, rows: int = 3) -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        connection.execute("create schema staging")
        connection.execute(
            f"create table marts.fig_shares as select range as cell_id, 'CMO' as role, "
            f"range * 10.0 as share_pct from range({rows})"
        )
        connection.execute("comment on table marts.fig_shares is 'Shares per cell'")
        connection.execute("comment on column marts.fig_shares.share_pct is 'Percent, 0-100'")
        connection.execute("create table marts.dim_role as select 'CMO' as role")
        connection.execute("create table staging.not_published as select 1 as x")
    # dbt builds the microdata into a file of their own beside the build database
    with duckdb.connect(str(microdata_of(path))) as connection:
        connection.execute("create schema microdata")
        connection.execute(
            "create table microdata.dim_respondent as select range as respondent_id from range(5)"
        )
    return path


def parquet_rows(path: Path) -> int:
    with duckdb.connect() as connection:
        return connection.execute(f"select count(*) from '{path}'").fetchone()[0]


def test_publishes_every_mart_with_comments_and_parquet(tmp_path):
    build_db = make_build_db(tmp_path / "build.duckdb")
    serving_db, parquet_dir = tmp_path / "serve" / "serving.duckdb", tmp_path / "serve" / "parquet"

    tables = publish_marts(build_db, serving_db, parquet_dir)

    assert tables == ["dim_role", "fig_shares"]
    assert served_row_counts(serving_db) == {"dim_role": 1, "fig_shares": 3}
    with duckdb.connect(str(serving_db), read_only=True) as connection:
        schemas = {
            row[0]
            for row in connection.execute("select schema_name from duckdb_tables()").fetchall()
        }
        table_comment = connection.execute(
            "select comment from duckdb_tables() where table_name = 'fig_shares'"
        ).fetchone()[0]
        column_comment = connection.execute(
            "select comment from duckdb_columns() "
            "where table_name = 'fig_shares' and column_name = 'share_pct'"
        ).fetchone()[0]
    assert schemas == {"marts"}
    assert table_comment == "Shares per cell"
    assert column_comment == "Percent, 0-100"
    assert sorted(path.name for path in parquet_dir.iterdir()) == [
        "dim_role.parquet",
        "fig_shares.parquet",
    ]
    assert parquet_rows(parquet_dir / "fig_shares.parquet") == 3
    # Nothing staged is left behind next to the served files.
    assert sorted(path.name for path in serving_db.parent.iterdir()) == [
        ".parquet-versions",
        "parquet",
        "serving.duckdb",
    ]


def test_a_reader_of_the_old_file_keeps_working_across_a_publish(tmp_path):
    serving_db, parquet_dir = tmp_path / "serving.duckdb", tmp_path / "parquet"
    publish_marts(make_build_db(tmp_path / "one.duckdb", rows=3), serving_db, parquet_dir)
    reader = duckdb.connect(str(serving_db), read_only=True)
    try:
        publish_marts(make_build_db(tmp_path / "two.duckdb", rows=7), serving_db, parquet_dir)
        # The open connection still reads the version it opened, never a mix.
        assert reader.execute("select count(*) from marts.fig_shares").fetchone()[0] == 3
    finally:
        reader.close()
    assert served_row_counts(serving_db)["fig_shares"] == 7
    assert parquet_rows(parquet_dir / "fig_shares.parquet") == 7


def test_a_failed_publish_leaves_the_served_files_unchanged(tmp_path):
    serving_db, parquet_dir = tmp_path / "serving.duckdb", tmp_path / "parquet"
    publish_marts(make_build_db(tmp_path / "good.duckdb"), serving_db, parquet_dir)
    served_before = digest(serving_db)
    parquet_before = {path.name: digest(path) for path in parquet_dir.iterdir()}
    link_before = os.readlink(parquet_dir)

    without_marts = tmp_path / "empty.duckdb"
    duckdb.connect(str(without_marts)).close()
    with pytest.raises(PublishError, match="no tables in schema marts"):
        publish_marts(without_marts, serving_db, parquet_dir)
    with pytest.raises(PublishError, match="does not exist"):
        publish_marts(tmp_path / "missing.duckdb", serving_db, parquet_dir)

    assert digest(serving_db) == served_before
    assert os.readlink(parquet_dir) == link_before
    assert {path.name: digest(path) for path in parquet_dir.iterdir()} == parquet_before
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".publishing")]


def test_old_parquet_versions_are_pruned_and_a_plain_folder_is_taken_over(tmp_path):
    parquet_dir = tmp_path / "parquet"
    parquet_dir.mkdir()
    (parquet_dir / "stale.parquet").write_bytes(b"from before versioning")
    build_db = make_build_db(tmp_path / "build.duckdb")

    for _ in range(4):
        publish_marts(build_db, tmp_path / "serving.duckdb", parquet_dir)

    assert parquet_dir.is_symlink()
    assert not (parquet_dir / "stale.parquet").exists()
    versions = list((tmp_path / ".parquet-versions").iterdir())
    assert len(versions) == 2  # the served version and the one before it


def test_the_microdata_go_to_an_owner_only_file_and_nowhere_else(tmp_path):
    build_db = make_build_db(tmp_path / "build.duckdb")
    serving_db, parquet_dir = tmp_path / "serving.duckdb", tmp_path / "parquet"
    microdata_db = tmp_path / "restricted" / "respondent_microdata.duckdb"
    microdata_db.parent.mkdir(mode=0o755)  # a folder that was too open is narrowed

    publish_marts(build_db, serving_db, parquet_dir, microdata_db)

    assert stat.S_IMODE(microdata_db.stat().st_mode) == 0o600
    assert stat.S_IMODE(microdata_db.parent.stat().st_mode) == 0o700
    assert served_row_counts(microdata_db, "microdata") == {"dim_respondent": 5}
    with duckdb.connect(str(serving_db), read_only=True) as connection:
        tables = connection.execute("select schema_name from duckdb_tables()").fetchall()
    schemas = {schema for (schema,) in tables}
    assert schemas == {"marts"}
    assert "dim_respondent.parquet" not in {path.name for path in parquet_dir.iterdir()}
    assert not list(microdata_db.parent.glob(".*publishing"))


def test_the_served_files_open_in_the_duckdb_cli_of_pypi(tmp_path):
    """The CLI (duckdb-cli 1.5) reads storage versions BI drivers bundle, not DuckDB 2.0's own."""
    from cmo_cio.serving import duckdb_cli

    build_db = make_build_db(tmp_path / "build.duckdb")
    serving_db = tmp_path / "serving.duckdb"
    publish_marts(build_db, serving_db, tmp_path / "parquet")
    result = subprocess.run(
        [
            str(duckdb_cli()),
            "-readonly",
            "-csv",
            str(serving_db),
            "-c",
            "select count(*) as bars, (select comment from duckdb_tables() "
            "where table_name = 'fig_shares') as comment from marts.fig_shares",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["bars,comment", "3,Shares per cell"]
    # The build database DuckDB 2.0 writes is a format the CLI cannot read: the reason for
    # publishing in the older one.
    too_new = subprocess.run(
        [str(duckdb_cli()), "-readonly", str(build_db), "-c", "select 1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert too_new.returncode != 0
