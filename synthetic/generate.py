"""Write the synthetic raw exports of the 2011 CMO and CIO studies.

    python -m synthetic.generate [--seed 2011] [--out-dir data/synthetic]

The data are synthetic: the respondent-level answers of the two studies were
never published. The generator reads the codebook seeds and the calibration
targets (`seeds/reference/published_figures.csv` and `measures.csv`), draws
qualified completes whose shares round exactly to every published, derived
and assumed share and rank, adds the interviews a survey team screens out
(test records, duplicates, partials, speeders; counts in
`synthetic.calibration`) and lays both studies out in their own export
format (`synthetic.exports`). The same seed always writes the same bytes.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from cmo_cio.studies import STUDIES, SYNTHETIC_EXPORT_DIR
from synthetic import calibration as cal
from synthetic.codebook import load_codebook
from synthetic.exports import build_interviews, cio_export, cmo_export

STUDY_STREAM = {"CMO": 1, "CIO": 2}


def study_columns(study: str, seed: int, book=None) -> dict[str, np.ndarray]:
    """The export of one study as text columns in file order."""
    book = book or load_codebook()
    rng = np.random.default_rng([seed, STUDY_STREAM[study]])
    interviews = build_interviews(
        book, study, seed, rng, cal.QUALIFIED[study], cal.SCREENED_OUT[study]
    )
    layout = cmo_export if study == "CMO" else cio_export
    return layout(book, interviews, rng)


def write_csv(columns: dict[str, np.ndarray], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        rows = list(zip(*columns.values(), strict=True))
        writer.writerows(rows)
    return len(rows)


def generate(seed: int = cal.DEFAULT_SEED, out_dir: Path = SYNTHETIC_EXPORT_DIR) -> dict[str, Path]:
    """Write each study's export as `<out_dir>/<its committed synthetic export's name>`."""
    book = load_codebook()
    written = {}
    for study in STUDIES:
        path = Path(out_dir) / study.synthetic_export.name
        write_csv(study_columns(study.code, seed, book), path)
        written[study.code] = path
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=cal.DEFAULT_SEED)
    parser.add_argument("--out-dir", type=Path, default=SYNTHETIC_EXPORT_DIR)
    args = parser.parse_args(argv)
    for study, path in generate(args.seed, args.out_dir).items():
        print(f"{study}: {path}")


if __name__ == "__main__":
    main()
