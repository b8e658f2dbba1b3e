"""Run-time paths and settings of the warehouse: declared once, read from the environment.

Every setting has a default and an environment variable that overrides it. Relative paths
are taken from the project folder, so a run behaves the same from any working directory.
The Dagster resource `orchestration.resources.WarehouseResource` shows the same settings in
the UI (one field each) and the headless command builds its run config from
`WarehouseSettings.from_env()`; the README's settings table is checked against `SETTINGS`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
WAREHOUSE_DIR = PROJECT_DIR / "warehouse"


@dataclass(frozen=True)
class Setting:
    """One setting: its name, environment variable, default and meaning."""

    name: str
    env_var: str
    default: str
    description: str
    is_path: bool = True
    # a setting that is neither a path nor seconds: one of these words
    choices: tuple[str, ...] = ()


ENGINES = ("duckdb", "spark")

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "build_db",
        "CMO_CIO_BUILD_DB",
        "warehouse/build.duckdb",
        "build database: dbt writes every layer here; never read by BI tools",
    ),
    Setting(
        "serving_db",
        "CMO_CIO_SERVING_DB",
        "warehouse/serving.duckdb",
        "serving database: the audited marts BI tools read, replaced as a whole",
    ),
    Setting(
        "microdata_db",
        "CMO_CIO_MICRODATA_DB",
        "warehouse/restricted/respondent_microdata.duckdb",
        "restricted microdata database: de-identified respondent-level marts, owner-only",
    ),
    Setting(
        "parquet_dir",
        "CMO_CIO_PARQUET_DIR",
        "warehouse/parquet",
        "Parquet copy of the served marts, one file per mart",
    ),
    Setting(
        "gx_docs_dir",
        "CMO_CIO_GX_DOCS_DIR",
        "warehouse/gx_docs",
        "Great Expectations Data Docs of the audit",
    ),
    Setting(
        "gx_docs_keep_runs",
        "CMO_CIO_GX_DOCS_KEEP_RUNS",
        "20",
        "audit runs whose validation results the Data Docs keep and list, newest first",
        is_path=False,
    ),
    Setting(
        "report_dir",
        "CMO_CIO_REPORT_DIR",
        "warehouse/report",
        "HTML report (index.html) built from the serving database",
    ),
    Setting(
        "landing_dir",
        "CMO_CIO_LANDING_DIR",
        "warehouse/landing",
        "landing folder: the newest settled export of each study is a refresh's input",
    ),
    Setting(
        "landing_settle_seconds",
        "CMO_CIO_LANDING_SETTLE_SECONDS",
        "30",
        "seconds a landed export must stay unchanged before a refresh reads it",
        is_path=False,
    ),
    Setting(
        "dbt_target_dir",
        "CMO_CIO_DBT_TARGET_DIR",
        "target",
        "dbt artifacts: manifest.json and the folder of each refresh",
    ),
    Setting(
        "log_dir",
        "CMO_CIO_LOG_DIR",
        "warehouse/logs",
        "the full log of each headless refresh (dbt and Dagster output)",
    ),
    Setting(
        "rejects_dir",
        "CMO_CIO_REJECTS_DIR",
        "warehouse/rejects",
        "rows of an export that broke the input contract, one CSV per export, with reasons",
    ),
    Setting(
        "max_rejected_rows",
        "CMO_CIO_MAX_REJECTED_ROWS",
        "0",
        "rejected rows a refresh publishes without, per export: a count, or a share such as 1%",
        is_path=False,
        choices=(),
    ),
    Setting(
        "engine",
        "CMO_CIO_ENGINE",
        "duckdb",
        "engine dbt builds and the audit validates on: duckdb (embedded) or spark",
        is_path=False,
        choices=ENGINES,
    ),
    Setting(
        "spark_dir",
        "CMO_CIO_SPARK_DIR",
        "warehouse/spark",
        "the Spark engine's files: its tables (Parquet) and metastore",
    ),
)
SETTING_BY_NAME = {setting.name: setting for setting in SETTINGS}


class SettingError(ValueError):
    """A setting has a value the warehouse cannot use."""


@dataclass(frozen=True)
class WarehouseSettings:
    """The settings of one run, paths absolute."""

    build_db: Path
    serving_db: Path
    microdata_db: Path
    parquet_dir: Path
    gx_docs_dir: Path
    gx_docs_keep_runs: int
    report_dir: Path
    landing_dir: Path
    landing_settle_seconds: float
    dbt_target_dir: Path
    log_dir: Path
    rejects_dir: Path
    max_rejected_rows: str
    engine: str
    spark_dir: Path

    @classmethod
    def from_values(cls, values: Mapping[str, str | float | Path | None]) -> WarehouseSettings:
        """Settings from raw values by name; a missing or empty value takes the default."""
        parsed = {}
        for setting in SETTINGS:
            value = values.get(setting.name)
            text = str(value).strip() if value is not None else ""
            text = text or setting.default
            if setting.is_path:
                parsed[setting.name] = _path(text)
            elif setting.choices:
                parsed[setting.name] = _choice(setting, text)
            elif setting.name == "max_rejected_rows":
                parsed[setting.name] = _tolerance(setting, text)
            elif setting.name == "gx_docs_keep_runs":
                parsed[setting.name] = _count(setting, text)
            else:
                parsed[setting.name] = _seconds(setting, text)
        return cls(**parsed)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WarehouseSettings:
        """Settings from the environment variables of `SETTINGS`, defaults elsewhere."""
        environ = os.environ if environ is None else environ
        return cls.from_values({s.name: environ.get(s.env_var) for s in SETTINGS})

    def as_strings(self) -> dict[str, str]:
        """Every setting as text, for run config and display."""
        return {field.name: _text(getattr(self, field.name)) for field in fields(self)}

    @property
    def microdata_build_db(self) -> Path:
        """Where dbt builds the microdata marts, beside the build database."""
        return microdata_build_path(self.build_db)

    @property
    def refresh_lock_file(self) -> Path:
        """Held while a refresh builds and publishes, beside the build database."""
        return self.build_db.with_name(self.build_db.name + ".refresh.lock")

    @property
    def accepted_exports_dir(self) -> Path:
        """The rows of each export that kept the input contract (Parquet), what dbt reads;
        one folder per run, beside the rejects."""
        return self.rejects_dir.with_name("accepted")

    @property
    def spark_tables_dir(self) -> Path:
        """Where Spark keeps its managed tables: `<schema>.db/<table>/` Parquet folders."""
        return self.spark_dir / "tables"

    @property
    def published_build_db(self) -> Path:
        """The DuckDB build that publish copies from: dbt's own on DuckDB; on Spark, the
        engine's tables copied into a DuckDB file of the same layout (`cmo_cio.spark_build`)."""
        return self.spark_dir / "build.duckdb" if self.engine == "spark" else self.build_db

    @property
    def dbt_refresh_target_dir(self) -> Path:
        """dbt artifacts of the refresh (one refresh at a time reuses its partial parse)."""
        return self.dbt_target_dir / "refresh"


def environment_under(folder: Path) -> dict[str, str]:
    """The environment variables that put every path of a run under `folder`, laid out as
    under `warehouse/` (for benchmarks and tests that must not touch the real files), the
    Dagster instance that records the runs included."""
    return {
        "DAGSTER_HOME": str(folder / "dagster_home"),
    } | {
        setting.env_var: str(
            folder
            / Path(setting.default).relative_to(
                "warehouse" if setting.default.startswith("warehouse/") else "."
            )
        )
        for setting in SETTINGS
        if setting.is_path
    }


def microdata_build_path(build_db: Path) -> Path:
    """The file dbt builds the respondent-level marts into (attached as microdata_build in
    profiles.yml, by the same rule): `warehouse/build.duckdb` -> `build.microdata.duckdb`."""
    return Path(str(build_db).replace(".duckdb", "") + ".microdata.duckdb")


def _path(text: str) -> Path:
    path = Path(text).expanduser()
    return path if path.is_absolute() else PROJECT_DIR / path


def _seconds(setting: Setting, text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise SettingError(
            f"{setting.env_var} ({setting.name}) must be a number of seconds, not {text!r}"
        ) from None
    if seconds < 0:
        raise SettingError(f"{setting.env_var} ({setting.name}) must not be negative, not {text!r}")
    return seconds


def _count(setting: Setting, text: str) -> int:
    """A whole number of at least one."""
    # ASCII digits only: "²".isdigit() is true, yet int("²") fails.
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise SettingError(
            f"{setting.env_var} ({setting.name}) must be a whole number of at least 1, not {text!r}"
        )
    return int(text)


def _tolerance(setting: Setting, text: str) -> str:
    """A count of rows (`25`) or a share of the export's rows (`0.5%`)."""
    number = text[:-1] if text.endswith("%") else text
    try:
        value = float(number)
    except ValueError:
        value = -1
    if value < 0 or (not text.endswith("%") and value != int(value)):
        raise SettingError(
            f"{setting.env_var} ({setting.name}) must be a whole number of rows or a "
            f"percentage such as 1%, not {text!r}"
        )
    return text


def rejected_rows_allowed(tolerance: str, rows_in: int) -> int:
    """How many rejected rows of an export of `rows_in` rows a refresh may leave out."""
    if tolerance.endswith("%"):
        return int(rows_in * float(tolerance[:-1]) / 100)
    return int(tolerance)


def _choice(setting: Setting, text: str) -> str:
    word = text.lower()
    if word not in setting.choices:
        raise SettingError(
            f"{setting.env_var} ({setting.name}) must be one of "
            f"{', '.join(setting.choices)}, not {text!r}"
        )
    return word


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
