"""The input contract on every export of the corpus, without the refresh around it (fast).

Every case gets the outcome it expects, and for every readable export the counting identity
holds: rows in (counted here independently, with Python's csv module or the Parquet
metadata) = rows accepted (in the Parquet file the build reads) + rows rejected (in the
rejects file, one line each, with its line number and reasons).
"""

from __future__ import annotations

import csv

import pyarrow.parquet
import pytest

from cmo_cio.contract import ExportRefused, check_export
from cmo_cio.settings import SettingError, WarehouseSettings, rejected_rows_allowed
from cmo_cio.studies import STUDIES, STUDY_BY_KEY
from tests.contract.corpus import CASES, as_csv, synthetic, write_case


def rows_in_file(path) -> int:
    if path.suffix.lower() == ".parquet":
        return pyarrow.parquet.ParquetFile(path).metadata.num_rows
    with path.open(encoding="utf-8-sig", newline="") as file:
        return sum(1 for _ in csv.reader(file)) - 1


def test_the_corpus_has_thirty_defective_exports_of_both_studies_and_formats():
    defective = [case for case in CASES if case.outcome != "accepted"]
    assert len(defective) >= 30 or len(CASES) >= 30
    assert len(CASES) >= 30
    assert {case.study for case in defective} == {"cmo", "cio"}
    formats = {case.file_name.rsplit(".", 1)[-1].lower() for case in defective}
    assert formats == {"csv", "parquet"}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_export_gets_its_outcome_and_rows_add_up(case, tmp_path):
    path = write_case(case, tmp_path / "landing")
    study = STUDY_BY_KEY[case.study]
    if case.outcome == "refused":
        with pytest.raises(ExportRefused) as refused:
            check_export(study, path, tmp_path / "accepted", tmp_path / "rejects")
        assert case.message in str(refused.value)
        assert str(refused.value).startswith(f"{study.code} export {path.name}: ")
        return

    check = check_export(study, path, tmp_path / "accepted", tmp_path / "rejects")
    assert check.rows_rejected == case.rejected
    assert check.rows_in == rows_in_file(path) or case.name == "cmo_repeated_header"
    accepted = pyarrow.parquet.ParquetFile(check.accepted_path).metadata.num_rows
    assert accepted == check.rows_accepted
    assert check.rows_in == check.rows_accepted + check.rows_rejected
    if case.outcome == "accepted":
        assert check.rejects_path is None
        assert not case.message or any(case.message in warning for warning in check.warnings)
        return
    with check.rejects_path.open(encoding="utf-8", newline="") as file:
        rejects = list(csv.DictReader(file))
    assert len(rejects) == case.rejected
    # a CSV's line 1 is its header; a Parquet file's rows are numbered from 1
    first_line = 1 if path.suffix.lower() == ".parquet" else 2
    assert all(int(row["line"]) >= first_line for row in rejects)
    assert any(case.message in row["reason"] for row in rejects), rejects[0]["reason"]
    assert case.message in " ".join(rule_break.describe() for rule_break in check.breaks)


def test_a_rejected_line_keeps_its_number_and_fields_past_quoted_line_breaks(tmp_path):
    """Line numbers count the lines of the file, not the records: a field with line breaks
    before a bad row moves it down."""
    study = STUDY_BY_KEY["cio"]
    source = study.synthetic_export.read_text(encoding="utf-8").splitlines()
    header, rows = source[0], source[1:]
    rows = [row + "," for row in rows]  # an empty note
    rows[0] = rows[0] + '"a note\nover\nthree lines"'
    rows[4] = rows[4].replace(",C,", ",X,", 1)  # disposition X: not a code
    export = tmp_path / "cio_notes.csv"
    export.write_text("\n".join([header + ",note", *rows]) + "\n", encoding="utf-8")

    check = check_export(study, export, tmp_path / "accepted", tmp_path / "rejects")

    assert check.rows_rejected == 1
    (rejected,) = csv.DictReader(check.rejects_path.open(encoding="utf-8", newline=""))
    assert rejected["line"] == "8"  # header, 4 rows before it, two extra lines in row 1
    assert rejected["disposition"] == "X"
    assert "disposition is not a code the codebook knows (X)" in rejected["reason"]


def test_a_broken_rule_quotes_the_distinct_values_of_its_first_lines(tmp_path):
    """The values a summary quotes are the first distinct ones in file order, run after run."""
    study = STUDY_BY_KEY["cio"]
    header, rows = synthetic("cio")
    country, interviewer = header.index("country_iso"), header.index("interviewer_id")
    real = [row for row in rows if not row[interviewer].startswith("TEST")]
    for row, code in zip(real, ["XG", "XA", "XG", "XF", "XB", "XE", "XC"], strict=False):
        row[country] = code
    export = tmp_path / "cio_countries.csv"
    export.write_bytes(as_csv(header, rows))

    check = check_export(study, export, tmp_path / "accepted", tmp_path / "rejects")

    (broken,) = check.breaks
    assert (broken.column, broken.rows) == ("country_iso", 7)
    assert broken.values == ["XG", "XA", "XF", "XB", "XE"]


def test_the_synthetic_exports_keep_the_contract():
    for study in STUDIES:
        check = check_export(study, study.synthetic_export, *_folders(study))
        assert (check.rows_rejected, check.warnings) == (0, []), check.breaks


def _folders(study):
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix=f"contract_{study.key}_"))
    return folder / "accepted", folder / "rejects"


@pytest.mark.parametrize(
    ("tolerance", "rows_in", "allowed"), [("0", 1000, 0), ("25", 1000, 25), ("1%", 1774, 17)]
)
def test_the_tolerance_is_a_count_or_a_share(tolerance, rows_in, allowed):
    assert rejected_rows_allowed(tolerance, rows_in) == allowed


@pytest.mark.parametrize("tolerance", ["-1", "some", "2.5"])
def test_a_bad_tolerance_names_its_variable(tolerance):
    with pytest.raises(SettingError, match="CMO_CIO_MAX_REJECTED_ROWS"):
        WarehouseSettings.from_env({"CMO_CIO_MAX_REJECTED_ROWS": tolerance})


def test_every_rejected_line_keeps_its_file_line_past_malformed_and_blank_lines(tmp_path):
    """A rejected row's line is the file's own, whatever lies above it: lines with the
    wrong number of fields (one with several surplus fields, one missing several), a
    blank line, a repeated header and a value with line breaks. Each line number is found
    here by reading the file independently."""
    study = STUDY_BY_KEY["cio"]
    header, rows = synthetic("cio")
    disposition, interviewer = header.index("disposition"), header.index("interviewer_id")
    real = [row + [""] for row in rows if not row[interviewer].startswith("TEST")]
    for index in (4, 7, 8, 11, len(real) - 1):
        real[index][disposition] = "X"  # not a code
    real[0][-1] = "a note\nover\nthree lines"
    text = as_csv([*header, "note"], real).decode("utf-8").splitlines(keepends=True)
    records = [text[0], "".join(text[1:4]), *text[4:]]  # the note spans three lines
    records[6] = records[6].rstrip("\n") + ",surplus,surplus,surplus\n"  # real[5]
    records[10] = ",".join(real[9][:3]) + "\n"  # real[9], most fields missing
    lines = [
        *records[:9],
        "\n",  # a blank line between real[7] and real[8]
        *records[9:11],
        ",".join([*header, "note"]) + "\n",
        *records[11:],
    ]
    export = tmp_path / "cio_ragged_twice.csv"
    export.write_text("".join(lines), encoding="utf-8")

    check = check_export(study, export, tmp_path / "accepted", tmp_path / "rejects")

    first_line = {}  # interview id (first field) -> the file line its record starts on
    with export.open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        next(reader)  # the header, line 1
        ended = reader.line_num
        for fields in reader:
            if fields:
                assert fields[0] not in first_line
                first_line[fields[0]] = ended + 1
            ended = reader.line_num
    rows_in = len(first_line)  # the blank line is no row
    with check.rejects_path.open(encoding="utf-8", newline="") as file:
        rejects = list(csv.DictReader(file))
    ids = [row["resp_id"] or next(csv.reader([row["raw_line"]]))[0] for row in rejects]
    assert ids == [real[4][0], real[5][0], real[7][0], real[8][0], real[9][0], "resp_id"] + [
        real[11][0],
        real[-1][0],
    ]
    assert [int(row["line"]) for row in rejects] == [first_line[id_] for id_ in ids]
    assert (check.rows_in, check.rows_rejected) == (rows_in, len(rejects))
    assert check.rows_in == check.rows_accepted + check.rows_rejected
    malformed = next(b for b in check.breaks if b.column == "the line")
    assert malformed.lines == [first_line[real[5][0]], first_line[real[9][0]]]
