"""The input contract (docs/input_contract.md), checked on each export before the build.

`check_export` reads an export once, in DuckDB, and answers in the terms of the file:

- **Structural problems** stop the refresh before dbt starts (`ExportRefused`): a path that
  is not a regular file, an unknown extension, an empty file, text that is not UTF-8, a
  delimiter other than the comma, a header without rows, a required column missing or named
  twice, an unreadable Parquet file or a Parquet column that is not a plain value. The
  message names the file, the column and what to do.
- **Row-level problems** are accounted, not lost: a row that breaks a rule (a missing or
  repeated interview id, a date that does not parse or lies outside the study's fieldwork or
  in the future, a number that does not parse or is out of range, a code the codebook does
  not know, a repeated header, a line with the wrong number of fields) goes, with its line
  number, its reasons and its fields, to `<rejects_dir>/<export>.csv`. Rows in = rows
  accepted + rows rejected, per file.
- **Harmless variations** are accepted: extra columns (ignored, reported as warnings), any
  column order or case, spaces around header names, a UTF-8 byte-order mark, CRLF line
  ends, quoted fields with line breaks, typed Parquet columns, extensions in any case.

The accepted rows are written as a Parquet file of the declared columns, as text: that file
is what the build reads, so dbt sees only rows that kept the contract. The rules come from
the export's dbt source (`models/staging/_raw__sources.yml`: columns and their `contract`
meta) and the codebook seeds; paths reach DuckDB as bound parameters, never as SQL text.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from cmo_cio.settings import PROJECT_DIR
from cmo_cio.studies import Study

REFERENCE_DIR = PROJECT_DIR / "seeds" / "reference"
EXTENSIONS = (".csv", ".parquet")
SAMPLE_ROWS = 5  # line numbers and values quoted per rule in messages
ENCODING_CHUNK_BYTES = 16 * 2**20
# Parquet types that are not one plain value per cell
NESTED_TYPES = ("STRUCT", "MAP", "UNION", "BLOB", "[]")
# a line break followed by an empty line (the empty line's own break: LF or CRLF)
BLANK_LINE = re.compile(rb"\n(?=(\r?\n))")
# The export's missing-value codes: these cells are empty, not values (macro clean_raw_value)
MISSING_TEXT = ("", "NA", "N/A")
MISSING_NUMBERS = (-99, -98)


class ExportRefused(ValueError):
    """An export the warehouse cannot read at all; the refresh stops before the build."""

    def __init__(self, study: Study, path: Path, problem: str, fix: str) -> None:
        self.study, self.path, self.problem, self.fix = study, Path(path), problem, fix
        super().__init__(f"{study.code} export {Path(path).name}: {problem}. {fix}")


@dataclass
class RuleBreak:
    """Rows that broke one rule: how many, their first line numbers and values."""

    rule: str
    column: str
    rows: int
    lines: list[int]
    values: list[str]

    def describe(self) -> str:
        lines = ", ".join(str(line) for line in self.lines)
        more = f" and {self.rows - len(self.lines)} more" if self.rows > len(self.lines) else ""
        values = ", ".join(repr(value) for value in self.values)
        shown = f" (values {values})" if values else ""
        return f"{self.rows} rows: {self.column} {self.rule}, lines {lines}{more}{shown}"


@dataclass
class ExportCheck:
    """What the contract check made of one export."""

    study: Study
    path: Path
    rows_in: int
    rows_accepted: int
    rows_rejected: int
    breaks: list[RuleBreak] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    accepted_path: Path | None = None
    rejects_path: Path | None = None

    def summary(self) -> str:
        text = (
            f"{self.study.code} export {self.path.name}: {self.rows_in} rows, "
            f"{self.rows_accepted} accepted, {self.rows_rejected} rejected"
        )
        if self.rows_rejected:
            text += f" (listed in {self.rejects_path})"
        return text


# -- the rules of each export ---------------------------------------------------------------


@dataclass(frozen=True)
class ColumnRule:
    """The contract of one column (`meta.contract` of the dbt source column)."""

    column: str
    required: bool = False  # a value in every row
    unique: bool = False  # no two rows share it
    timestamp: str | None = None  # layout: day_first or iso
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    codes: str | None = None  # SQL listing the codes the codebook knows
    # the rule holds for real interviews; test records (screened out) keep only the rules
    # marked `all_rows`, the ones screening itself needs
    real_only: bool = True


def contract_of(study: Study) -> tuple[list[ColumnRule], dict]:
    """The column rules of an export and its table-level contract (fieldwork, test records)."""
    from cmo_cio.studies import _raw_source_tables

    table = _raw_source_tables()[study.source_table]
    table_contract = dict((table.get("meta") or {}).get("contract") or {})
    rules = []
    for column in table["columns"]:
        spec = dict((column.get("meta") or {}).get("contract") or {})
        if (column.get("meta") or {}).get("answer"):
            spec.setdefault("codes", "answer")
        if not spec:
            continue
        codes = spec.get("codes")
        if spec.get("values"):
            listed = ", ".join(f"'{value}'" for value in spec["values"])
            codes = f"select unnest([{listed}])"
        rules.append(
            ColumnRule(
                column=column["name"],
                required=bool(spec.get("required")),
                unique=bool(spec.get("unique")),
                timestamp=spec.get("timestamp"),
                minimum=spec.get("min"),
                maximum=spec.get("max"),
                integer=bool(spec.get("integer")),
                codes=(
                    codes
                    if codes and codes.startswith("select")
                    else _codes_query(study, column["name"], codes)
                    if codes
                    else None
                ),
                real_only=not spec.get("all_rows"),
            )
        )
    return rules, table_contract


def _codes_query(study: Study, column: str, codes: str) -> str:
    """SQL giving the codes a column may hold: `answer` (the codebook's answer options of
    the column's item), `<seed>.<column>`, or `<seed>.<column>:<item>` (answer options)."""

    def seed(name: str) -> str:
        path = (REFERENCE_DIR / f"{name}.csv").as_posix()
        return f"read_csv('{path}', all_varchar = true)"

    if codes == "answer":
        return (
            f"select options.raw_value from {seed('answer_options')} as options "
            f"join {seed('survey_items')} as items "
            f"on options.study = items.study and options.item_code = items.item_code "
            f"where items.study = '{study.code}' and lower(items.raw_column) = "
            f"'{column.lower()}'"
        )
    table, _, seed_column = codes.partition(".")
    seed_column, _, item = seed_column.partition(":")
    query = f"select {seed_column} from {seed(table)}"
    if item:
        query += f" where study = '{study.code}' and item_code = '{item}'"
    return query


# -- checking one export --------------------------------------------------------------------


def check_export(
    study: Study,
    path: Path,
    work_dir: Path,
    rejects_dir: Path,
    now: datetime | None = None,
) -> ExportCheck:
    """Check an export against its contract; write its accepted rows and its rejects.

    Raises `ExportRefused` for a structural problem. Otherwise returns the counts and the
    rules broken; the accepted rows are in `work_dir/<study>.parquet` and the rejected ones,
    when there are any, in `rejects_dir/<export file name>.csv`.
    """
    import duckdb

    path = Path(path)
    _check_file(study, path)
    declared = list(study.columns)
    rules, table_contract = contract_of(study)
    work_dir.mkdir(parents=True, exist_ok=True)
    accepted_path = work_dir / f"{study.key}.parquet"
    rejects_path = Path(rejects_dir) / f"{path.name}.csv"
    rejects_path.unlink(missing_ok=True)

    connection = duckdb.connect()
    try:
        connection.execute("set preserve_insertion_order = true")
        if path.suffix.lower() == ".parquet":
            header, warnings = _parquet_header(connection, study, path)
            malformed = 0
        else:
            blank_lines = _check_encoding(study, path)
            header, warnings = _csv_header(study, path)
        columns = _match_columns(study, path, header, declared)
        warnings += [
            f"column {name} is not used by the warehouse (ignored)"
            for name in header
            if name.strip().lower() not in {c.lower() for c in declared}
        ]
        if path.suffix.lower() == ".parquet":
            _load_parquet(connection, path, columns, declared)
        else:
            malformed = _load_csv(connection, path, header, columns, declared, blank_lines)
        rows_in = connection.execute("select count(*) from export_rows").fetchone()[0]
        rows_in += malformed
        if rows_in == 0:
            raise ExportRefused(
                study,
                path,
                "has a header but no interviews",
                "Export the interviews again; the file holds no data rows.",
            )
        breaks = _apply_rules(connection, study, declared, rules, table_contract, now)
        if malformed:
            breaks.append(_malformed_break(connection, len(header)))
        rejected = connection.execute("select count(*) from flagged").fetchone()[0] + malformed
        _write_accepted(connection, declared, accepted_path)
        if rejected:
            rejects_dir.mkdir(parents=True, exist_ok=True)
            _write_rejects(connection, declared, rejects_path)
        accepted = connection.execute(
            "select count(*) from read_parquet(?)", [str(accepted_path)]
        ).fetchone()[0]
    finally:
        connection.close()
    return ExportCheck(
        study=study,
        path=path,
        rows_in=rows_in,
        rows_accepted=accepted,
        rows_rejected=rejected,
        breaks=breaks,
        warnings=warnings,
        accepted_path=accepted_path,
        rejects_path=rejects_path if rejected else None,
    )


def _check_file(study: Study, path: Path) -> None:
    if path.is_symlink():
        raise ExportRefused(
            study,
            path,
            "is a symbolic link",
            "Land the export file itself; links out of the landing folder are not read.",
        )
    if not path.exists():
        raise ExportRefused(study, path, "does not exist", "Check the path of the export.")
    if not path.is_file():
        raise ExportRefused(
            study, path, "is not a regular file", "Land one CSV or Parquet file per study."
        )
    if path.suffix.lower() not in EXTENSIONS:
        raise ExportRefused(
            study,
            path,
            f"has the extension {path.suffix or '(none)'}",
            "Export CSV (.csv) or Parquet (.parquet).",
        )
    if path.stat().st_size == 0:
        raise ExportRefused(study, path, "is empty (0 bytes)", "Export the study again.")


def _check_encoding(study: Study, path: Path) -> list[int]:
    """UTF-8 throughout (a byte-order mark is fine), read in chunks. Returns the file lines
    that are blank outside quoted values: DuckDB skips them, yet they count as lines."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines, quotes, tail = 0, 1, 0, b""
    blank_lines: list[int] = []
    with path.open("rb") as file:
        while chunk := file.read(ENCODING_CHUNK_BYTES):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                position = offset + error.start
                line = lines + chunk[: error.start].count(b"\n")
                raise ExportRefused(
                    study,
                    path,
                    f"is not UTF-8 text (byte 0x{chunk[error.start]:02X} at line {line}, "
                    f"byte {position}; Latin-1 or Windows-1252 perhaps)",
                    "Save or export it as UTF-8 and land it again.",
                ) from None
            # the previous chunk's last bytes: a blank line may straddle two chunks
            window = tail + chunk
            if b"\n\n" in window or b"\n\r\n" in window:
                blank_lines += _blank_lines(
                    window, len(tail), lines - tail.count(b"\n"), quotes - tail.count(b'"')
                )
            offset += len(chunk)
            lines += chunk.count(b"\n")
            quotes += chunk.count(b'"')
            tail = chunk[-2:]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ExportRefused(
                study,
                path,
                "ends in the middle of a UTF-8 character",
                "The file was cut short: export it again.",
            ) from None
    return blank_lines


def _blank_lines(window: bytes, seen: int, lines: int, quotes: int) -> list[int]:
    """The blank lines outside quoted values (an even number of quotes before them) whose
    break ends past `window[:seen]`, the bytes searched already. `lines` is the line of
    `window[0]` and `quotes` the quotes before it."""
    found, position = [], 0
    for match in BLANK_LINE.finditer(window):
        lines += window.count(b"\n", position, match.start())
        quotes += window.count(b'"', position, match.start())
        position = match.start()
        if match.end(1) > seen and quotes % 2 == 0:
            found.append(lines + 1)
    return found


def _csv_header(study: Study, path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        first = file.read(1 << 20)
    if not first.strip():
        raise ExportRefused(study, path, "holds no text", "Export the study again.")
    header = next(csv.reader(io.StringIO(first)))
    if len(header) == 1:
        for delimiter, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if delimiter in header[0]:
                raise ExportRefused(
                    study,
                    path,
                    f"separates its fields with {name}, not commas",
                    "Export it as comma-separated CSV.",
                )
    return header, []


def _parquet_header(connection, study: Study, path: Path) -> tuple[list[str], list[str]]:
    try:
        columns = connection.execute(
            "describe select * from read_parquet(?)", [str(path)]
        ).fetchall()
    except Exception as error:  # noqa: BLE001 - DuckDB says what it could not read
        message = " ".join(str(error).split())[:200]
        raise ExportRefused(
            study,
            path,
            f"is not a readable Parquet file ({message})",
            "Export it again as Parquet, or as CSV.",
        ) from None
    for name, data_type, *_ in columns:
        if any(marker in data_type.upper() for marker in NESTED_TYPES):
            raise ExportRefused(
                study,
                path,
                f"column {name} holds {data_type} values, not plain values",
                "Export every column as text, a number, a date or a timestamp.",
            )
    return [row[0] for row in columns], []


def _match_columns(study: Study, path: Path, header: list[str], declared: list[str]) -> dict:
    """Declared column -> the header name that holds it (case and surrounding spaces aside)."""
    normalized: dict[str, list[int]] = {}
    for position, name in enumerate(header, start=1):
        normalized.setdefault(name.strip().lower(), []).append(position)
    for name, positions in normalized.items():
        if len(positions) > 1 and name in {column.lower() for column in declared}:
            raise ExportRefused(
                study,
                path,
                f"names column {header[positions[0] - 1].strip()} {len(positions)} times "
                f"(positions {', '.join(map(str, positions))})",
                "Keep one column of each name.",
            )
    missing = [column for column in declared if column.lower() not in normalized]
    if missing:
        declared_names = {column.lower() for column in declared}
        found = [name.strip() for name in header if name.strip().lower() not in declared_names]
        hints = []
        for column in missing:
            close = difflib.get_close_matches(column, found, n=1, cutoff=0.6)
            if close:
                hints.append(f"{close[0]} instead of {column}?")
        hint = f" It has {'; '.join(hints)}" if hints else ""
        raise ExportRefused(
            study,
            path,
            f"lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            f"Rename or add {'them' if len(missing) > 1 else 'it'} as in "
            f"docs/input_contract.md.{hint}",
        )
    return {column: header[normalized[column.lower()][0] - 1] for column in declared}


def _load_csv(
    connection, path: Path, header: list[str], columns: dict, declared, blank_lines: list[int]
) -> int:
    """Every row as text into `export_rows` (record, line, declared columns); lines with
    the wrong number of fields into `csv_rejects` (line, csv_line). Returns how many were
    malformed.

    A line is the file's own. DuckDB numbers a malformed record by its records and blank
    lines before it, not by the line breaks inside quoted values, and a parsed row only by
    its rank among the parsed rows: the numbers are made the file's in `_gaps`."""
    names = [f"column_{number}" for number in range(len(header))]
    columns_struct = ", ".join(f"'{name}': 'VARCHAR'" for name in names)
    connection.execute(
        "create temp table raw_rows as select row_number() over () as record, * "
        "from read_csv(?, header = true, delim = ',', quote = '\"', escape = '\"', "
        f"auto_detect = false, columns = {{{columns_struct}}}, strict_mode = true, "
        "null_padding = false, store_rejects = true, rejects_table = 'duckdb_rejects', "
        "rejects_scan = 'csv_scans', max_line_size = 10000000, parallel = false)",
        [str(path)],
    )
    positions = {name.strip().lower(): index for index, name in enumerate(header)}
    selected = ", ".join(
        f'column_{positions[columns[column].strip().lower()]} as "{column}"' for column in declared
    )
    newlines = " + ".join(
        f"coalesce(length(column_{i}) - length(replace(column_{i}, chr(10), '')), 0)"
        for i in range(len(header))
    )
    header_lines = 1 + sum(name.count("\n") for name in header)
    # the lines of a row apart from its first: the line breaks inside its fields
    connection.execute(
        f"create temp table row_breaks as select record, {newlines} as breaks from raw_rows"
    )
    shifted = _gaps(connection, header_lines, blank_lines)
    # a row's line were every line a row's: the header's lines, then each earlier row's
    # (its first and its line breaks); `shifts` adds the lines of the gaps above it.
    # Numbered in a narrow table, then joined to the fields: a window or an ASOF join over
    # the whole row would hold every field of the export at once.
    unshifted = (
        f"{header_lines} + record + coalesce(sum(breaks) over ("
        "order by record rows between unbounded preceding and 1 preceding), 0)"
    )
    connection.execute(
        f"""
        create temp table export_rows as
        with numbered as (
            select record, cast({unshifted} as bigint) as unshifted from row_breaks
        ),
        lines as (
            select record,
                unshifted{" + coalesce(shifts.lines, 0)" if shifted else ""} as line
            from numbered
            {"asof left join shifts on numbered.unshifted >= shifts.key" if shifted else ""}
        )
        select record, lines.line, {selected}
        from raw_rows join lines using (record)
        """
    )
    connection.execute("drop table row_breaks")
    connection.execute("drop table raw_rows")
    return connection.execute("select count(*) from csv_rejects").fetchone()[0]


def _gaps(connection, header_lines: int, blank_lines: list[int]) -> bool:
    """Put the malformed records, numbered by the file's lines, in `csv_rejects`; when
    some lines are no parsed rows (malformed records, blank lines), say so and list in
    `shifts` (key, lines) how far they move the parsed rows down: a row that would sit on
    line `u` were there none moves down by `lines` of the greatest `key` at most `u`."""
    connection.execute("create temp table csv_rejects (line bigint, csv_line varchar)")
    malformed = connection.execute(
        """
        select line, length(record_text) - length(replace(record_text, chr(10), ''))
        from (
            -- DuckDB reports a record once per field missing or in excess, its text
            -- led by the blank lines before it
            select line, ltrim(any_value(csv_line), chr(13) || chr(10)) as record_text
            from duckdb_rejects group by line
        )
        order by line
        """
    ).fetchall()
    if not malformed and not blank_lines:
        return False
    embedded = connection.execute(
        "select record, breaks from row_breaks where breaks > 0 order by record"
    ).fetchall()
    gaps = _merge_gaps(malformed, blank_lines, header_lines, embedded)
    connection.execute(
        """
        create temp table gaps as
        select unnest(?::bigint[]) as duckdb_line, unnest(?::bigint[]) as line,
            unnest(?::bigint[]) as lines
        """,
        [list(column) for column in zip(*gaps, strict=True)],
    )
    connection.execute(
        """
        insert into csv_rejects
        select gaps.line, ltrim(any_value(csv_line), chr(13) || chr(10))
        from duckdb_rejects join gaps on duckdb_rejects.line = gaps.duckdb_line
        group by gaps.line
        """
    )
    # a gap moves down the rows after it: those whose line without gaps reaches its line
    # less the lines of the gaps before it; adjacent gaps share that key
    connection.execute(
        """
        create temp table shifts as
        select key, max(lines) as lines from (
            select line - coalesce(sum(lines) over (order by line rows between
                    unbounded preceding and 1 preceding), 0) as key,
                sum(lines) over (order by line) as lines
            from gaps
        )
        group by key
        """
    )
    return True


def _merge_gaps(malformed, blank_lines, header_lines, embedded) -> list[tuple]:
    """The gaps in file order, each (DuckDB's line or NULL for a blank line, file line,
    lines spanned), from the malformed records (DuckDB's line, line breaks inside) and the
    blank lines (file lines), given the parsed records with line breaks inside their fields
    (record, line breaks).

    A malformed record with `gaps` gaps before it has `parsed = line - gaps - 2` parsed rows
    before it (DuckDB counts the header, records and blank lines), and sits below them,
    their line breaks and the gaps; a blank line before it counts among those gaps. One
    step per gap, no work per row."""
    records = [record for record, _ in embedded]
    breaks_before = [0]  # line breaks inside the fields of the first records
    for _, count in embedded:
        breaks_before.append(breaks_before[-1] + count)
    gaps: list[tuple] = []
    spanned = blank = 0
    for duckdb_line, breaks in malformed:
        while True:
            parsed = duckdb_line - len(gaps) - 2
            inside = breaks_before[bisect.bisect_right(records, parsed)]
            line = header_lines + parsed + inside + spanned + 1
            if blank == len(blank_lines) or blank_lines[blank] > line:
                break
            gaps.append((None, blank_lines[blank], 1))
            spanned, blank = spanned + 1, blank + 1
        gaps.append((duckdb_line, line, breaks + 1))
        spanned += breaks + 1
    return gaps + [(None, line, 1) for line in blank_lines[blank:]]


def _load_parquet(connection, path: Path, columns: dict, declared) -> None:
    selected = ", ".join(
        f'cast("{columns[column].replace(chr(34), chr(34) * 2)}" as varchar) as "{column}"'
        for column in declared
    )
    connection.execute(
        f"create temp table export_rows as select row_number() over () as record, "
        f"row_number() over () as line, {selected} from read_parquet(?)",
        [str(path)],
    )
    # a Parquet file has no malformed lines: its rows are read whole or not at all
    connection.execute("create temp table csv_rejects (line bigint, csv_line varchar)")


class _Check(NamedTuple):
    """One rule on one column: the rows where `predicate` holds break it. A check's
    position in the list orders the reasons of a row."""

    label: str
    column: str
    predicate: str
    real_only: bool  # test records are exempt


def _apply_rules(connection, study, declared, rules, table_contract, now) -> list[RuleBreak]:
    """Fill `violations` (record, line, check_number, column_name, rule, value) and
    `flagged` (the rows breaking at least one rule, whole); describe each rule broken.

    Every rule is judged in one scan of the export, one verdict column per check (the
    repeated ids aside: found first, from their column alone)."""
    _find_repeats(connection, rules)
    checks = _checks(declared, rules, table_contract, now)
    test_record = table_contract.get("test_record") or "false"
    _flag_rows(connection, declared, rules, checks, test_record)
    _list_violations(connection, checks)
    return _describe_breaks(connection)


def _checks(declared, rules, table_contract, now) -> list[_Check]:
    """Every check of the contract, the repeated header first (it silences the others)."""
    now = now or datetime.now(UTC)
    start, end = table_contract.get("fieldwork_start"), table_contract.get("fieldwork_end")
    header_match = " and ".join(
        f"lower(trim(\"{column}\")) = '{column.lower()}'" for column in declared[:3]
    )
    checks = [_Check("repeats the header row", declared[0], header_match, False)]
    for rule in rules:
        value = _cleaned(rule.column)
        if rule.required:
            checks.append(_Check("is missing", rule.column, f"{value} is null", rule.real_only))
        if rule.timestamp:
            parsed = _as_time(rule.column)
            checks.append(
                _Check(
                    "is not a date and time of the export's layout",
                    rule.column,
                    f"{value} is not null and {parsed} is null",
                    rule.real_only,
                )
            )
            checks.append(
                _Check(
                    "lies in the future",
                    rule.column,
                    f"{parsed} > timestamp '{now:%Y-%m-%d %H:%M:%S}'",
                    rule.real_only,
                )
            )
            if start and end:
                checks.append(
                    _Check(
                        f"lies outside the study's fieldwork ({start} to {end})",
                        rule.column,
                        f"{parsed} <= timestamp '{now:%Y-%m-%d %H:%M:%S}' and "
                        f"({parsed} < date '{start}' or {parsed} >= date '{end}' + 1)",
                        rule.real_only,
                    )
                )
        if _is_numeric(rule):
            number = _as_number(rule.column)
            checks.append(
                _Check(
                    "is not a number",
                    rule.column,
                    f"{value} is not null and {number} is null",
                    rule.real_only,
                )
            )
            bounds = []
            if rule.minimum is not None:
                bounds.append(f"{number} < {rule.minimum}")
            if rule.maximum is not None:
                bounds.append(f"{number} > {rule.maximum}")
            if rule.integer:
                bounds.append(f"{number} <> floor({number})")
            checks.append(
                _Check(_range_label(rule), rule.column, " or ".join(bounds), rule.real_only)
            )
        if rule.codes:
            checks.append(
                _Check(
                    "is not a code the codebook knows",
                    rule.column,
                    f"{value} is not null and lower({value}) not in ({_codes_sql(rule)})",
                    rule.real_only,
                )
            )
        if rule.unique:
            checks.append(
                _Check(
                    "repeats an earlier row's value",
                    rule.column,
                    f"record in (select record from repeats where column_name = '{rule.column}')",
                    False,
                )
            )
    return checks


def _find_repeats(connection, rules) -> None:
    """`repeats` (column_name, record): the rows repeating an earlier row's value of a
    unique column. Found in a narrow query of their own: a window in the wide one would
    carry every column of the export."""
    connection.execute("create temp table repeats (column_name varchar, record bigint)")
    for rule in rules:
        if not rule.unique:
            continue
        connection.execute(
            f"""
            insert into repeats
            select '{rule.column}', record from (
                select record, value,
                    row_number() over (partition by value order by record) as nth
                from (select record, {_clean_sql(_quoted(rule.column))} as value
                    from export_rows)
            )
            where value is not null and nth > 1
            """
        )


def _flag_rows(connection, declared, rules, checks: list[_Check], test_record: str) -> None:
    """`flagged`: the rows breaking at least one check, with their fields and one verdict
    column per check (`check_<number>`), judged in a single scan of `export_rows`.

    Each rule column is cleaned, then parsed, once per row in a layer of its own, which
    its checks read: written into each check instead, DuckDB repeats that work per check."""
    cleaned = [(_clean_sql(_quoted(rule.column)), _cleaned(rule.column)) for rule in rules]
    typed = [
        (_timestamp_sql(_cleaned(rule.column), rule.timestamp), _as_time(rule.column))
        for rule in rules
        if rule.timestamp
    ] + [
        (f"try_cast({_cleaned(rule.column)} as double)", _as_number(rule.column))
        for rule in rules
        if _is_numeric(rule)
    ]
    verdicts = [
        (f"({check.predicate}){' and not is_test' if check.real_only else ''}", f"check_{n}")
        for n, check in enumerate(checks)
    ]
    fields = ", ".join(["record", "line", *map(_quoted, declared)])
    broken = " or ".join(name for _, name in verdicts)
    connection.execute(
        f"""
        create temp table flagged as
        with cleaned as (
            select *, coalesce(({test_record}), false) as is_test{_columns(cleaned)}
            from export_rows
        ),
        typed as (select *{_columns(typed)} from cleaned),
        judged as (select {fields}{_columns(verdicts)} from typed)
        select * from judged where {broken}
        """
    )


def _columns(definitions: list[tuple[str, str]]) -> str:
    """`, <sql> as <name>` for each (sql, name): columns added to a select list."""
    return "".join(f",\n{sql} as {name}" for sql, name in definitions)


def _list_violations(connection, checks: list[_Check]) -> None:
    """`violations`: one row per check a flagged row breaks, unnested from its verdicts."""
    entries = ",\n".join(
        f"case when check_{number} then {{'check_number': {number}, "
        f"'column_name': '{check.column}', "
        f"'rule': '{check.label.replace(chr(39), chr(39) * 2)}', "
        f"'value': cast(\"{check.column}\" as varchar)}} end"
        for number, check in enumerate(checks)
    )
    connection.execute(
        f"""
        create temp table violations as
        select record, line, broken.* from (
            select record, line, unnest([{entries}]) as broken from flagged
        )
        where broken is not null
        """
    )
    # a repeated header row breaks every other rule too: say it once
    connection.execute(
        "delete from violations where check_number > 0 and record in "
        "(select record from violations where check_number = 0)"
    )


def _describe_breaks(connection) -> list[RuleBreak]:
    """Per check broken: its rows, first lines and first distinct values (by line)."""
    # the values quoted are those of the first lines, not whichever DuckDB meets first
    rows = connection.execute(
        f"""
        select column_name, rule, count(*), list(line order by line)[1:{SAMPLE_ROWS}],
            list(value order by line) filter (where first_of_value)[1:{SAMPLE_ROWS}]
        from (
            select *, row_number() over (
                partition by check_number, value order by line
            ) = 1 as first_of_value
            from violations
        )
        group by check_number, column_name, rule
        order by min(line), check_number
        """
    ).fetchall()
    return [
        RuleBreak(
            rule=rule,
            column=column,
            rows=count,
            lines=list(lines),
            values=[value for value in values if value is not None],
        )
        for column, rule, count, lines, values in rows
    ]


def _codes_sql(rule: ColumnRule) -> str:
    return f"select lower({_clean_sql('code')}) from ({rule.codes}) as codes (code)"


def _quoted(column: str) -> str:
    return f'"{column}"'


# the cleaned, and parsed, cell of a rule column: columns of `_flag_rows`'s layers
def _cleaned(column: str) -> str:
    return f'"{column}:clean"'


def _as_time(column: str) -> str:
    return f'"{column}:time"'


def _as_number(column: str) -> str:
    return f'"{column}:number"'


def _is_numeric(rule: ColumnRule) -> bool:
    return rule.minimum is not None or rule.maximum is not None or rule.integer


def _range_label(rule: ColumnRule) -> str:
    parts = []
    if rule.minimum is not None and rule.maximum is not None:
        parts.append(f"lies outside {rule.minimum:g} to {rule.maximum:g}")
    elif rule.minimum is not None:
        parts.append(f"is below {rule.minimum:g}")
    elif rule.maximum is not None:
        parts.append(f"is above {rule.maximum:g}")
    if rule.integer:
        parts.append("is not a whole number" if not parts else "or is not whole")
    return " ".join(parts)


def _clean_sql(column: str) -> str:
    """A cell as clean text, as staging cleans it (macro clean_raw_value): trimmed; empty,
    NA, N/A, -99 and -98 as NULL; an integral number without decimals."""
    text = f"trim(cast({column} as varchar))"
    number = f"try_cast({text} as double)"
    missing_text = ", ".join(f"'{value}'" for value in MISSING_TEXT)
    missing_numbers = ", ".join(str(value) for value in MISSING_NUMBERS)
    return (
        f"(case when {text} in ({missing_text}) then null "
        f"when {number} in ({missing_numbers}) then null "
        f"when {number} = floor({number}) and {text} like '%.%' "
        f"then cast(cast({number} as bigint) as varchar) else {text} end)"
    )


def _timestamp_sql(value: str, layout: str) -> str:
    formats = {"day_first": "%d/%m/%Y %H:%M", "iso": "%Y-%m-%dT%H:%M:%S"}
    tried = [formats[layout], "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"]
    return "coalesce(" + ", ".join(f"try_strptime({value}, '{f}')" for f in tried) + ")"


def _malformed_break(connection, field_count: int) -> RuleBreak:
    count, lines = connection.execute(
        f"select count(*), list(line order by line)[1:{SAMPLE_ROWS}] from csv_rejects"
    ).fetchone()
    return RuleBreak(
        rule=f"has a different number of fields than the header ({field_count})",
        column="the line",
        rows=count,
        lines=list(lines),
        values=[],
    )


def _write_accepted(connection, declared, target: Path) -> None:
    columns = ", ".join(f'"{column}"' for column in declared)
    connection.execute(
        f"copy (select {columns} from export_rows where record not in "
        f"(select record from flagged) order by record) to ? (format parquet)",
        [str(target)],
    )


def _write_rejects(connection, declared, target: Path) -> None:
    """One row per rejected line: its number, every reason, and its fields (or its text)."""
    columns = ", ".join(f'rows."{column}"' for column in declared)
    nulls = ", ".join(f'null as "{column}"' for column in declared)
    connection.execute(
        f"""
        copy (
            select line, reason, raw_line, * exclude (line, reason, raw_line, sort_key)
            from (
                select rows.line, reasons.reason, null as raw_line, {columns},
                    rows.line as sort_key
                from flagged as rows
                join (
                    select record, string_agg(column_name || ' ' || rule || coalesce(
                        ' (' || value || ')', ''), '; ' order by check_number) as reason
                    from violations group by record
                ) as reasons on rows.record = reasons.record
                union all
                select line, 'the line has a different number of fields than the header',
                    csv_line, {nulls}, line
                from csv_rejects
            )
            order by sort_key
        ) to ? (format csv, header true)
        """,
        [str(target)],
    )
