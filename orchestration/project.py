"""The dbt project as Dagster sees it, with a manifest that is ready on a fresh clone.

Dagster reads the dbt graph from `manifest.json`, made (or remade when stale) by
`orchestration.dbt_command.prepare_manifest` in the `dbt_target_dir` setting
(`CMO_CIO_DBT_TARGET_DIR`).
"""

from __future__ import annotations

from dagster_dbt import DbtProject

from cmo_cio.settings import PROJECT_DIR, WarehouseSettings
from orchestration.dbt_command import prepare_manifest

TARGET_DIR = WarehouseSettings.from_env().dbt_target_dir
dbt_project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR, target_path=TARGET_DIR)
MANIFEST_PATH = prepare_manifest(TARGET_DIR)
