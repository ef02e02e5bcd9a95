"""Observations from files and other systems: reading, checking every row, and saving.

One path for the upload page, the JSON API and `qms import-observations`, so a rule lives in one
place. A source (CSV, Excel, a JSON array) becomes raw records; `preview` checks every record
and says what saving would do; `commit` saves exactly that, all or nothing, through
`services.observations_save`.

Built for large files: rows are read with `csv.reader`, measures are looked up once per code,
existing values are read in bulk, and nothing runs a query per row.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import multiprocessing
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from qms.control import services
from qms.control.models import Frequency, Measure, Observation
from qms.control.periods import PeriodError, parse_period, period_label, period_start
from qms.control.roles import DATA_ENTRY, VIEWERS
from qms.control.services import ObservationInput, SaveSummary
from qms.people import access
from qms.people.models import Person, Unit
from qms.text import find_control_characters
from qms.text.spreadsheet import spreadsheet_unescaped
from qms.web import screening

COLUMNS = ("measure", "period", "value", "denominator", "note")
# The longest note an observation holds (its column), checked before a note is screened.
NOTE_MAX_LENGTH = Observation._meta.get_field("note").max_length
REQUIRED_COLUMNS = ("measure", "period", "value")
# Rows saved per call of observations_save: small enough to show progress, large enough that
# the per-call overhead does not matter. All calls share one transaction.
SAVE_CHUNK = 50_000
# Measures per SPC refresh task, so a large import's recomputation spreads over workers.
REFRESH_CHUNK = 1_000
# Ids per `IN (...)` query: below SQLite's historic limit of 999 parameters.
_IN_CHUNK = 500

# An Excel workbook is a zip of XML. These limits are checked from the zip's directory before
# openpyxl parses anything, so a small file that unpacks to gigabytes (a "zip bomb") is refused
# in milliseconds instead of costing minutes of CPU and gigabytes of memory. Python's zipfile
# stops at the sizes the directory declares, so a lying directory cannot get round them.
# Uploads through a page: 100,000 rows of the template (six columns) unpack to 22 MB as Excel
# writes them, 32 MB as openpyxl (and so pandas) writes them. The import command allows more.
XLSX_MAX_UNCOMPRESSED = 40 * 1024 * 1024
XLSX_MAX_RATIO = 100  # real sheets compress 5 to 20 times; bombs 1,000 times and more
_XLSX_RATIO_FROM = 1024 * 1024  # small parts (styles, themes) may compress well: they are cheap
XLSX_MAX_MEMBERS = 1_000
# Columns read from each row: the six of the template and room for a person's own. The parser
# pads every row to this width, so it is capped even when the sheet claims 16,384 columns.
XLSX_MAX_COLUMNS = 50
# Rows of the sheet read at most (Excel's own limit). A row numbered beyond the data makes the
# parser yield every blank row in between; a web request gives a lower cap (see read_file).
XLSX_MAX_SHEET_ROWS = 1_048_576
# Cells in the workbook's sheets per data row a request may send: openpyxl spends about 9 µs on
# each cell it reads (and builds a whole row before cutting it to XLSX_MAX_COLUMNS), so a file
# within the size limits that packs millions of cells would cost a minute. The template has six.
XLSX_CELLS_PER_ROW = 10

# (row number as the user sees it, measure, period, value, denominator, note) as read.
RawRecord = tuple[int, object, object, object, object, object]
Progress = Callable[..., Iterable]


def no_progress(iterable: Iterable, **_options) -> Iterable:
    """The default progress reporter: none."""
    return iterable


@dataclass(frozen=True)
class Problem:
    """Something wrong with one cell. `row` counts as the user sees it: the header of a file
    is row 1, the first item of an API array is 1; 0 means the source as a whole."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}, {self.column}" if self.row else self.column.capitalize()
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Conflict:
    """A period that already holds a different value: saving would replace `old` with `new`."""

    new: ObservationInput
    old_value: float
    old_denominator: float | None
    old_note: str

    @property
    def period_label(self) -> str:
        return period_label(self.new.period, self.new.measure.frequency)


@dataclass
class Preview:
    """What saving the records would do, or why it cannot."""

    rows: list[ObservationInput] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    read: int = 0  # data rows read, blank rows aside
    new: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def measures(self) -> int:
        return len({row.measure.pk for row in self.rows})

    def fingerprint(self) -> str:
        """Identifies what the preview showed, to tell whether the data moved under it."""
        digest = hashlib.sha256(f"{len(self.rows)}:{self.new}:{self.unchanged}".encode())
        for conflict in self.conflicts:
            row = conflict.new
            digest.update(
                f"|{row.measure.pk}:{row.period}:{conflict.old_value!r}:"
                f"{conflict.old_denominator!r}:{conflict.old_note}".encode()
            )
        for problem in self.problems:
            digest.update(f"|{problem.row}:{problem.column}:{problem.message}".encode())
        return digest.hexdigest()


class ReadError(ValueError):
    """The source cannot be read at all (not a CSV or Excel file, no header, ...)."""


# Who may record data for which units ------------------------------------------------------


class EntryScope:
    """The units whose measures the actor may record data for."""

    def allows(self, unit: Unit) -> bool:
        raise NotImplementedError

    def refusal(self, code: str, measure: Measure) -> str:
        raise NotImplementedError

    def unknown(self, code: str) -> str:
        """What to say about a code no measure has."""
        return _unknown(code)


class EveryUnit(EntryScope):
    """An operator at the command line, who has the database anyway."""

    def allows(self, unit: Unit) -> bool:
        return True

    def refusal(self, code: str, measure: Measure) -> str:  # pragma: no cover - never refused
        return ""


class PersonScope(EntryScope):
    """A person: units where they hold a data entry role (directly or above)."""

    def __init__(self, person: Person):
        self.person = person

    def allows(self, unit: Unit) -> bool:
        return access.can(self.person, unit, DATA_ENTRY)

    def refusal(self, code: str, measure: Measure) -> str:
        # A unit the person cannot see is not disclosed: the same words as an unknown code.
        if not access.can(self.person, measure.unit, VIEWERS):
            return _unknown(code)
        return f"you may not record data for the measures of {measure.unit.name}"


class UnitScope(EntryScope):
    """An integration key: its unit and the units below it."""

    def __init__(self, unit: Unit):
        self.unit = unit

    def allows(self, unit: Unit) -> bool:
        return unit.path.startswith(self.unit.path)

    def refusal(self, code: str, measure: Measure) -> str:
        # Whether the code exists elsewhere is not disclosed to the integration: a measure of
        # another unit gets exactly the answer of a code that does not exist.
        return self.unknown(code)

    def unknown(self, code: str) -> str:
        return (
            f"no measure has the code {_quoted(code)} in {self.unit.name} or the units below "
            "it, where this key may record data"
        )


def _unknown(code: str) -> str:
    return f"no measure has the code {_quoted(code)} in the units where you may record data"


def entry_measures(person: Person) -> list[Measure]:
    """The active measures the person may record data for, in unit order: those of the units
    where they hold a data entry role (uploads are checked unit by unit, see PersonScope)."""
    measures = Measure.objects.filter(is_active=True).select_related("unit")
    return list(
        access.in_units_with_role(person, measures, DATA_ENTRY).order_by("unit__path", "name")
    )


def may_upload(person: Person) -> bool:
    """Anyone with a data entry role somewhere may upload; rows are checked unit by unit."""
    return access.unit_paths_with_role(person, DATA_ENTRY) != []


# Reading sources ---------------------------------------------------------------------------


def read_file(
    stream,
    name: str,
    *,
    max_rows: int | None = None,
    max_uncompressed: int = XLSX_MAX_UNCOMPRESSED,
    progress: Progress = no_progress,
) -> list[RawRecord]:
    """Records from a .csv or .xlsx file (binary stream), chosen by the file name.
    `max_uncompressed` bounds what an Excel workbook may unpack to."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return read_xlsx(
            stream, max_rows=max_rows, max_uncompressed=max_uncompressed, progress=progress
        )
    if lower.endswith(".csv") or lower.endswith(".txt"):
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        try:
            return read_csv(text, max_rows=max_rows, progress=progress)
        finally:
            text.detach()  # the caller owns the stream
    if lower.endswith(".xls"):
        raise ReadError(
            "This is an old Excel file (.xls): save it as an Excel workbook (.xlsx) or as CSV."
        )
    raise ReadError("Upload a CSV file (.csv) or an Excel workbook (.xlsx).")


def read_csv(
    lines: Iterable[str], *, max_rows: int | None = None, progress: Progress = no_progress
) -> list[RawRecord]:
    """Records from CSV text (comma, semicolon or tab separated; the header names columns)."""
    iterator = iter(lines)
    try:
        first = next(iterator, None)
    except UnicodeDecodeError:
        raise ReadError(_NOT_UTF8) from None
    if first is None or not first.strip():
        raise ReadError("The file is empty: the first row must name the columns.")
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(itertools.chain([first], iterator), delimiter=delimiter)
    try:
        header = next(reader)
        return _records(header, progress(reader, desc="Reading", unit=" rows"), max_rows)
    except UnicodeDecodeError:
        raise ReadError(_NOT_UTF8) from None
    except csv.Error as error:  # e.g. a field longer than 128 kB: not a table of values
        raise ReadError(f"Row {reader.line_num} is not valid CSV ({error}).") from None


_NOT_UTF8 = (
    "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (comma delimited)”, "
    "or upload the .xlsx workbook."
)


_NOT_XLSX = "The file is not an Excel workbook (.xlsx) that can be read."


def check_xlsx(stream, *, max_uncompressed: int = XLSX_MAX_UNCOMPRESSED) -> None:
    """Refuse a workbook whose zip directory promises more than a sheet of data should hold:
    too many parts, too much once unpacked, or unpacking too many times its size. Reads only
    the directory; the stream is left where it was."""
    start = stream.tell()
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ReadError(_NOT_XLSX) from None
    finally:
        stream.seek(start)
    if len(members) > XLSX_MAX_MEMBERS:
        raise ReadError(f"{_NOT_XLSX} It holds {len(members):,} parts.")
    total = sum(member.file_size for member in members)
    if total > max_uncompressed:
        raise ReadError(
            f"The workbook unpacks to {total / 1024**2:,.0f} MB; the limit is "
            f"{max_uncompressed / 1024**2:,.0f} MB. Save the data alone as a CSV file, or split "
            "it into smaller workbooks."
        )
    for member in members:
        if member.file_size > _XLSX_RATIO_FROM and (
            member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1)
        ):
            raise ReadError(
                f"{_NOT_XLSX} Its part {member.filename[:60]} unpacks to more than "
                f"{XLSX_MAX_RATIO} times its size, which no sheet of data does."
            )


def read_xlsx(
    stream,
    *,
    max_rows: int | None = None,
    max_uncompressed: int = XLSX_MAX_UNCOMPRESSED,
    progress: Progress = no_progress,
) -> list[RawRecord]:
    """Records from the first sheet of an Excel workbook (cached values, not formulas), read
    only after `check_xlsx` and `check_xlsx_cells` and in openpyxl's streaming read-only mode, at
    most XLSX_MAX_COLUMNS columns and a bounded number of rows."""
    import openpyxl

    check_xlsx(stream, max_uncompressed=max_uncompressed)
    # Blank rows between data rows are allowed, but not without end: twice the data rows a
    # request may send (and never more than Excel's own limit).
    sheet_rows = (
        XLSX_MAX_SHEET_ROWS if max_rows is None else min(2 * max_rows + 1, XLSX_MAX_SHEET_ROWS)
    )
    check_xlsx_cells(
        stream,
        max_rows=sheet_rows + 1,
        max_cells=None if max_rows is None else (max_rows + 1) * XLSX_CELLS_PER_ROW,
    )
    # A workbook is a zip of XML written by any program: whatever fails inside openpyxl on a
    # damaged or foreign file is a file the user must fix, not a server error.
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception:
        raise ReadError(_NOT_XLSX) from None
    try:
        rows = _bounded(
            workbook.worksheets[0].iter_rows(
                max_row=sheet_rows + 1, max_col=XLSX_MAX_COLUMNS, values_only=True
            ),
            sheet_rows,
        )
        header = next(rows, None)
        if header is None:
            raise ReadError("The first sheet is empty: its first row must name the columns.")
        return _records(header, progress(rows, desc="Reading", unit=" rows"), max_rows)
    except ReadError:
        raise
    except Exception as error:
        raise ReadError(f"The workbook could not be read to the end ({error}).") from None
    finally:
        workbook.close()


# Any table (other areas' uploads) -------------------------------------------------------------

# (row number as the user sees it, the row's cells) of a table read by `read_table`.
TableRow = tuple[int, list]
# Cells a table row may hold (as XLSX_MAX_COLUMNS for observations): beyond it, a file is refused.
TABLE_MAX_COLUMNS = XLSX_MAX_COLUMNS


def read_table(stream, name: str, *, max_rows: int) -> tuple[list[str], list[TableRow]]:
    """The header (cells as text, stripped) and the data rows of a .csv or .xlsx file of any
    columns, for uploads of other tables than observations (an audit's cases, evidence). Bounded
    as observation files are: the workbook checked from its zip directory and its XML before
    openpyxl reads it, at most `max_rows` data rows and TABLE_MAX_COLUMNS columns. Blank rows
    are left out; a row's number is the one the person sees in their spreadsheet."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        rows = _xlsx_rows(stream, max_rows=max_rows)
    elif lower.endswith(".csv") or lower.endswith(".txt"):
        rows = _csv_rows(stream)
    elif lower.endswith(".xls"):
        raise ReadError(
            "This is an old Excel file (.xls): save it as an Excel workbook (.xlsx) or as CSV."
        )
    else:
        raise ReadError("Upload a CSV file (.csv) or an Excel workbook (.xlsx).")
    if not rows or not any(_filled(cell) for cell in rows[0]):
        raise ReadError("The file is empty: the first row must name the columns.")
    header = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    if len(header) > TABLE_MAX_COLUMNS:
        raise ReadError(f"Row 1 has more than {TABLE_MAX_COLUMNS} columns.")
    data: list[TableRow] = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(_filled(cell) for cell in cells):
            continue
        if len(data) >= max_rows:
            raise ReadError(f"The file has more than {max_rows:,} rows of data: split it.")
        data.append((number, list(cells[:TABLE_MAX_COLUMNS])))
    return header, data


def _csv_rows(stream) -> list[list]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
        if not first.strip():
            return []
        delimiter = max(",;\t", key=first.count)
        reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
        rows = []
        for row in reader:
            if len(row) > TABLE_MAX_COLUMNS:
                raise ReadError(f"Row {reader.line_num} has more than {TABLE_MAX_COLUMNS} columns.")
            rows.append(row)
        return rows
    except UnicodeDecodeError:
        raise ReadError(_NOT_UTF8) from None
    except csv.Error as error:
        raise ReadError(f"The file is not valid CSV ({error}).") from None
    finally:
        text.detach()  # the caller owns the stream


def _xlsx_rows(stream, *, max_rows: int) -> list[list]:
    import openpyxl

    check_xlsx(stream)
    sheet_rows = min(2 * max_rows + 1, XLSX_MAX_SHEET_ROWS)
    check_xlsx_cells(stream, max_rows=sheet_rows + 1, max_cells=(max_rows + 1) * TABLE_MAX_COLUMNS)
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception:
        raise ReadError(_NOT_XLSX) from None
    try:
        # openpyxl pads each row to max_col: the empty cells after the last are not data.
        return [
            _trimmed(row)
            for row in _bounded(
                workbook.worksheets[0].iter_rows(
                    max_row=sheet_rows + 1, max_col=TABLE_MAX_COLUMNS, values_only=True
                ),
                sheet_rows,
            )
        ]
    except ReadError:
        raise
    except Exception as error:
        raise ReadError(f"The workbook could not be read to the end ({error}).") from None
    finally:
        workbook.close()


def _trimmed(row: Sequence) -> list:
    cells = list(row)
    while cells and not _filled(cells[-1]):
        cells.pop()
    return cells


# A row or a cell element of sheet XML, with any namespace prefix: <row r="2">, <c r="A2"/>,
# <x:c>. In sheet XML a "<" in text is always escaped, so each is markup.
_SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]{0,63}:)?(row|c)[\s/>]")
_SCAN_CHUNK = 1024 * 1024


def check_xlsx_cells(stream, *, max_rows: int, max_cells: int | None) -> None:
    """Refuse a workbook whose sheets hold more than a sheet of data should, by reading their
    XML as bytes before openpyxl parses any of it: a row of the first sheet with more than
    XLSX_MAX_COLUMNS cells (openpyxl builds the whole row first: 3.5 million cells in one row
    of an 80 MB sheet cost 45 s and 2.8 GB), more than `max_rows` rows in it, or more than
    `max_cells` cells in all the sheets (openpyxl reads other sheets too when they do not
    state their size). The stream is left where it was."""
    start = stream.tell()
    try:
        parts = _worksheet_parts(stream)
        with zipfile.ZipFile(stream) as archive:
            budget = [max_cells]
            for index, part in enumerate(parts):
                with archive.open(part) as source:
                    _scan_sheet(source, first=index == 0, max_rows=max_rows, budget=budget)
    except ReadError:  # a ValueError too: what the scan found, said as it was
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, KeyError):
        raise ReadError(_NOT_XLSX) from None
    finally:
        stream.seek(start)


def _worksheet_parts(stream) -> list[str]:
    """The parts holding the workbook's worksheets, the first sheet first, as openpyxl finds
    them (the workbook part lists the sheets in order; its relationships name their parts)."""
    from openpyxl.reader.excel import ExcelReader

    try:
        reader = ExcelReader(stream, read_only=True)
    except Exception:
        raise ReadError(_NOT_XLSX) from None
    try:
        reader.read_manifest()
        reader.read_workbook()
        return [
            rel.target
            for _, rel in reader.parser.find_sheets()
            if "chartsheet" not in rel.Type and rel.target in reader.valid_files
        ]
    except Exception:  # as in read_xlsx: a damaged or foreign file, not a server error
        raise ReadError(_NOT_XLSX) from None
    finally:
        reader.archive.close()


def _scan_sheet(source, *, first: bool, max_rows: int, budget: list[int | None]) -> None:
    rows = cells_in_row = 0
    tail = b""
    while chunk := source.read(_SCAN_CHUNK):
        data = tail + chunk
        # A tag cut by the chunk's end is read with the next chunk.
        cut = data.rfind(b"<", max(0, len(data) - 80))
        data, tail = (data[:cut], data[cut:]) if cut >= 0 else (data, b"")
        cells = 0
        for match in _SHEET_TAG.finditer(data):
            if match.group(1) == b"row":
                rows += 1
                cells_in_row = 0
                if first and rows > max_rows:
                    raise ReadError(
                        f"The sheet goes on beyond row {max_rows - 1:,}. Remove the blank rows, "
                        "or split the data into smaller files."
                    )
                continue
            cells += 1
            cells_in_row += 1
            if first and cells_in_row > XLSX_MAX_COLUMNS:
                raise ReadError(
                    f"Row {rows:,} of the sheet has more than {XLSX_MAX_COLUMNS} cells. Keep "
                    "the columns measure, period, value, denominator and note (and a few of "
                    "your own), and remove the others."
                )
        if budget[0] is not None:
            budget[0] -= cells
            if budget[0] < 0:
                raise ReadError(
                    "The workbook holds more cells than the rows a page takes. Save the data "
                    "alone as a CSV file, or split it into smaller workbooks."
                )


def _bounded(rows: Iterable[Sequence], sheet_rows: int) -> Iterator[Sequence]:
    """The rows of a sheet up to row `sheet_rows`; a row beyond it (openpyxl yields one when
    asked for a row more than that and the sheet goes on) is refused, never silently cut."""
    for number, row in enumerate(rows, start=1):
        if number > sheet_rows:
            raise ReadError(
                f"The sheet goes on beyond row {sheet_rows:,}. Remove the blank rows, or split "
                "the data into smaller files."
            )
        yield row


def _records(header: Sequence, rows: Iterable[Sequence], max_rows: int | None) -> list[RawRecord]:
    names = [str(cell).strip().lower() if cell is not None else "" for cell in header]
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    if missing:
        raise ReadError(
            f"Row 1 must name the columns: {', '.join(COLUMNS)} (denominator and note may be "
            f"left out). Missing: {', '.join(missing)}."
        )
    doubled = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    if doubled:
        raise ReadError(f"Row 1 names the column {', '.join(doubled)} more than once.")
    im, ip, iv = (names.index(column) for column in REQUIRED_COLUMNS)
    idn = names.index("denominator") if "denominator" in names else None
    ino = names.index("note") if "note" in names else None
    records: list[RawRecord] = []
    append = records.append
    for number, cells in enumerate(rows, start=2):
        try:
            record = (
                number,
                cells[im],
                cells[ip],
                cells[iv],
                None if idn is None else cells[idn],
                None if ino is None else cells[ino],
            )
        except IndexError:  # a short row: the missing cells are empty
            width = len(cells)
            if not any(_filled(cell) for cell in cells):
                continue
            record = (
                number,
                *(
                    cells[index] if index is not None and index < width else None
                    for index in (im, ip, iv, idn, ino)
                ),
            )
        else:
            # Blank rows, as spreadsheets leave at the end, are not data.
            if not (_filled(record[1]) or _filled(record[3])) and not any(map(_filled, cells)):
                continue
        append(record)
        if max_rows is not None and len(records) > max_rows:
            raise ReadError(
                f"The file has more than {max_rows:,} rows of data. Split it into smaller "
                "files, or ask an administrator to run `qms import-observations`."
            )
    return records


def _filled(cell) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


def records_from_json(items) -> tuple[list[RawRecord], list[Problem]]:
    """Records from the API's "observations" array; rows count from 1 within it."""
    records: list[RawRecord] = []
    problems: list[Problem] = []
    if not isinstance(items, list):
        return records, [Problem(0, "observations", "give a list of observations")]
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(
                Problem(number, "observation", "each observation must be a JSON object")
            )
            continue
        record = (number, *(item.get(column) for column in COLUMNS))
        for column in ("measure", "period", "note"):
            value = item.get(column)
            if value is not None and not isinstance(value, str):
                problems.append(Problem(number, column, f"the {column} must be a string"))
                break
        else:
            records.append(record)
    return records, problems


# Checking ----------------------------------------------------------------------------------


def preview(
    records: Sequence[RawRecord],
    *,
    scope: EntryScope,
    problems: Iterable[Problem] = (),
    progress: Progress = no_progress,
) -> Preview:
    """Check every record and compare it with what is recorded; nothing is saved."""
    result = Preview(problems=list(problems), read=len(records))
    measures = _measures_by_code(records, scope)
    periods: dict[tuple[object, str], dt.date | str] = {}
    seen: dict[tuple[int, dt.date], int] = {}
    notes: dict[str, list[str]] = {}
    rows = result.rows
    add_problem = result.problems.append
    check = services.check_observation

    for number, code, period_raw, value_raw, denominator_raw, note_raw in progress(
        records, desc="Checking", unit=" rows", total=len(records)
    ):
        found = measures[code]
        if type(found) is str:
            add_problem(Problem(number, "measure", found))
            continue
        measure, measure_id, frequency = found
        trouble = False

        key = (period_raw, frequency)
        period = periods.get(key)
        if period is None:
            period = periods[key] = _period(period_raw, frequency)
        if type(period) is str:
            add_problem(Problem(number, "period", period))
            trouble = True

        value = _number(value_raw)
        if type(value) is str:
            add_problem(Problem(number, "value", value))
            trouble = True
        elif value is None:
            add_problem(Problem(number, "value", "give a value"))
            trouble = True
        denominator = _number(denominator_raw)
        if type(denominator) is str:
            add_problem(Problem(number, "denominator", denominator))
            trouble = True
        note = "" if not note_raw else str(note_raw).strip()
        if len(note) > NOTE_MAX_LENGTH:  # measured first: screening a megabyte costs time
            add_problem(Problem(number, "note", _NOTE_TOO_LONG))
            trouble = True
        elif note:
            found = notes.get(note)
            if found is None:  # notes repeat in a file: screen each text once
                found = notes[note] = screening.problems_without_prompt(note, label="the note")
            for message in found:
                add_problem(Problem(number, "note", message))
                trouble = True
        if trouble:
            continue

        row = ObservationInput(measure, period, value, denominator, note, number)
        messages = check(row)
        if messages:
            for message in messages:
                add_problem(Problem(number, _column_of(message), message))
            continue
        first = seen.setdefault((measure_id, period), number)
        if first != number:
            label = period_label(period, frequency)
            message = f"row {first} already gives {measure.code} a value for {label}"
            add_problem(Problem(number, "period", message))
            continue
        rows.append(row)

    _compare_with_recorded(result)
    result.problems.sort(key=lambda problem: problem.row)
    return result


_NOTE_TOO_LONG = f"the note is longer than {NOTE_MAX_LENGTH} characters"


def _code(raw) -> str:
    if isinstance(raw, str):
        # A code from our template that a spreadsheet would read as a formula ("-ward") was
        # written with a leading apostrophe.
        return spreadsheet_unescaped(raw.strip())
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return "" if raw is None else str(raw)


def _measures_by_code(
    records: Sequence[RawRecord], scope: EntryScope
) -> dict[object, tuple[Measure, int, str] | str]:
    """For each code as written in the records: (measure, its id, its frequency), or what is
    wrong with it (unknown, or in a unit the actor may not record data for). One query per
    500 codes, one permission check per measure."""
    written = {record[1] for record in records}
    codes = {raw: _code(raw) for raw in written}
    # A NUL cannot even be sent to PostgreSQL in a query: such codes are answered here.
    unreadable = {code for code in codes.values() if find_control_characters(code)}
    wanted = sorted(set(codes.values()) - {""} - unreadable)
    measures: dict[str, Measure] = {}
    for start in range(0, len(wanted), _IN_CHUNK):
        for measure in Measure.objects.filter(
            code__in=wanted[start : start + _IN_CHUNK]
        ).select_related("unit"):
            measures[measure.code] = measure
    found: dict[object, tuple[Measure, int, str] | str] = {}
    for raw, code in codes.items():
        measure = measures.get(code)
        if not code:
            found[raw] = "give the measure's code"
        elif code in unreadable:
            found[raw] = screening.refusals(code, label="the code")[0]
        elif measure is None:
            found[raw] = scope.unknown(code)
        elif not scope.allows(measure.unit):
            found[raw] = scope.refusal(code, measure)
        else:
            found[raw] = (measure, measure.pk, measure.frequency)
    return found


def _period(raw, frequency: str) -> dt.date | str:
    """The period's first day, or what is wrong with it."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return "give the period"
    if isinstance(raw, float) and raw.is_integer():
        raw = str(int(raw))  # a spreadsheet's 2025 is text "2025", not "2025.0"
    elif not isinstance(raw, (str, dt.date)):
        raw = str(raw)
    try:
        return parse_period(raw, frequency)
    except PeriodError as error:
        return str(error)


def _number(raw) -> float | None | str:
    """A finite number, None for an empty cell, or what is wrong with it."""
    if raw is None or raw == "":
        return None
    if raw is True or raw is False:
        return f"{_quoted(str(raw))} is not a number"
    try:
        number = float(raw)
    except OverflowError:  # an integer beyond any float, from JSON
        return f"{_quoted(str(raw))} is too large"
    except (TypeError, ValueError):
        text = str(raw).strip()
        return f"{_quoted(text)} is not a number" if text else None
    if number - number == 0:  # neither infinite nor NaN
        return number
    return f"{_quoted(str(raw).strip())} is not a number"


def _quoted(text: str) -> str:
    return f"“{text if len(text) <= 40 else text[:39] + '…'}”"


def _column_of(message: str) -> str:
    """Which column a message of services.check_observation is about."""
    if "numerator" in message:
        return "value"
    if "denominator" in message:
        return "denominator"
    if message.startswith("the note"):
        return "note"
    return "value"


def _compare_with_recorded(result: Preview) -> None:
    """Sort rows into new, unchanged and conflicting, reading recorded values in bulk."""
    by_measure: dict[int, list[ObservationInput]] = defaultdict(list)
    for row in result.rows:
        by_measure[row.measure.pk].append(row)
    recorded: dict[tuple[int, dt.date], tuple] = {}
    ids = sorted(by_measure)
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        periods = [row.period for measure_id in chunk for row in by_measure[measure_id]]
        query = Observation.objects.filter(
            measure_id__in=chunk, period__gte=min(periods), period__lte=max(periods)
        ).values_list("measure_id", "period", "value", "denominator", "note")
        for measure_id, period, value, denominator, note in query.iterator(chunk_size=5000):
            recorded[(measure_id, period)] = (value, denominator, note)
    if not recorded:
        result.new = len(result.rows)
        return
    new = unchanged = 0
    for row in result.rows:
        old = recorded.get((row.measure.pk, row.period))
        if old is None:
            new += 1
        elif old == (row.value, row.denominator, row.note):
            unchanged += 1
        else:
            result.conflicts.append(Conflict(row, *old))
    result.new, result.unchanged = new, unchanged


# Saving ------------------------------------------------------------------------------------


def commit(
    checked: Preview,
    *,
    by: Person | None,
    replace: bool = False,
    reason: str = "",
    progress: Progress = no_progress,
    jobs: int = 1,
) -> SaveSummary:
    """Save the previewed rows, all or nothing. Periods holding a different value are replaced
    only with `replace` (services.ObservationConflict otherwise). The SPC results of the
    measures are refreshed once the transaction commits (see `refresh` for `jobs`)."""
    if checked.problems:
        raise ValidationError([str(problem) for problem in checked.problems])
    rows = checked.rows
    created = updated = unchanged = 0
    with transaction.atomic():
        chunks = range(0, len(rows), SAVE_CHUNK)
        for start in progress(chunks, desc="Saving", unit=" chunks", total=len(chunks)):
            summary = services.observations_save(
                by=by,
                rows=rows[start : start + SAVE_CHUNK],
                replace=replace,
                reason=reason,
                refresh=False,  # once for the whole file, below, not once per chunk
            )
            created += summary.created
            updated += summary.updated
            unchanged += summary.unchanged
        measure_ids = sorted({row.measure.pk for row in rows})
        if created or updated:
            transaction.on_commit(lambda: refresh(measure_ids, progress=progress, jobs=jobs))
    return SaveSummary(created, updated, unchanged, len(measure_ids))


def refresh(measure_ids: list[int], *, progress: Progress = no_progress, jobs: int = 1) -> None:
    """Queue the SPC refresh in chunks of measures, for task workers to share out.

    When tasks run immediately (no workers) on PostgreSQL and `jobs` > 1, the chunks are
    computed by that many processes instead, as workers would: the analysis and the results'
    JSON are CPU work that one process does at half speed on two cores. Not on SQLite, which
    has one writer at a time: there the processes mostly wait for each other."""
    chunks = [
        measure_ids[start : start + REFRESH_CHUNK]
        for start in range(0, len(measure_ids), REFRESH_CHUNK)
    ]
    if jobs > 1 and len(chunks) > 1 and _can_fork_refresh():
        from django.db import connections

        # Children must open their own connections: a shared socket would corrupt both.
        connections.close_all()
        pool = multiprocessing.get_context("fork").Pool(min(jobs, len(chunks)))
        try:
            done = pool.imap_unordered(_refresh_chunk, chunks)
            for _ in progress(done, desc="SPC refresh", unit=" chunks", total=len(chunks)):
                pass
        finally:
            pool.close()
            pool.join()
        return
    for chunk in progress(chunks, desc="SPC refresh", unit=" chunks", total=len(chunks)):
        services.enqueue_refresh(chunk)


def _can_fork_refresh() -> bool:
    from django.db import connection
    from django_tasks import default_task_backend
    from django_tasks.backends.immediate import ImmediateBackend

    return (
        isinstance(default_task_backend, ImmediateBackend)
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block  # e.g. a test's transaction: stay in it
        and "fork" in multiprocessing.get_all_start_methods()
    )


def _refresh_chunk(measure_ids: list[int]) -> int:
    """In a child process: what the refresh task does for these measures."""
    from qms.control.tasks import refresh_results

    return refresh_results.call(measure_ids)


# Templates ---------------------------------------------------------------------------------


def example_period(measure: Measure, today: dt.date | None = None) -> str:
    """The last complete period, written the way files give it (2025-03, 2025-W11, ...)."""
    today = today or dt.date.today()
    current = period_start(today, measure.frequency)
    previous = period_start(current - dt.timedelta(days=1), measure.frequency)
    if measure.frequency == Frequency.MONTH:
        return previous.strftime("%Y-%m")
    if measure.frequency == Frequency.QUARTER:
        return f"{previous.year}-Q{(previous.month - 1) // 3 + 1}"
    if measure.frequency == Frequency.WEEK:
        year, week, _ = previous.isocalendar()
        return f"{year}-W{week:02d}"
    return previous.isoformat()


TEMPLATE_HEADER = [*COLUMNS, "about"]


def template_rows(measures: Iterable[Measure]) -> list[list[str]]:
    """One example row per measure: code and period filled in, the value left to the user.
    The "about" column says what the measure is; it is ignored when the file is read."""
    rows = []
    for measure in measures:
        about = f"{measure.name} ({measure.unit.name}), {measure.get_frequency_display()}"
        if measure.needs_denominator:
            about += "; needs a denominator"
            if measure.denominator_definition:
                about += f": {measure.denominator_definition}"
        rows.append([measure.code, example_period(measure), "", "", "", about])
    return rows
