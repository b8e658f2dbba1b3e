"""The dbt project as Dagster sees it, with a manifest that is ready on a fresh clone.

Dagster reads the dbt graph from `manifest.json`. A fresh clone has none and a pulled change
can make it stale, so `prepare_manifest` runs `dbt parse` whenever the manifest is missing or
older than any file that shapes the graph (models, macros, seeds, tests, project files).
The manifest lives in the `dbt_target_dir` setting (`CMO_CIO_DBT_TARGET_DIR`).
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from cmo_cio.settings import PROJECT_DIR, WarehouseSettings

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
    dbt = Path(sys.executable).with_name("dbt")
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [
        str(dbt),
        "parse",
        "--quiet",
        "--project-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target_dir),
        "--log-path",
        str(target_dir / "logs"),
    ]
    result = subprocess.run(
        command, env=env, cwd=PROJECT_DIR, capture_output=True, text=True, check=False
    )
    if result.returncode != 0 or not manifest.exists():
        raise RuntimeError(
            f"dbt parse failed, so the dbt assets cannot be loaded:\n{result.stdout}{result.stderr}"
        )


TARGET_DIR = WarehouseSettings.from_env().dbt_target_dir
dbt_project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR, target_path=TARGET_DIR)
MANIFEST_PATH = prepare_manifest(TARGET_DIR)
