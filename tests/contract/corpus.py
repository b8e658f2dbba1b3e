"""A corpus of defective and harmless exports, generated from the committed synthetic ones.

Each `Case` names a study, the file name it is landed under, how its content is made from
the study's synthetic export (`make(rows, header) -> bytes` for CSV, or a DuckDB query for
Parquet) and what the refresh must do with it:
- `refused`: stops before the build; the summary's first line holds `message`;
- `rejected_rows`: the contract rejects `rejected` rows (with `message` among the reasons);
  with the default tolerance the refresh stops, with `tolerance` it publishes the rest;
- `accepted`: built and published as the clean export would be (`message`: a warning).

`python -m tests.contract.corpus <folder>` writes every case into a folder to look at.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cmo_cio.studies import STUDY_BY_KEY

Rows = list[list[str]]


@dataclass(frozen=True)
class Case:
    name: str
    study: str  # cmo or cio
    file_name: str
    outcome: str  # refused, rejected_rows or accepted
    message: str
    make: Callable[[list[str], Rows], bytes] | None = None  # CSV content
    parquet: str | None = None  # DuckDB query over `export` (the synthetic export, text)
    rejected: int = 0
    tolerance: str | None = None
    kind: str = "file"  # file, symlink or directory

    def __str__(self) -> str:
        return self.name


def synthetic(study: str) -> tuple[list[str], Rows]:
    with STUDY_BY_KEY[study].synthetic_export.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    return rows[0], rows[1:]


def as_csv(header: list[str], rows: Rows, line_end: str = "\n", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def first_real(study: str, rows: Rows, header: list[str]) -> int:
    """Index of the first real interview (not a test record)."""
    if study == "cmo":
        status = header.index("Status")
        return next(i for i, row in enumerate(rows) if row[status] == "IP Address")
    interviewer = header.index("interviewer_id")
    return next(i for i, row in enumerate(rows) if not row[interviewer].startswith("TEST"))


def set_cell(study: str, column: str, value: str, count: int = 1):
    """CSV with `column` set to `value` in the first `count` real interviews."""

    def make(header: list[str], rows: Rows) -> bytes:
        position = header.index(column)
        start = first_real(study, rows, header)
        changed = 0
        for row in rows[start:]:
            if changed == count:
                break
            if study == "cmo" and row[header.index("Status")] != "IP Address":
                continue
            row[position] = value
            changed += 1
        return as_csv(header, rows)

    return make


def set_cell_of_partials(study: str, column: str, value: str, count: int = 1):
    """CSV with `column` set to `value` in the first `count` partial interviews: screening
    leaves them out anyway, so rejecting them changes no reproduced figure."""

    def make(header: list[str], rows: Rows) -> bytes:
        position = header.index(column)
        if study == "cmo":
            partial = [row for row in rows if row[header.index("Finished")] == "0"]
        else:
            partial = [row for row in rows if row[header.index("disposition")] == "P"]
        for row in partial[:count]:
            row[position] = value
        return as_csv(header, rows)

    return make


def drop_column(column: str):
    def make(header: list[str], rows: Rows) -> bytes:
        position = header.index(column)
        return as_csv(
            [h for i, h in enumerate(header) if i != position],
            [[v for i, v in enumerate(row) if i != position] for row in rows],
        )

    return make


def rename_column(column: str, new_name: str):
    def make(header: list[str], rows: Rows) -> bytes:
        return as_csv([new_name if h == column else h for h in header], rows)

    return make


def header_only(header: list[str], rows: Rows) -> bytes:
    return as_csv(header, [])


def empty(header: list[str], rows: Rows) -> bytes:
    return b""


def duplicated_column(column: str):
    def make(header: list[str], rows: Rows) -> bytes:
        position = header.index(column)
        return as_csv(header + [column], [row + [row[position]] for row in rows])

    return make


def delimited(delimiter: str):
    def make(header: list[str], rows: Rows) -> bytes:
        return as_csv(header, rows, delimiter=delimiter)

    return make


def latin1(header: list[str], rows: Rows) -> bytes:
    panel = header.index("ExternalRef")
    rows[0][panel] = "CMO-Société"
    return as_csv(header, rows).decode("utf-8").encode("latin-1")


def repeated_header(header: list[str], rows: Rows) -> bytes:
    return as_csv(header, rows[:100] + [header] + rows[100:])


def ragged_line(header: list[str], rows: Rows) -> bytes:
    rows[50] = rows[50] + ["surplus"]
    return as_csv(header, rows)


def duplicate_id(header: list[str], rows: Rows) -> bytes:
    rows.insert(200, list(rows[10]))
    return as_csv(header, rows)


def extra_column(header: list[str], rows: Rows) -> bytes:
    return as_csv(header + ["interviewer_note"], [row + ["called back"] for row in rows])


def quoted_newline(header: list[str], rows: Rows) -> bytes:
    return as_csv(
        header + ["comment"], [row + [f"line one\nline two, {i}"] for i, row in enumerate(rows)]
    )


def reordered(header: list[str], rows: Rows) -> bytes:
    order = list(reversed(range(len(header))))
    return as_csv([header[i] for i in order], [[row[i] for i in order] for row in rows])


def bom_crlf(header: list[str], rows: Rows) -> bytes:
    return b"\xef\xbb\xbf" + as_csv(header, rows, line_end="\r\n")


def spaced_header(header: list[str], rows: Rows) -> bytes:
    return as_csv([f" {h} " for h in header], rows)


def upper_header(header: list[str], rows: Rows) -> bytes:
    return as_csv([h.upper() for h in header], rows)


def unchanged(header: list[str], rows: Rows) -> bytes:
    return as_csv(header, rows)


CASES: list[Case] = [
    # -- refused before the build ---------------------------------------------------------
    Case("cmo_empty_csv", "cmo", "cmo_empty.csv", "refused", "is empty (0 bytes)", empty),
    Case("cio_empty_parquet", "cio", "cio_empty.parquet", "refused", "is empty", empty),
    Case("cmo_header_only", "cmo", "cmo_header.csv", "refused", "no interviews", header_only),
    Case("cio_header_only", "cio", "cio_header.csv", "refused", "no interviews", header_only),
    Case(
        "cmo_missing_column",
        "cmo",
        "cmo_nostart.csv",
        "refused",
        "lacks the column StartDate",
        drop_column("StartDate"),
    ),
    Case(
        "cio_renamed_column",
        "cio",
        "cio_renamed.csv",
        "refused",
        "interview_begin instead of interview_start",
        rename_column("interview_start", "interview_begin"),
    ),
    Case(
        "cmo_parquet_missing_column",
        "cmo",
        "cmo_nocountry.parquet",
        "refused",
        "lacks the column Country",
        parquet="select * exclude (Country) from export",
    ),
    Case(
        "cmo_duplicate_column",
        "cmo",
        "cmo_twice.csv",
        "refused",
        "names column Q4 2 times",
        duplicated_column("Q4"),
    ),
    Case(
        "cio_semicolons",
        "cio",
        "cio_semicolons.csv",
        "refused",
        "separates its fields with semicolons",
        delimited(";"),
    ),
    Case("cio_tabs", "cio", "cio_tabs.csv", "refused", "with tabs", delimited("\t")),
    Case("cmo_latin1", "cmo", "cmo_latin1.csv", "refused", "is not UTF-8", latin1),
    Case(
        "cio_corrupt_parquet",
        "cio",
        "cio_corrupt.parquet",
        "refused",
        "is not a readable Parquet file",
        parquet="corrupt",
    ),
    Case(
        "cmo_nested_parquet",
        "cmo",
        "cmo_nested.parquet",
        "refused",
        "not plain values",
        parquet="select * replace ([Q4] as Q4) from export",
    ),
    Case(
        "cmo_symlink", "cmo", "cmo_link.csv", "refused", "symbolic link", unchanged, kind="symlink"
    ),
    Case(
        "cio_directory", "cio", "cio_folder.csv", "refused", "not a regular file", kind="directory"
    ),
    # -- rows rejected: the refresh stops (tolerance 0) -----------------------------------
    Case(
        "cmo_impossible_date",
        "cmo",
        "cmo_feb31.csv",
        "rejected_rows",
        "StartDate is not a date",
        set_cell("cmo", "StartDate", "31/02/2011 10:00"),
        rejected=1,
    ),
    Case(
        "cio_future_date",
        "cio",
        "cio_2099.csv",
        "rejected_rows",
        "interview_start lies in the future",
        set_cell("cio", "interview_start", "2099-03-01T10:00:00"),
        rejected=1,
    ),
    Case(
        "cmo_outside_fieldwork",
        "cmo",
        "cmo_2009.csv",
        "rejected_rows",
        "outside the study's fieldwork",
        set_cell("cmo", "StartDate", "01/03/2009 10:00"),
        rejected=1,
    ),
    Case(
        "cio_duplicate_id",
        "cio",
        "cio_dupid.csv",
        "rejected_rows",
        "resp_id repeats an earlier row's value",
        duplicate_id,
        rejected=1,
    ),
    Case(
        "cmo_missing_id",
        "cmo",
        "cmo_noid.csv",
        "rejected_rows",
        "ResponseID is missing",
        set_cell("cmo", "ResponseID", ""),
        rejected=1,
    ),
    Case(
        "cio_unknown_country",
        "cio",
        "cio_zz.csv",
        "rejected_rows",
        "country_iso is not a code the codebook knows",
        set_cell("cio", "country_iso", "ZZ"),
        rejected=1,
    ),
    Case(
        "cmo_answer_out_of_scale",
        "cmo",
        "cmo_q2.csv",
        "rejected_rows",
        "Q2_1 is not a code the codebook knows",
        set_cell("cmo", "Q2_1", "9", count=3),
        rejected=3,
    ),
    Case(
        "cio_minutes_not_a_number",
        "cio",
        "cio_minutes.csv",
        "rejected_rows",
        "interview_minutes is not a number",
        set_cell("cio", "interview_minutes", "abc"),
        rejected=1,
    ),
    Case(
        "cmo_repeated_header",
        "cmo",
        "cmo_rehead.csv",
        "rejected_rows",
        "repeats the header row",
        repeated_header,
        rejected=1,
    ),
    Case(
        "cio_ragged_line",
        "cio",
        "cio_ragged.csv",
        "rejected_rows",
        "number of fields",
        ragged_line,
        rejected=1,
    ),
    Case(
        "cmo_parquet_negative_duration",
        "cmo",
        "cmo_negative.parquet",
        "rejected_rows",
        "Duration is below 0",
        parquet="select * replace (case when ResponseID = (select min(ResponseID) from export "
        "where Status = 'IP Address') then '-5' else Duration end as Duration) from export",
        rejected=1,
    ),
    Case(
        "cio_parquet_unknown_industry",
        "cio",
        "cio_industry.parquet",
        "rejected_rows",
        "industry_code is not a code the codebook knows",
        parquet="select * replace (case when resp_id = '100001' then '77' else industry_code "
        "end as industry_code) from export",
        rejected=1,
    ),
    # -- rows rejected within the tolerance: published without them ----------------------
    Case(
        "cmo_two_bad_rows_tolerated",
        "cmo",
        "cmo_tolerated.csv",
        "rejected_rows",
        "StartDate is not a date",
        set_cell_of_partials("cmo", "StartDate", "yesterday", count=2),
        rejected=2,
        tolerance="5",
    ),
    Case(
        "cio_parquet_share_tolerated",
        "cio",
        "cio_tolerated.parquet",
        "rejected_rows",
        "lies in the future",
        parquet="select * replace (case when resp_id = (select min(resp_id) from export "
        "where disposition = 'P') then '2099-01-01T00:00:00' else interview_start end "
        "as interview_start) from export",
        rejected=1,
        tolerance="1%",
    ),
    # -- harmless variations: accepted ---------------------------------------------------
    Case(
        "cmo_extra_column",
        "cmo",
        "cmo_extra.csv",
        "accepted",
        "column interviewer_note is not used by the warehouse",
        extra_column,
    ),
    Case(
        "cio_quoted_newlines",
        "cio",
        "cio_newlines.csv",
        "accepted",
        "column comment is not used by the warehouse",
        quoted_newline,
    ),
    Case("cio_reordered", "cio", "cio_reordered.csv", "accepted", "", reordered),
    Case("cmo_bom_crlf", "cmo", "cmo_bom.csv", "accepted", "", bom_crlf),
    Case("cmo_spaced_header", "cmo", "cmo_spaced.csv", "accepted", "", spaced_header),
    Case("cio_upper_header", "cio", "cio_upper.csv", "accepted", "", upper_header),
    Case(
        "cio_typed_parquet",
        "cio",
        "cio_typed.parquet",
        "accepted",
        "",
        parquet="select * replace (cast(resp_id as integer) as resp_id, "
        "cast(interview_minutes as double) as interview_minutes) from export",
    ),
    Case(
        "cmo_upper_extension",
        "cmo",
        "cmo_upper.PARQUET",
        "accepted",
        "",
        parquet="select * from export",
    ),
    Case("cio_quote_in_name", "cio", "cio_o'brien;drop.csv", "accepted", "", unchanged),
]


def write_case(case: Case, folder: Path) -> Path:
    """Write a case's export into `folder` under its file name; returns its path."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / case.file_name
    if case.kind == "directory":
        target.mkdir()
        return target
    header, rows = synthetic(case.study)
    if case.kind == "symlink":
        real = folder.parent / f"outside_{case.file_name}"
        real.write_bytes(case.make(header, rows))
        os.symlink(real, target)
        return target
    if case.parquet == "corrupt":
        target.write_bytes(b"PAR1" + b"\x00" * 64 + b"not parquet")
    elif case.parquet is not None:
        source = str(STUDY_BY_KEY[case.study].synthetic_export)
        with duckdb.connect() as connection:
            literal = "'" + source.replace("'", "''") + "'"
            connection.execute(
                f"create view export as select * from read_csv({literal}, all_varchar = true)"
            )
            connection.execute(f"copy ({case.parquet}) to ? (format parquet)", [str(target)])
    else:
        target.write_bytes(case.make(header, rows))
    return target


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    for case in CASES:
        print(write_case(case, out / case.name))
