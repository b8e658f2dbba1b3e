"""Helpers the tests share: running dbt against a throwaway database, reading DuckDB."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

from cmo_cio.settings import PROJECT_DIR, microdata_build_path

DBT = Path(sys.executable).with_name("dbt")


def run_dbt(args: list[str], build_db: Path, work_dir: Path, **extra_env: str):
    """Run the dbt CLI against `build_db`, keeping target/ and logs/ in `work_dir`.

    Returns the completed process; raises with dbt's output when it fails.
    """
    env = {
        **os.environ,
        "CMO_CIO_BUILD_DB": str(build_db),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        **extra_env,
    }
    command = [
        str(DBT),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=PROJECT_DIR)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{result.stdout[-20000:]}{result.stderr}")
    return result


def headless_refresh(env: dict, timeout: float = 900) -> subprocess.CompletedProcess:
    """`python -m orchestration` (what `make run` runs) with `env`, in its own process group
    (so a failpoint's kill takes dbt's subprocess with it); output captured."""
    return subprocess.run(
        [sys.executable, "-m", "orchestration"],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        start_new_session=True,
    )


def query(database: Path, sql: str, parameters=None) -> list[tuple]:
    """Rows of `sql` on a DuckDB file opened read-only (and closed again)."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def folder_digest(folder: Path) -> dict[str, str]:
    return {path.name: digest(path) for path in sorted(Path(folder).iterdir())}


SETTLED_AGE = 600  # seconds; well past the default settle time of a landed export


def land(landing: Path, name: str, content: str = "ResponseID\n", age: float = SETTLED_AGE):
    """Writes an export into the landing folder, last modified `age` seconds ago."""
    path = Path(landing) / name
    path.write_text(content)
    written = time.time() - age
    os.utime(path, (written, written))
    return path


def microdata_of(build_db: Path) -> Path:
    """The file dbt builds the microdata schema into, beside `build_db`."""
    return microdata_build_path(Path(build_db))


def copy_build(build_db: Path, target: Path) -> Path:
    """A private copy of a build (its database and microdata file), for tests that change it."""
    import shutil

    shutil.copyfile(build_db, target)
    if microdata_of(build_db).exists():
        shutil.copyfile(microdata_of(build_db), microdata_of(target))
    return target
