"""The refresh at scale, beside the same work written by hand in DuckDB.

    python -m bench.refresh --respondents 200000 1000000 [--repeat 3] [--work-dir warehouse/bench]

For each size N (interviews per study; 0 means the committed synthetic exports, the 2011
size), the generated exports are landed as Parquet and, `--repeat` times in turn (A B C D A
B C D ...), these run on the same files, each into fresh files:
- the hand-written DuckDB pass (`bench/handwritten.sql`): screening, long grain, shares with
  Wilson intervals, CMO/CIO comparison with z-tests and Holm, segments with suppression;
- `dbt run`: the models alone;
- `dbt build`: the models and every dbt test;
- the full refresh, `python -m orchestration`: build, dbt tests, Great Expectations audit,
  publish and report, exactly as `make run` runs it.
Every figure is the median of the runs, after one untimed run of each (`--no-warm-up` skips
it): dbt's target folder is kept between runs, as between scheduled refreshes. Memory is the
peak resident set of the whole process tree (dbt's subprocess included), sampled every 0.1 s.
Generated data cannot reproduce the report's sample, so their fig01 counts are checked
against what the generator expects (dbt var `sample_counts`); every check runs, none is left
out, and the table ends with what the refresh checked.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import sys
from functools import partial
from pathlib import Path

from bench.processes import Measured, measure
from cmo_cio.settings import PROJECT_DIR, environment_under
from cmo_cio.studies import STUDIES
from synthetic import calibration as cal

PYTHON = sys.executable
DBT = str(Path(sys.executable).with_name("dbt"))
ALL_RUNS = ["handwritten", "dbt-run", "dbt-build", "refresh"]
REFRESH_STEPS = (
    "raw_exports",
    "warehouse_dbt",
    "gx_audit",
    "publish",
    "report",
)


def land_exports(respondents: int, folder: Path, seed: int, chunk_rows: int) -> dict:
    """Write (or reuse) the exports of one size; returns paths and the expected counts."""
    from synthetic.scale import expected_sample_counts, write_study

    if respondents == 0:
        exports = {study.key: str(study.synthetic_export) for study in STUDIES}
        return {"exports": exports, "sample_counts": {}}
    manifest = folder / "exports.json"
    if manifest.exists():
        landed = json.loads(manifest.read_text())
        if landed.get("seed") == seed and all(Path(p).exists() for p in landed["exports"].values()):
            return landed
    folder.mkdir(parents=True, exist_ok=True)
    exports = {}
    for study in STUDIES:
        result = write_study(study.code, respondents, folder, seed, chunk_rows)
        exports[study.key] = str(result.path)
    landed = {
        "seed": seed,
        "exports": exports,
        "sample_counts": expected_sample_counts(respondents, chunk_rows, seed),
    }
    manifest.write_text(json.dumps(landed, indent=2))
    return landed


def dbt_vars(landed: dict) -> dict:
    variables = {study.export_var: landed["exports"][study.key] for study in STUDIES}
    if landed["sample_counts"]:
        variables["sample_counts"] = landed["sample_counts"]
    return variables


def fresh(folder: Path) -> Path:
    """`folder` emptied of a previous run's outputs. dbt's `target` stays, as it stays
    between scheduled refreshes: its partial parse is part of the steady state."""
    folder.mkdir(parents=True, exist_ok=True)
    for entry in folder.iterdir():
        if entry.name == "target":
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    return folder


def run_handwritten(landed: dict, folder: Path) -> Measured:
    folder = fresh(folder)
    return measure(
        [
            PYTHON,
            "-m",
            "bench.handwritten",
            "--cmo",
            landed["exports"]["cmo"],
            "--cio",
            landed["exports"]["cio"],
            "--database",
            str(folder / "handwritten.duckdb"),
            "--memory-limit",
            os.environ.get("CMO_CIO_DUCKDB_MEMORY_LIMIT", "1200MB"),
        ],
        cwd=PROJECT_DIR,
    )


def run_dbt(command: str, landed: dict, folder: Path) -> Measured:
    """`dbt <command>` into a fresh build database; `dbt run` finds the codebook seeded."""
    folder = fresh(folder)
    env = {
        **os.environ,
        "CMO_CIO_BUILD_DB": str(folder / "build.duckdb"),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
    }

    def dbt(*args: str) -> list[str]:
        return [
            DBT,
            *args,
            "--vars",
            json.dumps(dbt_vars(landed)),
            "--target-path",
            str(folder / "target"),
            "--log-path",
            str(folder / "logs"),
        ]

    if command == "run":
        seeded = measure(dbt("seed"), env=env, cwd=PROJECT_DIR)
        if seeded.returncode != 0:
            return seeded
    # Unit tests check the models' logic, not the data: the refresh leaves them to CI.
    extra = ["--exclude", "test_type:unit"] if command == "build" else []
    return measure(dbt(command, *extra), env=env, cwd=PROJECT_DIR)


def run_refresh(landed: dict, folder: Path) -> tuple[Measured, list[dict]]:
    folder = fresh(folder)
    env = {**os.environ}
    env.update(environment_under(folder))
    timings_file = folder / "step_timings.json"
    command = [
        PYTHON,
        "-m",
        "orchestration",
        "--step-timings",
        str(timings_file),
        "--dbt-vars",
        json.dumps({"sample_counts": landed["sample_counts"]} if landed["sample_counts"] else {}),
    ]
    for study in STUDIES:
        command += [f"--{study.key}-export", landed["exports"][study.key]]
    measured = measure(command, env=env, cwd=PROJECT_DIR)
    timings = json.loads(timings_file.read_text()) if timings_file.exists() else []
    return measured, timings


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def gib(rss: float) -> str:
    return f"{rss / 2**30:.2f} GiB"


def report(respondents: int, results: dict[str, list], repeat: int) -> list[str]:
    interviews = (
        2 * respondents
        if respondents
        else sum(cal.QUALIFIED[s] + sum(cal.SCREENED_OUT[s].values()) for s in cal.QUALIFIED)
    )
    size = f"{respondents:,} interviews per study" if respondents else "the 2011 size"
    lines = [
        f"== {size} ({interviews:,} interviews), median of {repeat} interleaved runs ==",
        f"{'what':<32} {'seconds':>8} {'peak RSS':>10} {'rows/s':>10} {'ratio':>18}",
    ]
    base = median([m.seconds for m in results["handwritten"]])
    build = median([m.seconds for m in results["dbt build"]])
    for name, ratio_to, ratio_name in [
        ("handwritten", base, "hand-written"),
        ("dbt run", base, "hand-written"),
        ("dbt build", base, "hand-written"),
        ("refresh", build, "dbt build")
        if results["dbt build"]
        else ("refresh", base, "hand-written"),
    ]:
        runs = results[name]
        if not runs:
            continue
        seconds = median([m.seconds for m in runs])
        rss = median([m.peak_rss for m in runs])
        failed = [m.returncode for m in runs if m.returncode != 0]
        note = f" FAILED (exit {failed[0]})" if failed else ""
        # a ratio needs its reference run (--only may leave it out)
        ratio = "" if math.isnan(ratio_to) else f"{seconds / ratio_to:>6.2f}x {ratio_name:<11}"
        lines.append(
            f"{name:<32} {seconds:>8.1f} {gib(rss):>10} {interviews / seconds:>10,.0f} "
            f"{ratio}{note}"
        )
    for step in REFRESH_STEPS:
        spans = [
            (timing["start"], timing["end"], measured)
            for measured, timings in results["refresh steps"]
            for timing in timings
            if timing["step"] == step and timing["end"]
        ]
        if spans:
            seconds = median([end - start for start, end, _ in spans])
            rss = median([m.peak_rss_between(start, end) for start, end, m in spans])
            lines.append(f"  {step:<30} {seconds:>8.1f} {gib(rss):>10}")
    lines += checks_that_ran(results["refresh"][-1].output if results["refresh"] else "")
    return lines


def checks_that_ran(summary: str) -> list[str]:
    """What the refresh checked, from its printed summary: every check runs at every size."""
    lines = summary.splitlines()
    dbt_tests = next((line.strip() for line in lines if "dbt tests:" in line), "dbt tests: none")
    suites = next(
        (line.strip() for line in lines if "Great Expectations suites:" in line),
        "Great Expectations suites: none",
    )
    failed = [line.split()[1] for line in lines if line.strip().startswith("FAILED gx_")]
    return [
        f"  checks of the refresh: {dbt_tests}; {suites.split(' (Data Docs')[0]}"
        f"{' (' + ', '.join(failed) + ')' if failed else ''}"
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, nargs="+", default=[200_000])
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs of each")
    parser.add_argument("--work-dir", type=Path, default=PROJECT_DIR / "warehouse" / "bench")
    parser.add_argument(
        "--warm-up",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="one untimed run of each before the timed ones (default: yes)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=ALL_RUNS,
        default=ALL_RUNS,
        help="what to run (default: all four)",
    )
    parser.add_argument("--seed", type=int, default=cal.DEFAULT_SEED)
    parser.add_argument("--chunk-rows", type=int, default=cal.SCALE_CHUNK_ROWS)
    args = parser.parse_args(argv)

    failed = False
    for respondents in args.respondents:
        folder = args.work_dir.resolve() / f"n{respondents}"
        landed = land_exports(respondents, folder / "exports", args.seed, args.chunk_rows)
        results: dict[str, list] = {
            "handwritten": [],
            "dbt run": [],
            "dbt build": [],
            "refresh": [],
            "refresh steps": [],
        }
        runs = {
            "handwritten": (run_handwritten, folder / "handwritten"),
            "dbt run": (partial(run_dbt, "run"), folder / "dbt_run"),
            "dbt build": (partial(run_dbt, "build"), folder / "dbt_build"),
            "refresh": (run_refresh, folder / "refresh"),
        }
        chosen = [name for name in runs if name.replace(" ", "-") in args.only]
        if args.warm_up:
            # untimed: dbt's partial parse and the OS file cache as a scheduled refresh finds them
            for name in chosen:
                run, where = runs[name]
                run(landed, where)
        for _ in range(args.repeat):
            for name in chosen:
                run, where = runs[name]
                if name == "refresh":
                    measured, timings = run(landed, where)
                    results["refresh"].append(measured)
                    results["refresh steps"].append((measured, timings))
                else:
                    results[name].append(run(landed, where))
        for name in ("handwritten", "dbt run", "dbt build", "refresh"):
            for measured in results[name]:
                if measured.returncode != 0:
                    failed = True
                    print(f"{name} failed:\n{measured.output[-4000:]}", file=sys.stderr)
        print("\n".join(report(respondents, results, args.repeat)), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
