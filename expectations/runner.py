"""Validate the warehouse against its Great Expectations suites.

The suites are the JSON files of `expectations/suites/` and the figure-mart suites built by
`expectations.figures`. Each suite names the table it checks (`meta.table`). The table is
read with the duckdb Python API over a read-only connection into a pandas dataframe and
validated through a GX pandas datasource. (GX's SQL datasource over duckdb-engine returns no
rows, so it is not used.)

Value sets and counts that come from the codebook are GX suite parameters
(`{"$PARAMETER": "country_codes"}` in an expectation's kwargs). The suite's
`meta.parameters` maps each name to a SQL query run on the same database at validation time:
a query string gives a list (a value set), `{"scalar": query}` a single value (a count).

Every run writes GX Data Docs (HTML) for its results to `docs_dir`.
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

SUITE_DIR = Path(__file__).resolve().parent / "suites"
DATASOURCE_NAME = "warehouse_tables"
DOCS_SITE_NAME = "warehouse"
# Unexpected values shown per failed expectation in messages (Data Docs show more).
SAMPLE_SIZE = 5
# Audit runs whose results Data Docs keep (every validation of a run is one audit run).
DOCS_RUNS_KEPT = 20


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
    """Validate `suites` (default: all) against the DuckDB file `database`.

    The database is opened read-only and closed before returning; with `database` None the
    suites read only `relations`. `relations` reads a table from elsewhere, for example
    `{"raw.cmo_study_2011_export": export_file_relation(path)}` to validate an export file.
    When `docs_dir` is given, this run's results join the results kept beside it (the
    `keep_runs` newest validations) and the Data Docs of all of them replace the ones in
    `docs_dir` (`docs_dir/index.html`). Validations sharing a `run_name` count as one run.
    """
    import duckdb
    import great_expectations as gx

    suites = load_suites() if suites is None else suites
    if database is not None and not Path(database).is_file():
        raise FileNotFoundError(f"database {database} does not exist")

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="gx_project_") as project_dir:
        context = _context(gx, Path(project_dir), docs_dir)
        staged_docs = _add_docs_site(context, docs_dir) if docs_dir else None
        datasource = context.data_sources.add_pandas(DATASOURCE_NAME)
        run_id = _run_id(run_name)

        outcomes = []
        target = str(database) if database is not None else ":memory:"
        with duckdb.connect(target, read_only=database is not None) as connection:
            for suite in suites:
                relation = (relations or {}).get(suite.table, suite.table)
                outcomes.append(
                    _validate_suite(gx, context, datasource, connection, suite, relation, run_id)
                )

        docs_index = None
        if staged_docs is not None:
            _prune_results(context, keep_runs)
            context.build_data_docs(site_names=[DOCS_SITE_NAME])
            docs_index = _swap_docs(staged_docs, Path(docs_dir))
    return ValidationRun(suites=outcomes, docs_index=docs_index)


def results_dir_of(docs_dir: Path) -> Path:
    """Where the validation results behind `docs_dir` are kept between runs."""
    docs_dir = Path(docs_dir)
    return docs_dir.with_name(f".{docs_dir.name}-results")


def _context(gx, project_dir: Path, docs_dir: Path | None):
    """A throwaway GX project whose validation results are kept beside `docs_dir`."""
    context = gx.get_context(mode="file", project_root_dir=project_dir)
    if docs_dir is not None:
        stores = context.variables.stores  # a copy: assign it back, then re-open
        backend = stores["validation_results_store"]["store_backend"]
        backend["base_directory"] = str(results_dir_of(docs_dir).resolve())
        context.variables.stores = stores
        context.variables.save()
        context = gx.get_context(mode="file", project_root_dir=project_dir)
    _quiet_progress_bars(context)
    return context


def _run_id(run_name: str | None):
    from great_expectations.core.run_identifier import RunIdentifier

    now = datetime.now(UTC)
    return RunIdentifier(run_name=run_name or f"audit-{now:%Y%m%dT%H%M%S%f}", run_time=now)


def _prune_results(context, keep_runs: int) -> None:
    """Keep the validations of the `keep_runs` newest runs; their Data Docs pages go too."""
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


def _validate_suite(
    gx, context, datasource, connection, suite: SuiteFile, relation: str, run_id
) -> SuiteOutcome:
    from great_expectations.core.expectation_suite import ExpectationSuite

    try:
        frame = connection.execute(f"select * from {relation}").df()
        parameters = _suite_parameters(connection, suite)
    except Exception as error:  # a missing table or a broken parameter query fails the suite
        return SuiteOutcome(suite=suite, success=False, error=f"cannot read {suite.table}: {error}")

    document = {key: value for key, value in suite.document.items() if key != "name"}
    gx_suite = context.suites.add(ExpectationSuite(name=suite.name, **document))
    batch_definition = datasource.add_dataframe_asset(
        name=suite.name
    ).add_batch_definition_whole_dataframe("whole_table")
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=gx_suite)
    )
    result = validation.run(
        batch_parameters={"dataframe": frame},
        expectation_parameters=parameters,
        result_format="SUMMARY",
        run_id=run_id,
    )
    expectations = [_expectation_outcome(item) for item in result.results]
    return SuiteOutcome(
        suite=suite,
        success=bool(result.success),
        row_count=len(frame),
        expectations=expectations,
    )


def _suite_parameters(connection, suite: SuiteFile) -> dict:
    """Run each `meta.parameters` query.

    A plain query string gives a list (its one column, e.g. a value set from the codebook);
    `{"scalar": query}` gives the single value of a one-row, one-column query (e.g. a count).
    """
    values = {}
    for name, spec in suite.parameters.items():
        is_scalar = isinstance(spec, dict)
        query = spec["scalar"] if is_scalar else spec
        rows = connection.execute(query).fetchall()
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
    """Build Data Docs into a fresh folder beside `docs_dir`; swapped in when complete."""
    docs_dir = Path(docs_dir)
    docs_dir.parent.mkdir(parents=True, exist_ok=True)
    staged = docs_dir.with_name(f".{docs_dir.name}.{uuid.uuid4().hex[:8]}.building")
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
