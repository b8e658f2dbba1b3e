"""Run bench/handwritten.sql: the warehouse's computations written by hand in DuckDB.

    python -m bench.handwritten --cmo CMO_EXPORT --cio CIO_EXPORT \
        [--database PATH] [--reference-dir seeds/reference] [--memory-limit 6GB]

Runs the script in a fresh DuckDB database (a temporary file unless --database
names one; ':memory:' for an in-memory database), prints the wall seconds and
exits nonzero on error. The exports may be CSV or Parquet.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
SCRIPT = BENCH_DIR / "handwritten.sql"
DEFAULT_REFERENCE_DIR = PROJECT_DIR / "seeds" / "reference"
# the tables the script leaves behind, for callers that read them
OUTPUT_TABLES = (
    "screening_summary",
    "survey_responses",  # compact; the view survey_responses_labelled spells it out
    "measure_shares",
    "cmo_cio_comparison",
    "segment_comparison",
)


def _literal(path: str | os.PathLike) -> str:
    """A path as the inside of a SQL string literal."""
    return str(Path(path).resolve()).replace("'", "''")


def render_script(
    cmo: str | os.PathLike, cio: str | os.PathLike, reference_dir: str | os.PathLike
) -> str:
    """The script with its placeholders replaced by the paths."""
    text = SCRIPT.read_text(encoding="utf-8")
    for name, value in (("cmo_export", cmo), ("cio_export", cio), ("reference_dir", reference_dir)):
        text = text.replace("{" + name + "}", _literal(value))
    return text


def execute_handwritten(
    con: duckdb.DuckDBPyConnection,
    cmo: str | os.PathLike,
    cio: str | os.PathLike,
    reference_dir: str | os.PathLike = DEFAULT_REFERENCE_DIR,
) -> None:
    """Run the script on an open connection; its temp tables (interviews...) stay readable."""
    con.execute(render_script(cmo, cio, reference_dir))


def run_handwritten(
    cmo: str | os.PathLike,
    cio: str | os.PathLike,
    database: str | os.PathLike | None = None,
    reference_dir: str | os.PathLike = DEFAULT_REFERENCE_DIR,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> float:
    """Run the script into a fresh `database` and close it; wall seconds, connecting included.

    `database` None: a temporary file, removed afterwards; ':memory:': in memory.
    """
    with tempfile.TemporaryDirectory(prefix="handwritten-") as tmp:
        started = time.perf_counter()
        con = duckdb.connect(str(database or Path(tmp) / "handwritten.duckdb"))
        try:
            if memory_limit:
                con.execute(f"set memory_limit = '{memory_limit}'")
            if threads:
                con.execute(f"set threads = {int(threads)}")
            execute_handwritten(con, cmo, cio, reference_dir)
        finally:
            con.close()
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cmo", required=True, help="CMO export (CSV or Parquet)")
    parser.add_argument("--cio", required=True, help="CIO export (CSV or Parquet)")
    parser.add_argument("--database", help="DuckDB database to create (default: a temporary file)")
    parser.add_argument("--reference-dir", default=str(DEFAULT_REFERENCE_DIR))
    parser.add_argument("--memory-limit", help="DuckDB memory_limit, e.g. 6GB")
    parser.add_argument("--threads", type=int, help="DuckDB threads (default: all cores)")
    args = parser.parse_args(argv)
    try:
        seconds = run_handwritten(
            args.cmo, args.cio, args.database, args.reference_dir, args.memory_limit, args.threads
        )
    except (duckdb.Error, OSError) as error:
        print(f"handwritten.sql failed: {error}", file=sys.stderr)
        return 1
    print(f"handwritten: {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
