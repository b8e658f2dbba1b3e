"""Faults: a refresh killed at any moment, and a full disk during publish.

The refresh runs as `make run` runs it (`python -m orchestration`, its own process group)
with `CMO_CIO_FAULT_AT` naming a failpoint (`cmo_cio.faults`): it is killed there with
SIGKILL, dbt's subprocess with it. After each kill the served database, Parquet copy and
report are the last good version, byte for byte, and readable; the refresh after the last
kill removes what the killed ones left behind and publishes.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess

import duckdb
import pytest

from cmo_cio.faults import POINTS
from cmo_cio.settings import WarehouseSettings, environment_under
from tests.support import digest, folder_digest, headless_refresh

pytestmark = pytest.mark.slow


def refresh(env: dict, fault: str | None = None) -> subprocess.CompletedProcess:
    return headless_refresh({**env, "CMO_CIO_FAULT_AT": fault} if fault else env)


def public_files(settings: WarehouseSettings) -> dict[str, object]:
    return {
        "serving": digest(settings.serving_db),
        "parquet": folder_digest(settings.parquet_dir.resolve()),
        "report": digest(settings.report_dir / "index.html"),
    }


def assert_readable(settings: WarehouseSettings) -> None:
    for database, schema in ((settings.serving_db, "marts"), (settings.microdata_db, "microdata")):
        with duckdb.connect(str(database), read_only=True) as connection:
            tables = connection.execute(
                "select count(*) from duckdb_tables() where schema_name = ?", [schema]
            ).fetchone()[0]
            assert tables > 0, database
    for parquet in settings.parquet_dir.glob("*.parquet"):
        duckdb.sql(f"select count(*) from read_parquet('{parquet}')").fetchall()
    assert "</html>" in (settings.report_dir / "index.html").read_text(encoding="utf-8")


def leftovers(settings: WarehouseSettings) -> list[str]:
    found = [
        *settings.serving_db.parent.glob(".*.publishing*"),
        *settings.microdata_db.parent.glob(".*.publishing*"),
        *settings.parquet_dir.parent.glob(f".{settings.parquet_dir.name}.*.link"),
        *settings.report_dir.glob(".index.html.*.tmp"),
    ]
    return sorted(str(path) for path in found)


def test_a_refresh_killed_anywhere_leaves_the_last_good_version_served(tmp_path):
    env = {**os.environ, **environment_under(tmp_path)}
    env.pop("CMO_CIO_FAULT_AT", None)
    (tmp_path / "landing").mkdir()
    settings = WarehouseSettings.from_env(env)
    first = refresh(env)
    assert first.returncode == 0, first.stdout[-5000:] + first.stderr[-5000:]

    for point in POINTS:
        before = public_files(settings)
        killed = refresh(env, point)
        assert killed.returncode == -signal.SIGKILL, (point, killed.stdout[-3000:])
        after_kill = public_files(settings)
        if point == "report":
            # publish had finished: the new version is served; the report stays the old one
            assert after_kill["report"] == before["report"]
            assert after_kill["serving"] != before["serving"]
        else:
            assert after_kill == before, f"killed at {point}, the served files changed"
        assert_readable(settings)
    assert leftovers(settings), "the kills during publish and report left nothing to clean"

    after = refresh(env)
    assert after.returncode == 0, after.stdout[-5000:] + after.stderr[-5000:]
    assert "Refresh succeeded:" in after.stdout
    assert leftovers(settings) == []
    assert_readable(settings)
    versions = settings.parquet_dir.with_name(f".{settings.parquet_dir.name}-versions")
    assert len(list(versions.iterdir())) <= 2
    # the accepted rows of the killed runs are gone: only the last run's are kept
    assert len(list(settings.accepted_exports_dir.iterdir())) == 1


def test_a_full_disk_during_publish_says_so_and_keeps_the_served_version(
    served_warehouse, tmp_path, monkeypatch
):
    """The staged copy cannot be written (ENOSPC, as `write` reports it): publish fails with
    a message naming the full disk, removes its staged files, and the served ones stay."""
    import shutil

    from cmo_cio import publish

    serve_dir = tmp_path / "served"
    shutil.copytree(served_warehouse.parent, serve_dir, symlinks=True)
    serving_db = serve_dir / served_warehouse.name
    before = digest(serving_db)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(publish, "_write_staged_copy", disk_full)
    build_db = served_warehouse  # any readable DuckDB file: the copy fails before reading it
    with pytest.raises(publish.PublishError, match="disk holding .* is full"):
        publish.publish_marts(
            build_db, serving_db, serve_dir / "parquet", serve_dir / "respondent_microdata.duckdb"
        )
    assert digest(serving_db) == before
    assert not list(serve_dir.glob(".*.publishing*"))
