"""Running dbt from the warehouse's own code, outside Dagster's dbt resource.

`run_dbt` is the one command line and environment for every such call (`dbt parse` for the
manifest Dagster loads, `dbt docs generate` for `make docs`). `prepare_manifest` runs
`dbt parse` whenever `manifest.json` is missing or older than any file that shapes the graph
(models, macros, seeds, tests, project files): a fresh clone has none, and a pulled change
can make it stale. Nothing here imports Dagster, so `make docs` starts quickly.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from cmo_cio.settings import PROJECT_DIR

# Folders and files whose changes change the dbt graph.
GRAPH_SOURCES = ("models", "macros", "seeds", "snapshots", "tests/dbt", "analyses")
GRAPH_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")


def newest_graph_source_mtime(project_dir: Path = PROJECT_DIR) -> float:
    newest = 0.0
    for name in GRAPH_FILES:
        candidate = project_dir / name
        if candidate.exists():
            newest = max(newest, candidate.stat().st_mtime)
    for folder in GRAPH_SOURCES:
        root = project_dir / folder
        if not root.exists():
            continue
        for dirpath, _dirnames, filenames in os.walk(root):
            newest = max(newest, Path(dirpath).stat().st_mtime)
            for filename in filenames:
                newest = max(newest, (Path(dirpath) / filename).stat().st_mtime)
    return newest


def manifest_is_current(manifest: Path, project_dir: Path = PROJECT_DIR) -> bool:
    return manifest.exists() and manifest.stat().st_mtime >= newest_graph_source_mtime(project_dir)


def prepare_manifest(target_dir: Path) -> Path:
    """Return the path of an up-to-date `manifest.json` in `target_dir`, parsing if needed."""
    manifest = target_dir / "manifest.json"
    if manifest_is_current(manifest):
        return manifest
    target_dir.mkdir(parents=True, exist_ok=True)
    # The UI's code server and a headless run may load at the same time: parse once.
    with open(target_dir / ".parse.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not manifest_is_current(manifest):
            _dbt_parse(target_dir, manifest)
    return manifest


def _dbt_parse(target_dir: Path, manifest: Path) -> None:
    result = run_dbt(["parse"], target_dir, log_dir=target_dir / "logs")
    if result.returncode != 0 or not manifest.exists():
        raise RuntimeError(
            f"dbt parse failed, so the dbt assets cannot be loaded:\n{result.stdout}{result.stderr}"
        )


def run_dbt(
    arguments: list[str], target_dir: Path, log_dir: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `dbt <arguments> --quiet` on the project, with the dbt installed beside this Python,
    the project's profiles and no usage stats sent; its artifacts go to `target_dir`, its log
    to `log_dir`. `env` adds to (or overrides) the environment. The output is captured; the
    caller checks the result."""
    dbt = Path(sys.executable).with_name("dbt")
    command = [
        str(dbt),
        *arguments,
        "--quiet",
        "--project-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target_dir),
        "--log-path",
        str(log_dir),
    ]
    environment = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(env or {}),
    }
    return subprocess.run(
        command, env=environment, cwd=PROJECT_DIR, capture_output=True, text=True, check=False
    )
