"""`python -m orchestration.docs` (`make docs`): the dbt docs, naming what BI users query.

Generates dbt's docs site and serves it on 127.0.0.1 until Ctrl-C: on the port given
(`--port`, or `CMO_CIO_DOCS_PORT`; 0 takes any free port), else on dbt's usual 8080, else
on any free port, and prints the URL. `--no-serve` only writes the site.

Each public mart is shown as the relation BI users query: `marts.<mart>` of the serving
database (its `database` and `relation_name` in the manifest, its columns, comments and row
count in the catalog, read from the served file), with its file path, its Parquet copy and a
paragraph saying so in its description. Public marts are what `cmo_cio.publish` serves:
every table of schema `marts` of the build database. Every other model, seed and source says
it is not served: internal to the build database, or restricted (the microdata).

Generating keeps out of a refresh's way (DuckDB lets one process write a file, and then no
other may open it); a refresh that starts in the second the build catalog is read is refused
as "in progress" and runs at the next tick:
- `dbt docs generate` compiles against an empty throwaway database in the docs folder, named
  like the build database so the compiled SQL reads the same; its catalog is left empty.
- The public marts' catalog is read from the serving database, read-only: publish replaces
  that file by a rename and never writes into it.
- The other relations' catalog is read from the build database, read-only, while holding the
  refresh lock (`cmo_cio.lock`) for that moment. While a refresh holds it, or before anything
  is built, they are shown without their database columns and the command says why.

Everything is written under `<dbt_target_dir>/docs/` (setting `CMO_CIO_DBT_TARGET_DIR`):
dbt's own target folder `dbt/`, and `site/`, the three files the server serves.
"""

from __future__ import annotations

import argparse
import errno
import fcntl
import json
import os
import shutil
import signal
import sys
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cmo_cio.lock import RefreshInProgressError, refresh_lock
from cmo_cio.publish import served_row_counts, served_tables
from cmo_cio.serving import bi_connections
from cmo_cio.settings import WarehouseSettings
from cmo_cio.studies import MART_SCHEMA, MICRODATA_SCHEMA
from orchestration.dbt_command import run_dbt

HOST = "127.0.0.1"
DEFAULT_PORT = 8080  # `dbt docs serve`'s
PORT_ENV_VAR = "CMO_CIO_DOCS_PORT"
SITE_FILES = ("index.html", "manifest.json", "catalog.json")
OVERVIEW_DOC = "doc.cmo_cio_warehouse.__overview__"
# what `publish_marts` copies: tables (duckdb_tables()), not views
TABLE_MATERIALIZATIONS = ("table", "incremental")

NOT_SERVED = (
    "*Not served to BI tools: this relation lives in the build database only. BI tools read "
    "the public marts of the serving database.*"
)
RESTRICTED = (
    "*Restricted, not served to BI tools: respondent-level, published only to the owner-only "
    "microdata database (docs/microdata.md).*"
)


class DocsError(RuntimeError):
    """The docs could not be generated."""


@dataclass
class DocsSite:
    directory: Path  # index.html, manifest.json, catalog.json
    public_marts: list[str]
    notes: list[str] = field(default_factory=list)  # what the docs lack, and why


# -- which relation each node is presented as ---------------------------------------------


def serving_database_name(settings: WarehouseSettings) -> str:
    """The name DuckDB gives the serving database's catalog: its file name without suffix."""
    return settings.serving_db.stem


def is_public_mart(node: dict, build_database: str) -> bool:
    """A model `publish_marts` serves: a table of schema `marts` in the build database itself
    (the microdata are built into another file, attached as another database)."""
    return (
        node.get("resource_type") == "model"
        and node.get("config", {}).get("materialized") in TABLE_MATERIALIZATIONS
        and node.get("schema") == MART_SCHEMA
        and node.get("database") == build_database
    )


def public_marts(manifest: dict, build_database: str) -> dict[str, str]:
    """Table name -> unique id of every public mart of the manifest."""
    return {
        node["alias"]: unique_id
        for unique_id, node in manifest["nodes"].items()
        if is_public_mart(node, build_database)
    }


def serving_note(name: str, settings: WarehouseSettings, published: bool) -> str:
    serving_db = settings.serving_db
    parquet = settings.parquet_dir / f"{name}.parquet"
    note = (
        f"**BI users query** `{MART_SCHEMA}.{name}` in the serving database `{serving_db}` "
        "(read-only; `python -m cmo_cio.serving` prints the connection of each client), "
        f"or its Parquet copy `{parquet}`. A refresh replaces them only after every check "
        "passed."
    )
    if not published:
        note += " *Not in the serving database yet: the next refresh publishes it.*"
    return note


def present_serving_relations(
    manifest: dict, settings: WarehouseSettings, served: set[str] | None
) -> dict[str, str]:
    """Rewrite `manifest` in place so each public mart is the relation BI users query and
    every other relation says it is not served; returns the public marts (name -> id).

    `served` holds the tables of the serving database (None: not published yet).
    """
    build_database = settings.build_db.stem
    serving_database = serving_database_name(settings)
    marts = public_marts(manifest, build_database)
    for name, unique_id in marts.items():
        node = manifest["nodes"][unique_id]
        node["database"] = serving_database
        node["relation_name"] = f'"{serving_database}"."{MART_SCHEMA}"."{name}"'
        node["meta"] = {
            **node.get("meta", {}),
            "serving_relation": f"{MART_SCHEMA}.{name}",
            "serving_database": str(settings.serving_db),
            "parquet_file": str(settings.parquet_dir / f"{name}.parquet"),
        }
        published = served is not None and name in served
        node["description"] = _with_paragraph(
            node.get("description", ""), serving_note(name, settings, published)
        )
    others = [
        node
        for unique_id, node in manifest["nodes"].items()
        if unique_id not in marts.values() and node.get("resource_type") in ("model", "seed")
    ] + list(manifest.get("sources", {}).values())
    for node in others:
        restricted = node.get("schema") == MICRODATA_SCHEMA
        node["description"] = _with_paragraph(
            node.get("description", ""), RESTRICTED if restricted else NOT_SERVED
        )
    overview = manifest.get("docs", {}).get(OVERVIEW_DOC)
    if overview is not None:
        overview["block_contents"] = _with_paragraph(
            overview["block_contents"], _where_bi_users_query(settings)
        )
    return marts


def _where_bi_users_query(settings: WarehouseSettings) -> str:
    lines = [
        "## Where BI users query",
        "",
        f"The public marts are the tables of schema `{MART_SCHEMA}` in the serving database "
        f"`{settings.serving_db}`, also written as Parquet files; each mart's page "
        "names its relation. BI tools never read the build database. Connect read-only:",
        "",
    ]
    lines += [f"- {client}: `{connection}`" for client, connection in bi_connections(settings)]
    return "\n".join(lines)


def _with_paragraph(text: str, paragraph: str) -> str:
    return f"{text.rstrip()}\n\n{paragraph}" if text.strip() else paragraph


# -- the catalog: from the serving database and the build database --------------------------

# The catalog query of dbt-duckdb 1.11.1 (the version requirements.lock pins):
# `duckdb__get_catalog` in its dbt/include/duckdb/macros/catalog.sql. It is copied because
# that macro runs only on dbt's own connection, which opens the build database for writing
# (in a refresh's way) and never the serving database; here it runs on read-only
# connections. Unlike the macro it reads every database the connection has attached, skips
# DuckDB's internal views and leaves the choice of relations to `catalog_entries`. Compare
# it with the macro when upgrading dbt-duckdb.
CATALOG_SQL = """
with relations as (
    select database_name, schema_name, table_name, 'BASE TABLE' as table_type, comment
    from duckdb_tables()
    union all
    select database_name, schema_name, view_name, 'VIEW', comment
    from duckdb_views()
    where not internal
)
select
    r.database_name, r.schema_name, r.table_name, r.table_type, r.comment,
    c.column_name, c.column_index, c.data_type, c.comment
from relations as r
inner join duckdb_columns() as c using (database_name, schema_name, table_name)
order by r.database_name, r.schema_name, r.table_name, c.column_index
"""


def catalog_entries(connection, wanted: dict[tuple[str, str, str], str]) -> dict[str, dict]:
    """Catalog entries (dbt's catalog.json shape) of the relations `wanted` names:
    (database, schema, name), lower case -> unique id."""
    entries: dict[str, dict] = {}
    for row in connection.execute(CATALOG_SQL).fetchall():
        database, schema, name, kind, comment, column, index, data_type, column_comment = row
        unique_id = wanted.get((database.lower(), schema.lower(), name.lower()))
        if unique_id is None:
            continue
        entry = entries.setdefault(
            unique_id,
            {
                "metadata": {
                    "type": kind,
                    "schema": schema,
                    "name": name,
                    "database": database,
                    "comment": comment,
                    "owner": None,
                },
                "columns": {},
                "stats": {"has_stats": _stat("has_stats", "Has Stats?", False, False)},
                "unique_id": unique_id,
            },
        )
        entry["columns"][column] = {
            "type": data_type,
            "index": index,
            "name": column,
            "comment": column_comment,
        }
    return entries


def _stat(key: str, label: str, value, include: bool) -> dict:
    return {"id": key, "label": label, "value": value, "include": include, "description": ""}


def serving_catalog(settings: WarehouseSettings, marts: dict[str, str]) -> dict[str, dict]:
    """Catalog entries of the public marts, read from the serving database (read-only), with
    the row counts publish reports of it."""
    import duckdb

    database = serving_database_name(settings).lower()
    wanted = {(database, MART_SCHEMA, name.lower()): uid for name, uid in marts.items()}
    with duckdb.connect(str(settings.serving_db), read_only=True) as connection:
        entries = catalog_entries(connection, wanted)
    row_counts = served_row_counts(settings.serving_db)
    for entry in entries.values():
        rows = row_counts.get(entry["metadata"]["name"])
        if rows is not None:  # None: a refresh replaced the file between the two reads
            entry["stats"] = {
                "row_count": _stat("row_count", "Rows served", rows, True),
                "has_stats": _stat("has_stats", "Has Stats?", True, False),
            }
    return entries


def build_catalog(
    settings: WarehouseSettings, manifest: dict, notes: list[str]
) -> tuple[dict[str, dict], dict[str, dict]]:
    """Catalog entries (nodes, sources) of every relation that is not a public mart, read
    from the build database under the refresh lock; empty, with a note, when it cannot be.
    Reads the manifest as dbt wrote it (before `present_serving_relations`)."""
    import duckdb

    build_db = settings.build_db
    lacking = "the staging, intermediate and microdata models are shown without their columns"
    if settings.engine != "duckdb":
        notes.append(f"engine {settings.engine}: {lacking} (they are built in Spark).")
        return {}, {}
    if not build_db.is_file():
        notes.append(f"No build database yet at {build_db} (make run builds it): {lacking}.")
        return {}, {}
    build_database = build_db.stem
    wanted = {
        _catalog_key(node): unique_id
        for unique_id, node in [*manifest["nodes"].items(), *manifest["sources"].items()]
        if node.get("resource_type") in ("model", "seed", "source")
        and not is_public_mart(node, build_database)
        and node.get("config", {}).get("materialized") != "ephemeral"
    }
    microdata_build = settings.microdata_build_db
    try:
        with (
            refresh_lock(settings.refresh_lock_file, holder="make docs (reading the catalog)"),
            duckdb.connect(str(build_db), read_only=True) as connection,
        ):
            if microdata_build.is_file():
                connection.execute(
                    f"attach '{_escaped(microdata_build)}' as microdata_build (read_only)"
                )
            entries = catalog_entries(connection, wanted)
    except RefreshInProgressError as error:
        notes.append(f"A refresh is running, so {lacking} ({error}). Run make docs after it.")
        return {}, {}
    except duckdb.Error as error:
        first_line = str(error).splitlines()[0]
        notes.append(f"The build database cannot be read now ({first_line}): {lacking}.")
        return {}, {}
    nodes = {uid: entry for uid, entry in entries.items() if not uid.startswith("source.")}
    sources = {uid: entry for uid, entry in entries.items() if uid.startswith("source.")}
    return nodes, sources


def _catalog_key(node: dict) -> tuple[str, str, str]:
    name = node.get("identifier") or node.get("alias") or node["name"]
    return (node["database"].lower(), node["schema"].lower(), name.lower())


def _escaped(path: Path) -> str:
    return str(path).replace("'", "''")


# -- generating the site ----------------------------------------------------------------------


def docs_dir(settings: WarehouseSettings) -> Path:
    return settings.dbt_target_dir / "docs"


def generate_docs(settings: WarehouseSettings) -> DocsSite:
    """Run `dbt docs generate`, present the serving relations, write the site."""
    folder = docs_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    # Two `make docs` at once would share dbt's target folder: one generates at a time.
    with open(folder / ".generate.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        dbt_target = _dbt_docs_generate(settings, folder)
        manifest = json.loads((dbt_target / "manifest.json").read_text(encoding="utf-8"))
        catalog = json.loads((dbt_target / "catalog.json").read_text(encoding="utf-8"))

        notes: list[str] = []
        nodes, sources = build_catalog(settings, manifest, notes)
        # what publish serves; None before the first publish
        served = set(served_tables(settings.serving_db)) if settings.serving_db.is_file() else None
        marts = present_serving_relations(manifest, settings, served)
        if served is None:
            notes.append(
                f"Nothing published yet at {settings.serving_db} (make run publishes): the "
                "public marts are named by where they will be served, without their columns."
            )
        else:
            nodes |= serving_catalog(settings, marts)
            missing = sorted(set(marts) - served)
            if missing:
                notes.append(f"Not in the serving database yet: {', '.join(missing)}.")
            stale = sorted(served - set(marts))
            if stale:
                notes.append(
                    "The serving database also holds tables no model of the project builds "
                    f"as a public mart (not documented as such): {', '.join(stale)}."
                )
        catalog["nodes"], catalog["sources"] = nodes, sources

        site = folder / "site"
        site.mkdir(exist_ok=True)
        _replace(site / "manifest.json", json.dumps(manifest))
        _replace(site / "catalog.json", json.dumps(catalog))
        shutil.copyfile(dbt_target / "index.html", site / ".index.html.new")
        os.replace(site / ".index.html.new", site / "index.html")
    return DocsSite(site, sorted(marts), notes)


def _dbt_docs_generate(settings: WarehouseSettings, folder: Path) -> Path:
    """`dbt docs generate` without a catalog, compiled against an empty throwaway database."""
    target = folder / "dbt"
    compile_db = folder / "compile" / settings.build_db.name
    compile_db.parent.mkdir(exist_ok=True)
    result = run_dbt(
        ["docs", "generate", "--empty-catalog"],
        target,
        log_dir=folder / "logs",
        env={"CMO_CIO_BUILD_DB": str(compile_db)},
    )
    if result.returncode != 0 or not (target / "manifest.json").is_file():
        raise DocsError(f"dbt docs generate failed:\n{result.stdout}{result.stderr}")
    return target


def _replace(path: Path, text: str) -> None:
    """Write a file the server may be reading: a new file renamed over the old one."""
    staged = path.with_name(f".{path.name}.new")
    staged.write_text(text, encoding="utf-8")
    os.replace(staged, path)


# -- serving ----------------------------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        """Requests are not logged: the page loads a few files, nothing worth reading."""


def open_server(site: Path, port: int | None = None) -> ThreadingHTTPServer:
    """An HTTP server of `site` bound to 127.0.0.1 only: on `port` (0: any free one), or
    without one on DEFAULT_PORT when free, else on any free port."""
    handler = partial(_QuietHandler, directory=str(site))
    if port is not None:
        return ThreadingHTTPServer((HOST, port), handler)
    try:
        return ThreadingHTTPServer((HOST, DEFAULT_PORT), handler)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        return ThreadingHTTPServer((HOST, 0), handler)


def _stop(signum, frame):
    raise KeyboardInterrupt


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.docs",
        description="Generate the dbt docs of the warehouse and serve them on 127.0.0.1.",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=os.environ.get(PORT_ENV_VAR) or None,
        help=f"port to serve on, 0 for any free one (default: {PORT_ENV_VAR}, else "
        f"{DEFAULT_PORT} when free, else any free port)",
    )
    parser.add_argument(
        "--no-serve", action="store_true", help="write the docs site only, do not serve it"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = WarehouseSettings.from_env()
    print("Generating the dbt docs (dbt docs generate) ...", flush=True)
    try:
        site = generate_docs(settings)
    except DocsError as error:
        print(error, file=sys.stderr)
        return 1
    print(
        f"{len(site.public_marts)} public marts, each named as BI users query it: "
        f"{MART_SCHEMA}.<mart> in {settings.serving_db}"
    )
    for note in site.notes:
        print(f"Note: {note}")
    if args.no_serve:
        print(f"Docs written to {site.directory}")
        return 0
    try:
        server = open_server(site.directory, args.port)
    except OSError as error:
        tried = (
            f"{HOST}:{args.port}"
            if args.port is not None
            else f"{HOST} (port {DEFAULT_PORT}, else any free port)"
        )
        print(
            f"Cannot serve on {tried} ({error.strerror}): choose another port "
            f"with --port or {PORT_ENV_VAR} (0: any free port).",
            file=sys.stderr,
        )
        return 2
    signal.signal(signal.SIGTERM, _stop)
    url = f"http://{HOST}:{server.server_address[1]}/"
    print(f"\nServing the dbt docs at {url}  (only this machine; Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    print("Docs server stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
