"""Lay synthetic interviews out as the two studies' raw exports.

The CMO study ran on a web survey platform, the CIO study was
interviewer-administered and exported SPSS-style, so the two files differ in
column names, codes, missing-value markers, date formats and in how the top-3
ranking is recorded (docs/design.md, "Raw exports"). Besides the qualified
completes each export carries the interviews a survey team screens out:
test records, duplicates, partials and speeders.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cmo_cio.studies import STUDY_BY_CODE
from synthetic import calibration as cal
from synthetic.codebook import Codebook
from synthetic.model import (
    DONT_KNOW,
    MISSING,
    NOT_RANKED,
    NOT_REACHED,
    REFUSED,
    Cohort,
    CohortBuilder,
    concat,
    vectorized_lookup,
)

ID_ALPHABET = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))


def export_columns(study: str) -> list[str]:
    """The columns of a study's export, in file order (its dbt source declares them)."""
    return list(STUDY_BY_CODE[study].columns)


@dataclass
class Interviews:
    """All interviews of one study, in export (start time) order."""

    cohort: Cohort
    outcome: np.ndarray  # qualified or the screening reason built in
    panel_number: np.ndarray  # duplicates repeat their original's number; -1 for tests
    start: np.ndarray  # datetime64[s]
    minutes: np.ndarray  # interview length
    reached: np.ndarray  # questions reached (all of them unless partial)


def build_interviews(
    book: Codebook,
    study: str,
    seed: int,
    rng: np.random.Generator,
    n_qualified: int,
    screened_out: dict[str, int],
    panel_offset: int = 0,
    exact: bool = True,
) -> Interviews:
    """Qualified completes hitting the targets plus screened-out interviews.

    `panel_offset` numbers the panel members of this batch after earlier
    batches (scale-out files), so panel ids stay unique across batches.
    """
    qualified = CohortBuilder(book, study, seed, exact=exact).draw(rng, n_qualified)
    n_extra = sum(screened_out.values())
    extra = CohortBuilder(book, study, seed, exact=False).draw(rng, max(n_extra, 1))
    extra = extra.take(np.arange(n_extra))
    cohort = concat([qualified, extra])
    n = cohort.n
    qualified_outcome = book.qualified_outcome
    outcome = np.array(
        [qualified_outcome] * n_qualified
        + [reason for reason in book.screening_reasons for _ in range(screened_out[reason])],
        dtype=object,
    )
    panel_number = panel_offset + np.arange(n)
    panel_number[outcome == "test_record"] = -1

    start = draw_starts(study, rng, n)
    # A duplicate re-interviews a qualified respondent some days later.
    duplicates = np.flatnonzero(outcome == "duplicate")
    low_days, high_days = cal.DUPLICATE_DAYS_LATER
    last_day = np.datetime64(cal.FIELDWORK[study]["days"][1], "s")
    latest_original = last_day - np.timedelta64(high_days, "D")
    originals = rng.choice(
        np.flatnonzero((outcome == qualified_outcome) & (start < latest_original)),
        len(duplicates),
        replace=False,
    )
    panel_number[duplicates] = panel_number[originals]
    retake(book, cohort, duplicates, originals, rng)
    days_later = rng.integers(low_days, high_days + 1, len(duplicates))
    day = start[originals].astype("datetime64[D]") + days_later.astype("timedelta64[D]")
    if not cal.FIELDWORK[study]["weekends"]:
        day = np.busday_offset(day, 0, roll="forward")
    time_of_day = start[duplicates] - start[duplicates].astype("datetime64[D]")
    start[duplicates] = day.astype("datetime64[s]") + time_of_day

    duration = cal.DURATION[study]
    typical = duration["typical_minutes"]
    minutes = typical * np.exp(rng.normal(0, duration["sigma"], n))
    minutes = np.clip(minutes, duration["floor"] * typical, 3.5 * typical)
    low, high = duration["speeder_range"]
    speeders = outcome == "speeder"
    minutes[speeders] = typical * rng.uniform(low, high, speeders.sum())
    partial = outcome == "partial"
    minutes[partial] = typical * rng.uniform(*cal.PARTIAL_RANGE, partial.sum())
    tests = outcome == "test_record"
    minutes[tests] = rng.uniform(*cal.TEST_RECORD_MINUTES, tests.sum())

    n_questions = len(book.items_of(study))
    reached = np.full(n, n_questions)
    # partials break off before one of the questions after the first
    question_starts = np.unique(list(question_positions(book, study).values()))
    reached[partial] = rng.choice(question_starts[1:], partial.sum())
    straight_line(book, cohort, speeders, rng)
    break_off(book, cohort, partial, reached)

    order = np.lexsort((np.arange(n), start))
    return Interviews(
        cohort=cohort.take(order),
        outcome=outcome[order],
        panel_number=panel_number[order],
        start=start[order],
        minutes=minutes[order],
        reached=reached[order],
    )


def retake(book: Codebook, cohort: Cohort, rows, originals, rng) -> None:
    """A re-interviewed panel member: same profile, mostly the same answers."""
    for column in (cohort.country, cohort.industry, cohort.size_band, cohort.performance):
        column[rows] = column[originals]
    scale_items = {
        (row["item_code"], row["sub_item_code"])
        for row in book.items_of(cohort.study)
        if row["answer_type"] == "scale_5pt"
    }
    for key, answers in cohort.answers.items():
        answers[rows] = answers[originals]
        if key in scale_items:  # a point up or down here and there
            shift = rng.choice([-1, 0, 0, 0, 1], len(rows))
            values = answers[rows]
            answered = ~np.isin(values, MISSING)
            moved = np.clip(values[answered].astype(int) + shift[answered], 1, 5)
            values[answered] = moved.astype(str).astype(object)
            answers[rows] = values


def draw_starts(study: str, rng, n: int) -> np.ndarray:
    """Interview start times within the study's fieldwork days and hours."""
    fieldwork = cal.FIELDWORK[study]
    first, last = (np.datetime64(d, "D") for d in fieldwork["days"])
    days = np.arange(first, last + np.timedelta64(1, "D"))
    if not fieldwork["weekends"]:
        days = days[np.is_busday(days)]
    start_hour, end_hour = fieldwork["hours"]
    minute_of_day = rng.integers(start_hour * 60, end_hour * 60, n)
    day = days[rng.integers(0, len(days), n)]
    return day.astype("datetime64[s]") + minute_of_day.astype("timedelta64[m]")


def straight_line(book: Codebook, cohort: Cohort, rows: np.ndarray, rng) -> None:
    """Speeders tick the same scale point down every 5-point question."""
    index = np.flatnonzero(rows)
    point = rng.choice(np.array(["3", "4", "5"], dtype=object), len(index))
    for item in book.items_of(cohort.study):
        if item["answer_type"] != "scale_5pt":
            continue
        answers = cohort.answers[(item["item_code"], item["sub_item_code"])]
        answered = ~np.isin(answers[index], MISSING)
        answers[index[answered]] = point[answered]


def break_off(book: Codebook, cohort: Cohort, partial: np.ndarray, reached: np.ndarray) -> None:
    """Partial interviews have no answers after the question they broke off at."""
    position = question_positions(book, cohort.study)
    for key, answers in cohort.answers.items():
        not_reached = partial & (reached <= position[key])
        answers[not_reached] = NOT_REACHED


def question_positions(book: Codebook, study: str) -> dict[tuple[str, str], int]:
    """Index of the first export column of the question holding each answer.

    A grid or a ranking is one screen: an interview breaks off before it or
    after it, never half-way through.
    """
    items = book.items_of(study)
    first_column: dict[str, int] = {}
    for index, row in enumerate(items):
        first_column.setdefault(row["item_code"], index)
    position: dict[tuple[str, str], int] = {}
    for row in items:
        if row["item_code"] == "external_forces" and study == "CMO":
            for option in book.option_codes(study, "external_forces"):
                position[("external_forces", option)] = first_column["external_forces"]
        else:
            position[(row["item_code"], row["sub_item_code"])] = first_column[row["item_code"]]
    return position


def random_ids(rng, n: int, length: int) -> np.ndarray:
    letters = ID_ALPHABET[rng.integers(0, len(ID_ALPHABET), (n, length))]
    return np.array(["".join(row) for row in letters], dtype=object)


def permuted(numbers: np.ndarray, modulus: int, multiplier: int, shift: int) -> np.ndarray:
    """A bijection of 0..modulus-1: distinct panel numbers give distinct panel ids."""
    return (numbers.astype(np.int64) * multiplier + shift) % modulus


def format_minutes_as_duration(minutes: np.ndarray) -> np.ndarray:
    return np.round(minutes * 60).astype(np.int64)


def cmo_export(
    book: Codebook, interviews: Interviews, rng, panel_digits: int = 5
) -> dict[str, np.ndarray]:
    cohort, outcome = interviews.cohort, interviews.outcome
    n = cohort.n
    tests = outcome == "test_record"
    columns: dict[str, np.ndarray] = {}
    columns["ResponseID"] = "R_" + random_ids(rng, n, 15)
    modulus = 10**panel_digits
    panel = permuted(interviews.panel_number, modulus - modulus // 10, 48271, 7919)
    panel = panel + modulus // 10  # never a leading zero
    columns["ExternalRef"] = np.array([f"CMO-{p}" for p in panel], dtype=object)
    columns["ExternalRef"][tests] = ""
    columns["Status"] = np.where(tests, "Survey Preview", "IP Address").astype(object)
    seconds = format_minutes_as_duration(interviews.minutes)
    start = pd.to_datetime(interviews.start)
    end = start + pd.to_timedelta(seconds, unit="s")
    columns["StartDate"] = start.strftime("%d/%m/%Y %H:%M").to_numpy(dtype=object)
    columns["EndDate"] = end.strftime("%d/%m/%Y %H:%M").to_numpy(dtype=object)
    columns["Duration"] = seconds.astype(str).astype(object)
    partial = outcome == "partial"
    columns["Finished"] = np.where(partial, "0", "1").astype(object)
    n_questions = len(book.items_of("CMO"))
    progress = np.where(partial, np.floor(100 * interviews.reached / n_questions), 100)
    columns["Progress"] = progress.astype(int).astype(str).astype(object)
    names = {c["country_code"]: c["country_name_en"] for c in book.countries}
    industries = {i["industry_code"]: i["industry_name_en"] for i in book.industries}
    sizes = {b["size_band_code"]: b["label_en"] for b in book.size_bands}
    columns["Country"] = vectorized_lookup(names, cohort.country)
    columns["Industry"] = vectorized_lookup(industries, cohort.industry)
    columns["CompanySize"] = vectorized_lookup(sizes | {"": ""}, cohort.size_band)
    performance = book.raw_value("CMO", "financial_performance")
    columns["FinPerf"] = vectorized_lookup(performance, cohort.performance)

    for row in book.items_of("CMO"):
        item, sub = row["item_code"], row["sub_item_code"]
        if item == "external_forces":  # the force ranked k-th is the value of Q3_Rk
            rank = sub.removeprefix("rank_")
            values = np.full(n, "", dtype=object)
            codes = book.raw_value("CMO", item)
            for force, force_code in codes.items():
                values[cohort.answers[(item, force)] == rank] = force_code
            columns[row["raw_column"]] = values
            continue
        codes = {**book.raw_value("CMO", item), **dict.fromkeys(MISSING, "")}
        columns[row["raw_column"]] = vectorized_lookup(codes, cohort.answers[(item, sub)])
    spoil_cmo_test_records(columns, tests, rng)
    return {c: columns[c] for c in export_columns("CMO")}


def spoil_cmo_test_records(columns, tests, rng) -> None:
    """Preview runs by the survey team: clicked through with odd values."""
    rows = np.flatnonzero(tests)
    for i, row in enumerate(rows):
        if i % 2 == 0:
            columns["Country"][row] = ""
        columns["Industry"][row] = "Test"
        columns["CompanySize"][row] = ""
        columns["FinPerf"][row] = ""
        columns["Q2_1"][row] = "9"
        columns["Q5"][row] = str(rng.integers(4, 10))


def cio_export(book: Codebook, interviews: Interviews, rng, resp_offset: int = 100001):
    cohort, outcome = interviews.cohort, interviews.outcome
    n = cohort.n
    tests = outcome == "test_record"
    columns: dict[str, np.ndarray] = {}
    columns["resp_id"] = (resp_offset + np.arange(n)).astype(str).astype(object)
    panel = permuted(interviews.panel_number, 2**32, 2654435761, 40503)
    columns["panel_uid"] = np.array([f"p{p:08x}" for p in panel], dtype=object)
    columns["panel_uid"][tests] = "p00000000"
    # Interviewers work one country each, two to four per country.
    interviewer_rng = np.random.default_rng(97)
    staff = {
        c["country_code"]: 100 + 4 * i + np.arange(interviewer_rng.integers(2, 5))
        for i, c in enumerate(book.countries)
    }
    pick = rng.integers(0, 4, n)
    columns["interviewer_id"] = np.array(
        [f"IV{staff[c][p % len(staff[c])]:03d}" for c, p in zip(cohort.country, pick, strict=True)],
        dtype=object,
    )
    columns["interviewer_id"][tests] = [f"TEST{i + 1:02d}" for i in range(tests.sum())]
    start = pd.to_datetime(interviews.start)
    columns["interview_start"] = start.strftime("%Y-%m-%dT%H:%M:%S").to_numpy(dtype=object)
    columns["interview_minutes"] = np.array([f"{m:.1f}" for m in interviews.minutes], dtype=object)
    columns["disposition"] = np.where(outcome == "partial", "P", "C").astype(object)
    columns["country_iso"] = cohort.country.astype(object)
    columns["industry_code"] = cohort.industry.astype(object)
    columns["emp_band"] = np.where(cohort.size_band == "", "NA", cohort.size_band).astype(object)
    performance = book.raw_value("CIO", "financial_performance")
    columns["fin_perf"] = vectorized_lookup(performance, cohort.performance)

    missing = {REFUSED: "-99", DONT_KNOW: "-98", NOT_REACHED: "-99"}
    for row in book.items_of("CIO"):
        item, sub = row["item_code"], row["sub_item_code"]
        codes = {**book.raw_value("CIO", item), **missing}
        columns[row["raw_column"]] = vectorized_lookup(codes, cohort.answers[(item, sub)])
    rows = np.flatnonzero(tests)
    for i, row in enumerate(rows):
        columns["country_iso"][row] = "XX" if i % 2 == 0 else "NA"
        columns["industry_code"][row] = "99"
        columns["emp_band"][row] = "NA"
        columns["fin_perf"][row] = "NA"
        columns["B1"][row] = "7"
    return {c: columns[c] for c in export_columns("CIO")}


__all__ = ["NOT_RANKED", "build_interviews", "cmo_export", "cio_export", "export_columns"]
