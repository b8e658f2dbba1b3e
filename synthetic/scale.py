"""Write many synthetic interviews per study as Parquet, in bounded memory.

    python -m synthetic.scale --respondents 1000000 --out-dir warehouse/scale

Each study's file has exactly the columns of its raw export, all text (empty
cells become nulls, as a CSV reader would make them), so the dbt vars
`cmo_export_path` / `cio_export_path` can point at it. Interviews are drawn in
chunks by the same model as the 2011 seeds (qualified completes on target,
screened-out interviews at the 2011 rates) and appended with pyarrow's
ParquetWriter, one row group per chunk: memory depends on the chunk size,
not on N. The data are synthetic.
"""

from __future__ import annotations

import argparse
import resource
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cmo_cio.studies import STUDY_BY_CODE
from synthetic import calibration as cal
from synthetic.codebook import load_codebook
from synthetic.exports import build_interviews, cio_export, cmo_export, export_columns
from synthetic.model import CohortBuilder

STUDY_STREAM = {"CMO": 11, "CIO": 12}
# Exact calibration needs enough respondents for 1-point rounding steps.
MIN_EXACT_RESPONDENTS = 1000


@dataclass
class ScaleResult:
    study: str
    path: Path
    rows: int
    row_groups: int


def chunk_plan(study: str, n_rows: int) -> tuple[int, dict[str, int]]:
    """Qualified and screened-out interviews of a chunk, at the 2011 rates."""
    screened = cal.SCREENED_OUT[study]
    total_2011 = cal.QUALIFIED[study] + sum(screened.values())
    out = {reason: round(count * n_rows / total_2011) for reason, count in screened.items()}
    # at least one original per duplicate
    out["duplicate"] = min(out["duplicate"], max(n_rows - sum(out.values()), 0) // 2)
    return n_rows - sum(out.values()), out


def expected_sample_counts(n_rows: int, chunk_rows: int, seed: int = cal.DEFAULT_SEED) -> dict:
    """The fig01 counts the written files hold by design, as dbt var `sample_counts` takes
    them ({measure_id: {role: count}}): the refresh of generated data checks its sample
    against these instead of the report's."""
    book = load_codebook()
    counts: dict[str, dict[str, int]] = {
        "respondents_interviewed": {},
        "qualified_completes": {},
        "countries": {},
        "industries": {},
    }
    for study in STUDY_BY_CODE:
        qualified = interviewed = 0
        for offset in range(0, n_rows, chunk_rows):
            n_qualified, screened = chunk_plan(study, min(chunk_rows, n_rows - offset))
            qualified += n_qualified
            interviewed += n_qualified + screened["partial"] + screened["speeder"]
        builder = CohortBuilder(book, study, seed)
        counts["respondents_interviewed"][study] = interviewed
        counts["qualified_completes"][study] = qualified
        counts["countries"][study] = len(builder.countries())
        counts["industries"][study] = len(builder.industries())
    for measure_id in ("respondents_interviewed", "qualified_completes"):
        counts[measure_id]["ALL"] = sum(counts[measure_id].values())
    return counts


def to_arrow(columns: dict[str, np.ndarray], schema: pa.Schema) -> pa.Table:
    arrays = [pa.array(values, type=pa.string(), mask=values == "") for values in columns.values()]
    return pa.Table.from_arrays(arrays, schema=schema)


def write_study(study: str, n_rows: int, out_dir: Path, seed: int, chunk_rows: int) -> ScaleResult:
    book = load_codebook()
    columns = export_columns(study)
    schema = pa.schema([(name, pa.string()) for name in columns])
    path = Path(out_dir) / f"{STUDY_BY_CODE[study].source_table}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    # CMO panel ids need more digits than the 2011 export's five at scale.
    panel_digits = max(5, len(str(n_rows)) + 1)
    written = row_groups = 0
    with pq.ParquetWriter(path, schema) as writer:
        for chunk, offset in enumerate(range(0, n_rows, chunk_rows)):
            n_chunk = min(chunk_rows, n_rows - offset)
            rng = np.random.default_rng([seed, STUDY_STREAM[study], chunk])
            n_qualified, screened = chunk_plan(study, n_chunk)
            interviews = build_interviews(
                book,
                study,
                seed,
                rng,
                n_qualified,
                screened,
                panel_offset=offset,
                exact=n_qualified >= MIN_EXACT_RESPONDENTS,
            )
            if study == "CMO":
                table = cmo_export(book, interviews, rng, panel_digits=panel_digits)
            else:
                table = cio_export(book, interviews, rng, resp_offset=100001 + offset)
            writer.write_table(to_arrow(table, schema), row_group_size=n_chunk)
            written += n_chunk
            row_groups += 1
    return ScaleResult(study, path, written, row_groups)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1_000_000, help="interviews per study")
    parser.add_argument("--out-dir", type=Path, default=Path("warehouse/scale"))
    parser.add_argument("--seed", type=int, default=cal.DEFAULT_SEED)
    parser.add_argument("--chunk-rows", type=int, default=cal.SCALE_CHUNK_ROWS)
    parser.add_argument("--study", choices=["CMO", "CIO", "both"], default="both")
    args = parser.parse_args(argv)
    studies = ["CMO", "CIO"] if args.study == "both" else [args.study]
    for study in studies:
        started = time.perf_counter()
        result = write_study(study, args.respondents, args.out_dir, args.seed, args.chunk_rows)
        seconds = time.perf_counter() - started
        print(
            f"{study}: {result.rows:,} rows in {result.row_groups} chunks -> {result.path} "
            f"in {seconds:.1f} s, peak RSS {peak_rss_mb():.0f} MB"
        )


if __name__ == "__main__":
    main()
