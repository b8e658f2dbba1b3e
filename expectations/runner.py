"""Validate the warehouse against its Great Expectations suites.

The suites are the JSON files of `expectations/suites/` and the figure-mart suites built by
`expectations.figures`. Each suite names the table it checks (`meta.table`). GX validates it
in the database, through a SQL datasource for DuckDB files opened read-only
(`expectations.duckdb_datasource`: GX's own SQL datasource loses DuckDB's results), so no
table is copied into Python memory, however large.

Value sets and counts that come from the codebook are GX suite parameters
(`{"$PARAMETER": "country_codes"}` in an expectation's kwargs). The suite's
`meta.parameters` maps each name to a SQL query run on the same database at validation time:
a query string gives a list (a value set), `{"scalar": query}` a single value (a count).

Every run writes GX Data Docs (HTML) for its results to `docs_dir`, with the results of the
`keep_runs` newest runs; the pages load their scripts and styles from the folder itself
(`expectations.web_assets`), so they work offline and send nothing to GX.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cmo_cio.settings import SETTING_BY_NAME, microdata_build_path
from cmo_cio.studies import MICRODATA_SCHEMA

SUITE_DIR = Path(__file__).resolve().parent / "suites"
DATASOURCE_NAME = "warehouse"
DOCS_SITE_NAME = "warehouse"
# Unexpected values shown per failed expectation in messages (Data Docs show more).
SAMPLE_SIZE = 5
# Audit runs whose results Data Docs keep (every validation of a run is one audit run); the
# refresh passes its setting `gx_docs_keep_runs`.
DOCS_RUNS_KEPT = int(SETTING_BY_NAME["gx_docs_keep_runs"].default)


@dataclass(frozen=True)
class SuiteFile:
    """One suite: the GX suite document plus which table it checks and where it is written."""

    path: Path | None  # the JSON file; None for a suite built in Python
    name: str
    table: str
    layer: str
    asset_name: str
    parameters: dict[str, str | dict[str, str]]
    document: dict

    @property
    def expectation_count(self) -> int:
        return len(self.document.get("expectations", []))

    def origin(self, project_dir: Path) -> str:
        """Where a reader finds the suite: its file, or the module that builds it."""
        if self.path is None:
            return "expectations/figures.py"
        return str(self.path.relative_to(project_dir))


@dataclass
class ExpectationOutcome:
    expectation_type: str
    target: str
    success: bool
    detail: str = ""

    def describe(self) -> str:
        text = f"{self.expectation_type}({self.target})"
        return f"{text}: {self.detail}" if self.detail else text


@dataclass
class SuiteOutcome:
    suite: SuiteFile
    success: bool
    row_count: int | None = None
    expectations: list[ExpectationOutcome] = field(default_factory=list)
    error: str | None = None

    @property
    def failures(self) -> list[str]:
        if self.error:
            return [self.error]
        return [outcome.describe() for outcome in self.expectations if not outcome.success]

    def summary(self) -> str:
        passed = sum(outcome.success for outcome in self.expectations)
        status = "passed" if self.success else "FAILED"
        text = f"{self.suite.name} on {self.suite.table}: {status} ({passed}/"
        text += f"{self.suite.expectation_count} expectations)"
        return text


@dataclass
class ValidationRun:
    suites: list[SuiteOutcome]
    docs_index: Path | None

    @property
    def success(self) -> bool:
        return all(outcome.success for outcome in self.suites)

    @property
    def failed_suites(self) -> list[SuiteOutcome]:
        return [outcome for outcome in self.suites if not outcome.success]


# -- suite files ----------------------------------------------------------------------------


def import_in_background() -> None:
    """Import Great Expectations (about 3 s) on a thread, for a validation to come: a caller
    that waits on another process meanwhile (the dbt build) gets it for free."""
    import importlib
    import threading

    threading.Thread(
        target=importlib.import_module, args=("great_expectations",), daemon=True
    ).start()


def load_suites(suite_dir: Path = SUITE_DIR, names: Iterable[str] | None = None) -> list[SuiteFile]:
    """Every suite (or only those named), sorted by name.

    The warehouse's suites are the `*.json` files of `suite_dir` plus the figure-mart suites
    of `expectations.figures`; another `suite_dir` holds all of its suites in its files.
    """
    from expectations.figures import figure_suites

    wanted = set(names) if names is not None else None
    documents = [
        (path, json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(Path(suite_dir).glob("*.json"))
    ]
    if Path(suite_dir) == SUITE_DIR:
        documents += [(None, document) for document in figure_suites()]
    suites = []
    for path, document in documents:
        suite = _suite(path, document)
        if wanted is None or suite.name in wanted:
            suites.append(suite)
    suites.sort(key=lambda suite: suite.name)
    if wanted is not None and len(suites) != len(wanted):
        missing = wanted - {suite.name for suite in suites}
        raise ValueError(f"no suite file for {sorted(missing)} in {suite_dir}")
    return suites


def _suite(path: Path | None, document: dict) -> SuiteFile:
    meta = document.get("meta", {})
    name = document.get("name") or (path.stem if path else "")
    table = meta.get("table")
    if not table or "." not in table:
        raise ValueError(f"suite {name}: meta.table must name a schema-qualified table")
    return SuiteFile(
        path=path,
        name=name,
        table=table,
        layer=meta.get("layer", table.split(".")[0]),
        asset_name=meta.get("asset", table.split(".")[-1]),
        parameters=dict(meta.get("parameters", {})),
        document=document,
    )


# -- validation -----------------------------------------------------------------------------


def export_file_relation(path: str | Path) -> str:
    """SQL reading an export file (CSV or Parquet) with every column as text."""
    literal = "'" + str(path).replace("'", "''") + "'"
    if str(path).lower().endswith(".parquet"):
        return f"(select columns(*)::varchar from read_parquet({literal}))"
    return f"read_csv({literal}, header = true, all_varchar = true)"


def validate_warehouse(
    database: Path | None,
    docs_dir: Path | None,
    suites: list[SuiteFile] | None = None,
    relations: dict[str, str] | None = None,
    keep_runs: int = DOCS_RUNS_KEPT,
    run_name: str | None = None,
) -> ValidationRun:
    """Validate `suites` (default: all) in the database, each against the file holding its table.

    A suite reads `database` (a DuckDB file), except that the suites of the microdata schema
    read the file dbt builds it into beside `database`
    (`cmo_cio.settings.microdata_build_path`), and a suite whose table is a key of
    `relations` reads that relation instead, through a view of a scratch database: for
    example `{"raw.cmo_study_2011_export": export_file_relation(path)}` validates an export
    file. `database` may be None when `relations` covers every suite. Every file is opened
    read-only and closed before returning. When `docs_dir` is given, this run's results join
    the results kept beside it (the `keep_runs` newest validations) and the Data Docs of all
    of them replace the ones in `docs_dir` (`docs_dir/index.html`). Validations sharing a
    `run_name` count as one run.
    """
    import great_expectations as gx

    from expectations.duckdb_datasource import dispose

    suites = load_suites() if suites is None else suites
    relations = relations or {}
    if database is not None and not Path(database).is_file():
        raise FileNotFoundError(f"database {database} does not exist")

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="gx_project_") as project_dir:
        scratch = _scratch_database(Path(project_dir) / "relations.duckdb", relations)
        files = _files_of_suites(suites, database, relations, scratch)
        context = _context(gx, docs_dir)
        datasources = {
            path: context.data_sources.add_duckdb(
                f"{DATASOURCE_NAME}_{number}",
                connection_string=f"duckdb:///{path.resolve()}",
                kwargs={"connect_args": {"read_only": True, "config": _duckdb_config()}},
            )
            for number, path in enumerate(sorted(set(files.values()), key=str))
        }
        sources = {path: _DuckDBSource(datasource) for path, datasource in datasources.items()}
        try:
            return _validate_and_document(
                gx,
                context,
                {suite.name: sources[files[suite.name]] for suite in suites},
                suites,
                docs_dir,
                keep_runs,
                run_name,
            )
        finally:
            for datasource in datasources.values():
                dispose(datasource)


def validate_spark_build(
    tables_dir: Path,
    docs_dir: Path | None,
    suites: list[SuiteFile] | None = None,
    export_files: dict[str, Path] | None = None,
    keep_runs: int = DOCS_RUNS_KEPT,
    run_name: str | None = None,
) -> ValidationRun:
    """Validate `suites` (default: all) on Spark, as `validate_warehouse` does on DuckDB.

    The tables are those the Spark engine wrote under `tables_dir`
    (`<schema>.db/<table>/`, Parquet), each suite's batch a Spark DataFrame validated by
    GX's Spark execution engine: no table is copied into Python. A suite whose table is a
    key of `export_files` reads that export file instead (CSV or Parquet, every column as
    text). The Spark session is local, lives for this call and ends with it.
    """
    import great_expectations as gx

    from expectations.spark_session import SparkSource, audit_session

    suites = load_suites() if suites is None else suites
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    with audit_session(Path(tables_dir), export_files or {}) as (spark, exports):
        context = _context(gx, docs_dir)
        datasource = context.data_sources.add_spark(name=DATASOURCE_NAME)
        source = SparkSource(spark, datasource, exports)
        return _validate_and_document(
            gx,
            context,
            {suite.name: source for suite in suites},
            suites,
            docs_dir,
            keep_runs,
            run_name,
        )


def _validate_and_document(
    gx, context, sources: dict, suites, docs_dir, keep_runs, run_name
) -> ValidationRun:
    """Validate each suite on its source; render this run's Data Docs into `docs_dir`."""
    from expectations import web_assets

    if docs_dir is not None:
        if keep_runs < 1:
            raise ValueError(f"keep_runs must be at least 1, not {keep_runs}")
        web_assets.require()  # before validating: the docs must not fail after the work
    staged_docs = _add_docs_site(context, docs_dir) if docs_dir else None
    run_id = _run_id(run_name)
    outcomes = [
        _validate_suite(gx, context, sources[suite.name], suite, run_id) for suite in suites
    ]
    docs_index = None
    if staged_docs is not None:
        kept_runs = _prune_results(context, keep_runs)
        _remove_empty_folders(results_dir_of(docs_dir))
        _drop_pages_of_runs_not_kept(staged_docs, kept_runs)
        # Pages of earlier runs are kept as rendered: only this run's are new.
        context.build_data_docs(
            site_names=[DOCS_SITE_NAME],
            resource_identifiers=_identifiers_of_run(context, run_id, suites),
        )
        web_assets.localize_docs(staged_docs)
        docs_index = _swap_docs(staged_docs, Path(docs_dir))
    return ValidationRun(suites=outcomes, docs_index=docs_index)


def _files_of_suites(
    suites: list[SuiteFile], database: Path | None, relations: dict[str, str], scratch: Path
) -> dict[str, Path]:
    """The file each suite reads (see `validate_warehouse`)."""
    microdata = microdata_build_path(database) if database is not None else None
    files = {}
    for suite in suites:
        if suite.table in relations or database is None:
            files[suite.name] = scratch
        elif suite.table.startswith(f"{MICRODATA_SCHEMA}.") and microdata.is_file():
            files[suite.name] = microdata
        else:
            files[suite.name] = Path(database)
    return files


def _duckdb_config() -> dict[str, str]:
    """The validating connection's limits: the build's memory cap, spilling past it."""
    import os

    return {"memory_limit": os.environ.get("CMO_CIO_DUCKDB_MEMORY_LIMIT", "1200MB")}


def _scratch_database(path: Path, relations: dict[str, str]) -> Path:
    """A database with one view per relation, named like the table a suite checks."""
    import duckdb

    with duckdb.connect(str(path)) as connection:
        for table, relation in relations.items():
            schema, name = table.split(".", 1)
            connection.execute(f'create schema if not exists "{schema}"')
            connection.execute(f'create view "{schema}"."{name}" as select * from {relation}')
    return path


def results_dir_of(docs_dir: Path) -> Path:
    """Where the validation results behind `docs_dir` are kept between runs."""
    docs_dir = Path(docs_dir)
    return docs_dir.with_name(f".{docs_dir.name}-results")


def _context(gx, docs_dir: Path | None):
    """An in-memory GX project whose validation results are kept beside `docs_dir`: nothing
    but the results and the Data Docs is written to disk."""
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
    )
    if docs_dir is not None:
        config.stores[config.validation_results_store_name] = {
            "class_name": "ValidationResultsStore",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(results_dir_of(docs_dir).resolve()),
            },
        }
    context = gx.get_context(mode="ephemeral", project_config=config)
    _quiet_progress_bars(context)
    return context


def _run_id(run_name: str | None):
    from great_expectations.core.run_identifier import RunIdentifier

    now = datetime.now(UTC)
    return RunIdentifier(run_name=run_name or f"audit-{now:%Y%m%dT%H%M%S%f}", run_time=now)


def _prune_results(context, keep_runs: int) -> set[str]:
    """Keep the validations of the `keep_runs` newest runs; returns the names of those runs."""
    store = context.validation_results_store
    keys = store.list_keys()
    latest: dict[str, object] = {}
    for key in keys:
        name, time = key.run_id.run_name, key.run_id.run_time
        latest[name] = max(latest.get(name, time), time)
    kept = set(sorted(latest, key=lambda name: latest[name], reverse=True)[:keep_runs])
    for key in keys:
        if key.run_id.run_name not in kept:
            store.remove_key(key)
    return kept


def _remove_empty_folders(folder: Path) -> None:
    """The folders of pruned results, which the store leaves behind empty."""
    for path in sorted(Path(folder).rglob("*"), key=lambda path: len(path.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _identifiers_of_run(context, run_id, suites: list[SuiteFile]) -> list:
    """The validation results of this run and the suites it ran: the Data Docs pages to render."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    results = [
        key
        for key in context.validation_results_store.list_keys()
        if key.run_id.run_name == run_id.run_name
    ]
    return results + [ExpectationSuiteIdentifier(name=suite.name) for suite in suites]


class _DuckDBSource:
    """Batches and queries of one DuckDB file, on GX's own connection: a second DuckDB
    connection in this process would conflict with it."""

    def __init__(self, datasource) -> None:
        self.datasource = datasource
        self.engine = datasource.get_execution_engine()

    def rows(self, query: str) -> list[tuple]:
        import sqlalchemy

        return list(self.engine.execute_query(sqlalchemy.text(query)).fetchall())

    def row_count(self, table: str) -> int:
        schema, name = table.split(".", 1)
        return self.rows(f'select count(*) from "{schema}"."{name}"')[0][0]

    def batch(self, suite: SuiteFile):
        """The batch definition of the suite's table, and its batch parameters (none)."""
        asset = self.datasource.add_table_asset(name=suite.name, table_name=suite.table)
        return asset.add_batch_definition_whole_table("whole_table"), None


def _validate_suite(gx, context, source, suite: SuiteFile, run_id) -> SuiteOutcome:
    from great_expectations.core.expectation_suite import ExpectationSuite

    try:
        parameters = _suite_parameters(source, suite)
        row_count = source.row_count(suite.table)
        batch_definition, batch_parameters = source.batch(suite)
    except Exception as error:  # a missing table or a broken parameter query fails the suite
        message = " ".join(str(error).split())[:300]
        return SuiteOutcome(
            suite=suite, success=False, error=f"cannot read {suite.table}: {message}"
        )

    document = {key: value for key, value in suite.document.items() if key != "name"}
    gx_suite = context.suites.add(ExpectationSuite(name=suite.name, **document))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=gx_suite)
    )
    result = validation.run(
        batch_parameters=batch_parameters,
        expectation_parameters=parameters,
        result_format="SUMMARY",
        run_id=run_id,
    )
    expectations = [_expectation_outcome(item) for item in result.results]
    return SuiteOutcome(
        suite=suite,
        success=bool(result.success),
        row_count=row_count,
        expectations=expectations,
    )


def _suite_parameters(source, suite: SuiteFile) -> dict:
    """Run each `meta.parameters` query.

    A plain query string gives a list (its one column, e.g. a value set from the codebook);
    `{"scalar": query}` gives the single value of a one-row, one-column query (e.g. a count).
    """
    values = {}
    for name, spec in suite.parameters.items():
        is_scalar = isinstance(spec, dict)
        query = spec["scalar"] if is_scalar else spec
        rows = source.rows(query)
        if rows and len(rows[0]) != 1:
            raise ValueError(f"parameter {name} of {suite.name}: query must return one column")
        if is_scalar:
            if len(rows) != 1:
                raise ValueError(f"parameter {name} of {suite.name}: expected one row")
            values[name] = rows[0][0]
        else:
            if not rows:
                raise ValueError(f"parameter {name} of {suite.name}: value set query is empty")
            values[name] = [row[0] for row in rows]
    return values


def _expectation_outcome(item) -> ExpectationOutcome:
    config = item.expectation_config
    kwargs = config.kwargs
    target = (
        kwargs.get("column")
        or ",".join(kwargs.get("column_list", []) or [])
        or (
            f"{kwargs['column_A']}>{'=' if kwargs.get('or_equal') else ''}{kwargs['column_B']}"
            if "column_A" in kwargs
            else "table"
        )
    )
    result = item.result or {}
    detail = ""
    if not item.success:
        if item.exception_info and item.exception_info.get("raised_exception"):
            detail = f"error: {item.exception_info.get('exception_message')}"
        elif result.get("unexpected_count") is not None:
            sample = result.get("partial_unexpected_list", [])[:SAMPLE_SIZE]
            detail = f"{result['unexpected_count']} unexpected rows, e.g. {sample}"
        elif "observed_value" in result:
            detail = f"observed {result['observed_value']}"
    return ExpectationOutcome(config.type, str(target), bool(item.success), detail)


# -- Data Docs ------------------------------------------------------------------------------


def _quiet_progress_bars(context) -> None:
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context.variables.progress_bars = ProgressBarsConfig(globally=False)


def _add_docs_site(context, docs_dir: Path) -> Path:
    """Build Data Docs into a copy of `docs_dir` beside it; swapped in when complete."""
    docs_dir = Path(docs_dir)
    docs_dir.parent.mkdir(parents=True, exist_ok=True)
    staged = docs_dir.with_name(f".{docs_dir.name}.{uuid.uuid4().hex[:8]}.building")
    if (docs_dir / "index.html").is_file():
        shutil.copytree(docs_dir, staged, symlinks=True)
    context.add_data_docs_site(
        site_name=DOCS_SITE_NAME,
        site_config={
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(staged),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return staged


def _drop_pages_of_runs_not_kept(docs: Path, kept_runs: set[str]) -> None:
    """Remove the validation pages (`validations/<suite>/<run name>/...`) of pruned runs."""
    for run_folder in docs.glob("validations/*/*"):
        if run_folder.is_dir() and run_folder.name not in kept_runs:
            shutil.rmtree(run_folder)


def _swap_docs(staged: Path, docs_dir: Path) -> Path:
    """Replace the previous run's Data Docs with this run's."""
    if docs_dir.exists():
        if any(docs_dir.iterdir()) and not (docs_dir / "index.html").exists():
            shutil.rmtree(staged, ignore_errors=True)
            raise RuntimeError(f"{docs_dir} is not a Data Docs folder; refusing to replace it")
        retired = docs_dir.with_name(f".{docs_dir.name}.{uuid.uuid4().hex[:8]}.old")
        docs_dir.rename(retired)
        staged.rename(docs_dir)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staged.rename(docs_dir)
    return docs_dir / "index.html"
