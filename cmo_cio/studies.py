"""The two studies and the names every part of the warehouse uses for them.

One `Study` per survey: its code (the `role` of the marts), the file names its exports land
under, the dbt var that points the build at an export, and the dbt source table that reads
it. The layout of each export (its columns, in file order, and which hold answers) is read
from that source's declaration in `models/staging/_raw__sources.yml`, its one home.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cmo_cio.settings import PROJECT_DIR

# Schemas of the build database (dbt_project.yml) that other parts read by name.
RAW_SOURCE = "raw"
REFERENCE_SCHEMA = "reference"
MART_SCHEMA = "marts"  # public: aggregates, what BI tools read
MICRODATA_SCHEMA = "microdata"  # restricted: de-identified respondent-level marts

SYNTHETIC_EXPORT_DIR = PROJECT_DIR / "data" / "synthetic"
RAW_SOURCES_FILE = PROJECT_DIR / "models" / "staging" / "_raw__sources.yml"


@dataclass(frozen=True)
class Study:
    code: str  # CMO or CIO: the role of its respondents in the marts
    name: str  # what the README calls it
    source_table: str  # dbt source `raw.<source_table>`

    @property
    def key(self) -> str:
        """Lower-case code: the prefix of landed export files and of the dbt var."""
        return self.code.lower()

    @property
    def export_var(self) -> str:
        """The dbt var holding the path of the export a build reads."""
        return f"{self.key}_export_path"

    @property
    def synthetic_export(self) -> Path:
        """The committed synthetic export, read when no real export is given."""
        return SYNTHETIC_EXPORT_DIR / f"{self.source_table}.csv"

    @property
    def source_relation(self) -> str:
        return f"{RAW_SOURCE}.{self.source_table}"

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column of the export, in file order."""
        return tuple(column["name"] for column in _source_columns(self.source_table))

    @property
    def answer_columns(self) -> tuple[str, ...]:
        """The columns holding answers (`meta: {answer: true}`), in file order."""
        return tuple(
            column["name"]
            for column in _source_columns(self.source_table)
            if (column.get("meta") or {}).get("answer")
        )

    @property
    def landing_pattern(self) -> re.Pattern[str]:
        """A landed export of this study: `cmo*.csv`, `cmo*.parquet` (any case)."""
        return re.compile(rf"^{self.key}.*\.(?:csv|parquet)$", re.IGNORECASE)


STUDIES: tuple[Study, ...] = (
    Study(code="CMO", name="2011 Global CMO Study", source_table="cmo_study_2011_export"),
    Study(code="CIO", name="2011 Global CIO Study", source_table="cio_study_2011_export"),
)
STUDY_BY_KEY = {study.key: study for study in STUDIES}
STUDY_BY_CODE = {study.code: study for study in STUDIES}


def study_of_export_file(file_name: str) -> Study | None:
    """The study whose landed-export pattern the file name matches, if any."""
    return next((study for study in STUDIES if study.landing_pattern.match(file_name)), None)


@cache
def _raw_source_tables() -> dict[str, dict]:
    import yaml

    document = yaml.safe_load(RAW_SOURCES_FILE.read_text(encoding="utf-8"))
    (source,) = [source for source in document["sources"] if source["name"] == RAW_SOURCE]
    return {table["name"]: table for table in source["tables"]}


def _source_columns(source_table: str) -> list[dict]:
    return _raw_source_tables()[source_table]["columns"]
