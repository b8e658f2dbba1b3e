"""The dbt manifest Dagster loads is re-parsed whenever the dbt project changed."""

from __future__ import annotations

import os

from orchestration.dbt_command import manifest_is_current


def test_manifest_is_reparsed_when_the_dbt_project_changes(tmp_path):
    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "dim_x.sql"
    model.write_text("select 1 as x")
    manifest = tmp_path / "target" / "manifest.json"
    assert not manifest_is_current(manifest, tmp_path)  # a fresh clone has none

    manifest.parent.mkdir()
    manifest.write_text("{}")
    os.utime(model, (1_000, 1_000))
    os.utime(tmp_path / "models", (1_000, 1_000))
    os.utime(manifest, (2_000, 2_000))
    assert manifest_is_current(manifest, tmp_path)

    os.utime(model, (3_000, 3_000))  # a model edited after the last parse
    assert not manifest_is_current(manifest, tmp_path)
