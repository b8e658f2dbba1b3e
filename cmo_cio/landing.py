"""Which export of each study a refresh builds from: one rule for every way a refresh starts.

For each study a refresh builds from the newest settled export in the landing folder
(`cmo*.csv|parquet`, `cio*.csv|parquet`), and from the committed synthetic export only when
no export of that study has landed. The schedule, the landing sensor and the headless command
all take their inputs from `current_exports`, so a scheduled refresh never replaces published
real data with the synthetic files.

A file counts only once it has settled: its modification time is at least the settle time
old, so a copy still being written is not read half-way. Landing by atomic rename (write
`cmo_2012.csv.part`, then rename it to `cmo_2012.csv`) is preferred.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from cmo_cio.settings import PROJECT_DIR
from cmo_cio.studies import STUDIES, STUDY_BY_KEY, study_of_export_file

# Study key -> absolute path of the export a refresh builds from; a study that is missing
# is built from its committed synthetic export.
Exports = dict[str, str]


@dataclass(frozen=True)
class LandedExport:
    """One export file in the landing folder, as it was when the folder was read."""

    study_key: str
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


def read_landing_folder(
    landing_dir: Path, settle_seconds: float, now: float | None = None
) -> LandingFolder:
    """Every export file of `landing_dir`, split by whether it has settled."""
    if not landing_dir.is_dir():
        return LandingFolder(settled=(), unsettled=())
    oldest_settled_ns = ((time.time() if now is None else now) - settle_seconds) * 1e9
    settled, unsettled = [], []
    for path in sorted(landing_dir.iterdir()):
        study = study_of_export_file(path.name)
        if study is None:
            continue
        # a link or a folder named like an export is taken as one, for the input contract
        # to refuse by name (cmo_cio.contract), rather than passed over in silence
        stat = path.lstat()
        export = LandedExport(study.key, path, stat.st_mtime_ns, stat.st_size)
        (settled if stat.st_mtime_ns <= oldest_settled_ns else unsettled).append(export)
    return LandingFolder(settled=tuple(settled), unsettled=tuple(unsettled))


def newest_per_study(exports: tuple[LandedExport, ...]) -> dict[str, LandedExport]:
    """The most recently written export of each study; a newer one supersedes older ones."""
    newest: dict[str, LandedExport] = {}
    # Ties on the modification time go to the later name, so the choice never flips.
    for export in sorted(exports, key=lambda item: (item.mtime_ns, item.path.name)):
        newest[export.study_key] = export
    return newest


def current_exports(
    landing_dir: Path, settle_seconds: float, now: float | None = None
) -> dict[str, LandedExport]:
    """Study key -> the landed export a refresh builds from now; a missing study is synthetic."""
    return newest_per_study(read_landing_folder(landing_dir, settle_seconds, now).settled)


def export_paths(exports: dict[str, LandedExport]) -> Exports:
    """Study key -> absolute path of each landed export."""
    # absolute, but links not followed: the input contract refuses a link by its own name
    return {key: os.path.abspath(export.path) for key, export in sorted(exports.items())}


def dbt_export_vars(exports: Exports) -> dict[str, str]:
    """The dbt vars (`cmo_export_path`, ...) of a build from `exports`, every path absolute.

    A study without an export reads its committed synthetic export.
    """
    return {study.export_var: str(export_file(study.key, exports)) for study in STUDIES}


def describe_inputs(exports: Exports) -> list[str]:
    """One line per study: the landed export it is built from, or the synthetic export."""
    lines = []
    for study in STUDIES:
        landed = exports.get(study.key)
        if landed:
            lines.append(f"{study.code}: landed export {landed}")
        else:
            synthetic = study.synthetic_export.relative_to(PROJECT_DIR)
            lines.append(f"{study.code}: committed synthetic export {synthetic}")
    return lines


def inputs_label(exports: dict[str, LandedExport]) -> str:
    """Names the inputs of a refresh (run key and tag): `cmo=<file>@<fingerprint>+cio=synthetic`."""
    return "+".join(
        f"{study.key}={exports[study.key].label if study.key in exports else 'synthetic'}"
        for study in STUDIES
    )


def export_file(study_key: str, exports: Exports) -> Path:
    """The file a build reads for a study: its export if given, else the synthetic one."""
    given = exports.get(study_key)
    return Path(given) if given else STUDY_BY_KEY[study_key].synthetic_export
