"""Which export of each study a refresh builds from: one rule for every way a refresh starts.

For each study (CMO, CIO) a refresh builds from the newest settled `cmo*`/`cio*` export in
the landing folder, and from the committed synthetic seed only when no export of that study
has landed. The schedule, the landing sensor and `python -m orchestration` all take their
run config from `current_exports`, so a scheduled refresh never replaces published real data
with the seeds, and a CIO export alone is paired with the CMO seed only when no CMO export
has landed (the summary says so).

A file counts only once it is settled: its modification time is at least
`settle_seconds()` old, so a copy still being written is not read half-way. Landing by
atomic rename (write `cmo_2012.csv.part`, then rename it to `cmo_2012.csv`) is preferred.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from orchestration import paths

STUDIES = ("cmo", "cio")
# A landed export: cmo*.csv, cmo*.parquet, cio*.csv or cio*.parquet (any case).
EXPORT_FILE = re.compile(r"^(?P<study>cmo|cio).*\.(csv|parquet)$", re.IGNORECASE)
# The dbt var that replaces each study's seed, and the seed it replaces.
EXPORT_VAR = {"cmo": "cmo_export_path", "cio": "cio_export_path"}
SEED_FILE = {
    "cmo": paths.PROJECT_DIR / "seeds" / "raw" / "cmo_study_2011_export.csv",
    "cio": paths.PROJECT_DIR / "seeds" / "raw" / "cio_study_2011_export.csv",
}
DEFAULT_SETTLE_SECONDS = 30.0
SETTLE_SECONDS_VARIABLE = "CMO_CIO_LANDING_SETTLE_SECONDS"


def settle_seconds() -> float:
    """How old a landed file's modification time must be before it counts (env overridable)."""
    value = os.environ.get(SETTLE_SECONDS_VARIABLE, "").strip()
    if not value:
        return DEFAULT_SETTLE_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(
            f"{SETTLE_SECONDS_VARIABLE} must be a number of seconds, not {value!r}"
        ) from None
    if seconds < 0:
        raise ValueError(f"{SETTLE_SECONDS_VARIABLE} must not be negative, not {value!r}")
    return seconds


@dataclass(frozen=True)
class LandedExport:
    """One export file in the landing folder, as it was when the folder was read."""

    study: str
    path: Path
    mtime_ns: int
    size: int

    @property
    def fingerprint(self) -> str:
        """Changes when a file of the same name is replaced by a new export."""
        return f"{self.mtime_ns}:{self.size}"

    @property
    def label(self) -> str:
        return f"{self.path.name}@{self.fingerprint}"


@dataclass(frozen=True)
class LandingFolder:
    """The exports of the landing folder: settled ones, and ones that may still be copied."""

    settled: tuple[LandedExport, ...]
    unsettled: tuple[LandedExport, ...]


def read_landing_folder(landing_dir: Path, now: float | None = None) -> LandingFolder:
    """Every export file of `landing_dir`, split by whether it has settled."""
    if not landing_dir.is_dir():
        return LandingFolder(settled=(), unsettled=())
    oldest_settled_ns = ((time.time() if now is None else now) - settle_seconds()) * 1e9
    settled, unsettled = [], []
    for path in sorted(landing_dir.iterdir()):
        match = EXPORT_FILE.match(path.name)
        if not match or not path.is_file():
            continue
        stat = path.stat()
        export = LandedExport(match.group("study").lower(), path, stat.st_mtime_ns, stat.st_size)
        (settled if stat.st_mtime_ns <= oldest_settled_ns else unsettled).append(export)
    return LandingFolder(settled=tuple(settled), unsettled=tuple(unsettled))


def newest_per_study(exports: tuple[LandedExport, ...]) -> dict[str, LandedExport]:
    """The most recently written export of each study; a newer one supersedes older ones."""
    newest: dict[str, LandedExport] = {}
    # Ties on the modification time go to the later name, so the choice never flips.
    for export in sorted(exports, key=lambda item: (item.mtime_ns, item.path.name)):
        newest[export.study] = export
    return newest


def current_exports(
    landing_dir: Path | None = None, now: float | None = None
) -> dict[str, LandedExport]:
    """Study -> the landed export a refresh builds from now; a missing study uses its seed."""
    folder = read_landing_folder(paths.landing_dir() if landing_dir is None else landing_dir, now)
    return newest_per_study(folder.settled)


def export_vars(exports: dict[str, LandedExport]) -> dict[str, str]:
    """The dbt vars (`cmo_export_path`, `cio_export_path`) of the landed exports, absolute."""
    return {
        EXPORT_VAR[study]: str(export.path.resolve())
        for study, export in sorted(exports.items())
        if study in EXPORT_VAR
    }


def describe_inputs(dbt_vars: dict[str, str]) -> list[str]:
    """One line per study: the landed export it is built from, or the committed seed."""
    lines = []
    for study in STUDIES:
        landed = dbt_vars.get(EXPORT_VAR[study])
        if landed:
            lines.append(f"{study.upper()}: landed export {landed}")
        else:
            seed = SEED_FILE[study].relative_to(paths.PROJECT_DIR)
            lines.append(f"{study.upper()}: committed synthetic seed {seed}")
    return lines


def inputs_label(exports: dict[str, LandedExport]) -> str:
    """Names the inputs of a refresh (run key and tag): `cmo=<file>@<fingerprint>+cio=seed`."""
    return "+".join(
        f"{study}={exports[study].label}" if study in exports else f"{study}=seed"
        for study in STUDIES
    )
