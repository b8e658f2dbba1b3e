"""`make docs`: the dbt docs name what BI users query, and are served on 127.0.0.1 only."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from cmo_cio.lock import refresh_lock
from cmo_cio.settings import (
    PROJECT_DIR,
    WarehouseSettings,
    environment_under,
    microdata_build_path,
)
from orchestration import docs
from tests.support import query

BUILD = "build"  # the build database of `settings_in`, as DuckDB and dbt name it


def settings_in(folder: Path) -> WarehouseSettings:
    return WarehouseSettings.from_env(environment_under(folder))


def node(name, schema, database=BUILD, resource_type="model", materialized="table") -> dict:
    """A manifest node as dbt writes it, with the fields the docs read."""
    return {
        "resource_type": resource_type,
        "name": name,
        "alias": name,
        "schema": schema,
        "database": database,
        "config": {"materialized": materialized},
        "description": f"What {name} holds.",
        "meta": {},
        "relation_name": f'"{database}"."{schema}"."{name}"',
    }


def small_manifest() -> dict:
    return {
        "nodes": {
            "model.p.fig02_complexity": node("fig02_complexity", "marts"),
            "model.p.dim_respondent": node("dim_respondent", "microdata", "microdata_build"),
            "model.p.int_survey_items": node(
                "int_survey_items", "intermediate", "build", "model", "view"
            ),
            "seed.p.countries": node(
                "countries", "reference", resource_type="seed", materialized="seed"
            ),
        },
        "sources": {
            "source.p.raw.cmo_export": {
                **node("cmo_export", "raw", resource_type="source"),
                "identifier": "cmo_export",
            }
        },
        "docs": {docs.OVERVIEW_DOC: {"block_contents": "# CMO/CIO warehouse"}},
    }


def make_database(path: Path, *statements: str) -> Path:
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as connection:
        for statement in statements:
            connection.execute(statement)
    return path


# -- the manifest: which relation each node is presented as -----------------------------------


def test_a_public_mart_is_presented_as_the_serving_relation_bi_users_query(tmp_path):
    settings = settings_in(tmp_path)
    manifest = small_manifest()
    marts = docs.present_serving_relations(manifest, settings, served={"fig02_complexity"})

    assert marts == {"fig02_complexity": "model.p.fig02_complexity"}
    mart = manifest["nodes"]["model.p.fig02_complexity"]
    assert mart["database"] == "serving"
    assert mart["relation_name"] == '"serving"."marts"."fig02_complexity"'
    assert mart["meta"] == {
        "serving_relation": "marts.fig02_complexity",
        "serving_database": str(tmp_path / "serving.duckdb"),
        "parquet_file": str(tmp_path / "parquet" / "fig02_complexity.parquet"),
    }
    assert mart["description"].startswith("What fig02_complexity holds.\n\n**BI users query**")
    assert (
        f"`marts.fig02_complexity` in the serving database `{tmp_path}/serving.duckdb`"
        in (mart["description"])
    )
    assert "not in the serving database yet" not in mart["description"].lower()
    assert "build" not in json.dumps(mart)


def test_a_mart_not_yet_published_is_named_by_where_it_will_be_served(tmp_path):
    manifest = small_manifest()
    docs.present_serving_relations(manifest, settings_in(tmp_path), served=None)
    mart = manifest["nodes"]["model.p.fig02_complexity"]
    assert mart["database"] == "serving"
    assert "Not in the serving database yet" in mart["description"]


def test_internal_and_restricted_relations_are_not_presented_as_bi_relations(tmp_path):
    manifest = small_manifest()
    docs.present_serving_relations(manifest, settings_in(tmp_path), served=set())
    others = [
        manifest["nodes"]["model.p.dim_respondent"],
        manifest["nodes"]["model.p.int_survey_items"],
        manifest["nodes"]["seed.p.countries"],
        manifest["sources"]["source.p.raw.cmo_export"],
    ]
    for other in others:
        assert other["database"] in (BUILD, "microdata_build")
        assert "serving" not in other["relation_name"]
        assert "BI users query" not in other["description"]
        assert "Not served to BI tools" in other["description"] or (
            "Restricted, not served to BI tools" in other["description"]
        )
    assert "Restricted" in manifest["nodes"]["model.p.dim_respondent"]["description"]


def test_the_overview_says_where_bi_users_query_with_the_parquet_link(tmp_path):
    settings = settings_in(tmp_path)
    version = tmp_path / ".parquet-versions" / "v1"
    version.mkdir(parents=True)
    (tmp_path / "parquet").symlink_to(version)
    manifest = small_manifest()
    docs.present_serving_relations(manifest, settings, served=set())
    overview = manifest["docs"][docs.OVERVIEW_DOC]["block_contents"]
    assert "## Where BI users query" in overview
    assert f"`{tmp_path}/serving.duckdb`" in overview
    # the link BI users keep, not the version folder it points to now
    assert f"{tmp_path}/parquet/<mart>.parquet" in overview
    assert "parquet-versions" not in json.dumps(manifest)


# -- the catalog: served file for the public marts, build database for the rest ---------------


def test_the_public_marts_catalog_is_read_from_the_serving_database(tmp_path):
    settings = settings_in(tmp_path)
    make_database(
        settings.serving_db,
        "create schema marts",
        "create table marts.fig02_complexity (measure_id varchar, share_pct double)",
        "insert into marts.fig02_complexity values ('m1', 41.5), ('m2', 12.0)",
        "comment on column marts.fig02_complexity.share_pct is 'Share, percent.'",
    )
    entries = docs.serving_catalog(settings, {"fig02_complexity": "model.p.fig02_complexity"})
    entry = entries["model.p.fig02_complexity"]
    assert entry["metadata"]["database"] == "serving"
    assert entry["metadata"]["schema"] == "marts"
    assert entry["columns"]["share_pct"] == {
        "type": "DOUBLE",
        "index": 2,
        "name": "share_pct",
        "comment": "Share, percent.",
    }
    assert entry["stats"]["row_count"]["value"] == 2


def build_database(settings: WarehouseSettings) -> None:
    make_database(
        settings.build_db,
        "create schema marts",
        "create table marts.fig02_complexity (measure_id varchar)",
        "create schema intermediate",
        "create view intermediate.int_survey_items as select 1 as item_id",
        "create schema reference",
        "create table reference.countries (country_code varchar)",
    )
    make_database(
        settings.microdata_build_db,
        "create schema microdata",
        "create table microdata.dim_respondent (respondent_key bigint)",
    )


def test_the_other_relations_catalog_is_read_from_the_build_database(tmp_path):
    settings = settings_in(tmp_path)
    build_database(settings)
    notes: list[str] = []
    nodes, sources = docs.build_catalog(settings, small_manifest(), notes)
    assert notes == []
    assert sources == {}  # no raw export relation in this build
    assert sorted(nodes) == [
        "model.p.dim_respondent",
        "model.p.int_survey_items",
        "seed.p.countries",
    ]  # the public mart is not read from the build
    assert nodes["model.p.int_survey_items"]["metadata"]["type"] == "VIEW"
    assert nodes["model.p.dim_respondent"]["metadata"]["database"] == "microdata_build"


def test_the_build_database_is_not_opened_while_a_refresh_holds_it(tmp_path):
    settings = settings_in(tmp_path)
    build_database(settings)
    notes: list[str] = []
    with refresh_lock(settings.refresh_lock_file, holder="run 1234"):
        nodes, sources = docs.build_catalog(settings, small_manifest(), notes)
    assert (nodes, sources) == ({}, {})
    [note] = notes
    assert "A refresh is running" in note
    assert "run 1234" in note


def test_a_missing_build_database_is_said_plainly(tmp_path):
    settings = settings_in(tmp_path)
    notes: list[str] = []
    assert docs.build_catalog(settings, small_manifest(), notes) == ({}, {})
    assert notes == [
        f"No build database yet at {settings.build_db} (make run builds it): the staging, "
        "intermediate and microdata models are shown without their columns."
    ]
    assert not settings.build_db.exists()


# -- the server -------------------------------------------------------------------------------


def test_the_server_binds_localhost_and_moves_off_a_taken_default_port(tmp_path, monkeypatch):
    (tmp_path / "index.html").write_text("docs")
    with socket.socket() as taken:
        taken.bind((docs.HOST, 0))
        taken.listen()
        busy_port = taken.getsockname()[1]
        monkeypatch.setattr(docs, "DEFAULT_PORT", busy_port)
        server = docs.open_server(tmp_path)
        try:
            host, port = server.server_address
            assert (host, port != busy_port) == ("127.0.0.1", True)
        finally:
            server.server_close()
        with pytest.raises(OSError):  # a port asked for is taken or refused, never replaced
            docs.open_server(tmp_path, busy_port)


def test_without_a_port_given_a_refused_server_names_the_ports_it_tried(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.delenv(docs.PORT_ENV_VAR, raising=False)
    monkeypatch.setattr(docs, "generate_docs", lambda settings: docs.DocsSite(tmp_path, []))

    def refuse(site, port=None):
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(docs, "open_server", refuse)

    assert docs.main([]) == 2
    error = capsys.readouterr().err
    assert "Cannot serve on 127.0.0.1 (port 8080, else any free port) (Permission denied)" in error
    assert "None" not in error


# -- make docs, end to end --------------------------------------------------------------------


def read_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)


def wait_for_url(process: subprocess.Popen, lines: queue.Queue, timeout: float) -> tuple[str, str]:
    """The URL the command prints once it serves, and everything printed before it."""
    printed, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            if process.poll() is not None:
                break
            continue
        printed.append(line)
        if line.startswith("Serving the dbt docs at "):
            return line.split()[5], "".join(printed)
    raise AssertionError(f"no URL printed:\n{''.join(printed)}")


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return response.read()


@pytest.mark.slow
def test_make_docs_serves_the_serving_relation_of_every_published_mart(
    built_warehouse, served_warehouse, tmp_path
):
    from dbt.artifacts.schemas.catalog import CatalogArtifact

    env = {
        **os.environ,
        "CMO_CIO_BUILD_DB": str(built_warehouse),
        "CMO_CIO_SERVING_DB": str(served_warehouse),
        "CMO_CIO_PARQUET_DIR": str(served_warehouse.parent / "parquet"),
        "CMO_CIO_DBT_TARGET_DIR": str(tmp_path / "target"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop(docs.PORT_ENV_VAR, None)
    build_files = (built_warehouse, microdata_build_path(built_warehouse))
    before = [file_state(path) for path in build_files]
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.docs", "--port", "0"],
        env=env,
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True)
    reader.start()
    try:
        url, printed = wait_for_url(process, lines, timeout=300)
        assert url.startswith("http://127.0.0.1:")
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        assert "Note:" not in printed, printed  # built and published: nothing missing

        assert b"dbt" in get(url + "index.html")
        manifest = json.loads(get(url + "manifest.json"))
        catalog = json.loads(get(url + "catalog.json"))
        # bound to the loopback address only, not to every address of the machine
        with pytest.raises(OSError), socket.create_connection(("127.0.0.2", port), timeout=5):
            pass
    finally:
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            process.wait(timeout=30)
        finally:
            process.kill()
    reader.join(timeout=10)
    assert process.returncode == 0
    assert "Docs server stopped." in "".join(lines.queue)
    # dbt compiled against the throwaway database: the build files are as they were
    assert [file_state(path) for path in build_files] == before

    CatalogArtifact.from_dict(catalog)  # dbt's own schema
    served = {
        table: [column for (column,) in query(served_warehouse, COLUMNS, ["marts", table])]
        for (table,) in query(served_warehouse, TABLES, ["marts"])
    }
    presented = {
        node["name"]: unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["database"] == "serving"
    }
    assert sorted(presented) == sorted(served)
    for table, columns in served.items():
        mart = manifest["nodes"][presented[table]]
        assert mart["relation_name"] == f'"serving"."marts"."{table}"'
        assert mart["meta"]["serving_database"] == str(served_warehouse)
        assert (
            f"`marts.{table}` in the serving database `{served_warehouse}`" in (mart["description"])
        )
        entry = catalog["nodes"][presented[table]]
        assert (entry["metadata"]["database"], entry["metadata"]["schema"]) == ("serving", "marts")
        assert list(entry["columns"]) == columns
        assert (
            entry["stats"]["row_count"]["value"]
            == query(served_warehouse, f"select count(*) from marts.{table}")[0][0]
        )
        # the build database is named nowhere BI users read the mart's relation
        assert "build" not in mart["relation_name"] + json.dumps(mart["meta"])
        assert str(built_warehouse) not in mart["description"]
    internal = [
        node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed") and unique_id not in presented.values()
    ]
    assert internal and all(node["database"] != "serving" for node in internal)
    assert all("BI users query" not in node["description"] for node in internal)
    # the build's relations are catalogued from the build database itself
    staged = catalog["nodes"]["model.cmo_cio_warehouse.stg_cmo_study__interviews"]
    assert staged["metadata"]["database"] == "build"


def file_state(path: Path) -> tuple[int, int, str]:
    """Modification time, size and SHA-256 of a file."""
    status = path.stat()
    return status.st_mtime_ns, status.st_size, hashlib.sha256(path.read_bytes()).hexdigest()


TABLES = "select table_name from duckdb_tables() where schema_name = ? order by table_name"
COLUMNS = (
    "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
    "order by column_index"
)
