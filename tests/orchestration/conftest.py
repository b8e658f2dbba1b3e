"""Fixtures of the code-location tests: the Definitions and throwaway run folders."""

from __future__ import annotations

import pytest

from cmo_cio.settings import WarehouseSettings, environment_under


@pytest.fixture
def run_folders(tmp_path, monkeypatch):
    """Every run-time path of the warehouse inside `tmp_path` (environment variables)."""
    for variable, path in environment_under(tmp_path).items():
        monkeypatch.setenv(variable, path)
    monkeypatch.delenv("CMO_CIO_LANDING_SETTLE_SECONDS", raising=False)
    (tmp_path / "landing").mkdir()
    return tmp_path


@pytest.fixture
def warehouse(run_folders):
    """The `warehouse` resource with the settings of `run_folders`."""
    from orchestration.resources import WarehouseResource

    return WarehouseResource.from_settings(WarehouseSettings.from_env())
