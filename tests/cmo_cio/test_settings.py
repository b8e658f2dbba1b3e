"""Run-time settings: one declaration, environment overrides, and the README's table."""

from __future__ import annotations

import re

import pytest

from cmo_cio.settings import PROJECT_DIR, SETTINGS, SettingError, WarehouseSettings


def test_defaults_are_inside_the_project_and_absolute():
    settings = WarehouseSettings.from_env({})
    assert settings.build_db == PROJECT_DIR / "warehouse" / "build.duckdb"
    assert settings.landing_settle_seconds == 30
    for setting in SETTINGS:
        value = getattr(settings, setting.name)
        if setting.is_path:
            assert value.is_absolute() and value.is_relative_to(PROJECT_DIR), setting.name


def test_environment_variables_override_the_defaults(tmp_path):
    settings = WarehouseSettings.from_env(
        {
            "CMO_CIO_SERVING_DB": str(tmp_path / "bi.duckdb"),
            "CMO_CIO_REPORT_DIR": "elsewhere/report",
            "CMO_CIO_LANDING_SETTLE_SECONDS": "0",
        }
    )
    assert settings.serving_db == tmp_path / "bi.duckdb"
    assert settings.report_dir == PROJECT_DIR / "elsewhere" / "report"  # relative: project
    assert settings.landing_settle_seconds == 0
    assert settings.refresh_lock_file == settings.build_db.with_name("build.duckdb.refresh.lock")


def test_settings_survive_a_round_trip_through_text():
    settings = WarehouseSettings.from_env({"CMO_CIO_LANDING_SETTLE_SECONDS": "2.5"})
    assert WarehouseSettings.from_values(settings.as_strings()) == settings


@pytest.mark.parametrize("value", ["half a minute", "-1"])
def test_a_bad_settle_time_names_its_variable(value):
    with pytest.raises(SettingError, match="CMO_CIO_LANDING_SETTLE_SECONDS"):
        WarehouseSettings.from_env({"CMO_CIO_LANDING_SETTLE_SECONDS": value})


def test_the_readme_lists_every_setting_once_with_its_variable_and_default():
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| `([^`]+)` \| `(CMO_CIO_\w+)` \|", readme, re.MULTILINE)
    assert sorted(rows) == sorted((s.name, s.default, s.env_var) for s in SETTINGS)
    # One home: other docs link to the README's table instead of repeating it.
    for doc in ["docs/design.md", "orchestration/README.md"]:
        text = (PROJECT_DIR / doc).read_text(encoding="utf-8")
        assert "CMO_CIO_SERVING_DB" not in text, f"{doc} repeats the settings table"


def test_an_unknown_engine_is_refused_with_the_choices():
    assert WarehouseSettings.from_env({"CMO_CIO_ENGINE": "Spark"}).engine == "spark"
    with pytest.raises(SettingError, match="duckdb, spark, not 'postgres'"):
        WarehouseSettings.from_env({"CMO_CIO_ENGINE": "postgres"})
