"""Reading an organisation file: an Excel workbook (sheets `units`, `people`, `measures`) or one
CSV file (its first column, `record`, naming each row's sheet) becomes the same `Sheet`s of
numbered rows, and `sheet_rows` gives each row's cells by column, so one set of checks
(qms.onboarding.organisation) serves both formats. Row numbers are those the person sees.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from qms.control.imports import XLSX_MAX_COLUMNS, ReadError, check_xlsx, check_xlsx_cells
from qms.text.spreadsheet import spreadsheet_unescaped

__all__ = ["ReadError", "read_file", "sheet_rows"]

SHEETS = ("units", "people", "measures")
# The columns of each sheet, in the template's order, and those a row must fill.
COLUMNS = {
    "units": ("code", "name", "kind", "parent"),
    "people": ("email", "name", "job title", "professional group", "unit", "role"),
    "measures": ("unit", "measure", "owner", "target"),
}
REQUIRED = {
    "units": ("code", "name", "kind"),
    "people": ("email", "name", "unit", "role"),
    "measures": ("unit", "measure", "owner"),
}
# Other headings people write for the same columns (after lower case, and "_" or "-" as spaces).
ALIASES = {
    "e mail": "email",
    "email address": "email",
    "e mail address": "email",
    "unit code": "unit",
    "parent code": "parent",
    "parent unit": "parent",
    "type": "kind",
    "unit type": "kind",
    "job": "job title",
    "group": "professional group",
    "staff group": "professional group",
    "library code": "measure",
    "measure code": "measure",
    "library measure": "measure",
    "owner email": "owner",
    "owner e mail": "owner",
}
# The first column of a CSV file: which sheet the row belongs to.
RECORD_COLUMN = "record"
RECORD_NAMES = {
    "unit": "units",
    "units": "units",
    "person": "people",
    "people": "people",
    "measure": "measures",
    "measures": "measures",
}
# Rows a file may hold, all sheets together: far beyond any board (5,000 people, 200 units).
MAX_ROWS = 200_000
# What a workbook may unpack to, and the cells its sheets may hold (checked before parsing).
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_CELLS = MAX_ROWS * 12
# Reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A row of a sheet as the person sees it: its number in their spreadsheet or file (the
    heading is row 1) and its cells by column name, as text."""

    sheet: str
    number: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass
class Sheet:
    """A sheet's columns (as headed, in order) and its data rows. `shared` when the sheets come
    from one CSV file, whose one heading names every sheet's columns."""

    name: str
    header: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)
    shared: bool = False
    first: bool = True  # of the sheets sharing a heading, the first with rows


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}, row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


def read_file(stream, name: str) -> dict[str, Sheet]:
    """The sheets of an organisation file (binary stream), chosen by the file name: an Excel
    workbook (.xlsx) with sheets named units, people and measures (others, such as a read-me,
    are left), or a CSV file whose first column names each row's sheet. Raises ReadError (a
    ValueError) saying why a file cannot be read."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return _read_xlsx(stream)
    if lower.endswith(".csv") or lower.endswith(".txt"):
        return _read_csv(stream)
    if lower.endswith(".xls"):
        raise ReadError("This is an old Excel file (.xls): save it as an Excel workbook (.xlsx).")
    raise ReadError("Give a CSV file (.csv) or an Excel workbook (.xlsx).")


def _read_xlsx(stream) -> dict[str, Sheet]:
    import openpyxl

    # A workbook is a zip: its directory and its sheets' XML are checked before openpyxl
    # parses anything, as for observation files, so a "zip bomb" costs nothing.
    check_xlsx(stream, max_uncompressed=MAX_UNCOMPRESSED)
    check_xlsx_cells(stream, max_rows=MAX_ROWS + 1, max_cells=MAX_CELLS)
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # a damaged or foreign file is the person's to fix, not a server error
        raise ReadError("The file is not an Excel workbook (.xlsx) that can be read.") from None
    sheets: dict[str, Sheet] = {}
    try:
        for worksheet in workbook.worksheets:
            sheet_name = worksheet.title.strip().lower()
            if sheet_name not in SHEETS:
                continue
            if sheet_name in sheets:
                raise ReadError(f"The workbook has two sheets named {sheet_name}.")
            rows = worksheet.iter_rows(max_col=XLSX_MAX_COLUMNS, values_only=True)
            header = next(rows, None) or ()
            sheet = Sheet(sheet_name, [_text(cell) for cell in _trimmed(header)])
            for number, cells in enumerate(rows, start=2):
                if number > MAX_ROWS + 1:
                    raise ReadError(f"The sheet {sheet_name} has more than {MAX_ROWS:,} rows.")
                sheet.rows.append((number, list(cells)))
            sheets[sheet_name] = sheet
    except ReadError:
        raise
    except Exception as error:
        raise ReadError(f"The workbook could not be read to the end ({error}).") from None
    finally:
        workbook.close()
    if not sheets:
        raise ReadError(
            "The workbook has no sheet named units, people or measures (see the template, "
            "docs/onboarding/organisation-template.xlsx)."
        )
    return sheets


def _read_csv(stream) -> dict[str, Sheet]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
        if not first.strip():
            raise ReadError("The file is empty: its first row must name the columns.")
        delimiter = max(",;\t", key=first.count)
        reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
        header = [_text(cell) for cell in _trimmed(next(reader))]
        if not header or _column(header[0]) not in (RECORD_COLUMN, "record type", "sheet"):
            raise ReadError(
                "The first column of a CSV file must be record: unit, person or measure on each "
                "row, saying what the row describes (see docs/onboarding/organisation.csv)."
            )
        sheets = {name: Sheet(name, header[1:], shared=True) for name in SHEETS}
        orphans: list[int] = []
        for row in reader:
            if reader.line_num > MAX_ROWS + 1:
                raise ReadError(f"The file has more than {MAX_ROWS:,} rows.")
            if not any(_filled(cell) for cell in row):
                continue
            sheet_name = RECORD_NAMES.get(_text(row[0]).lower())
            if sheet_name is None:
                orphans.append(reader.line_num)
                continue
            sheets[sheet_name].rows.append((reader.line_num, row[1:]))
    except UnicodeDecodeError:
        raise ReadError(
            "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (comma delimited)”, "
            "or give the .xlsx workbook."
        ) from None
    except csv.Error as error:
        raise ReadError(f"The file is not valid CSV ({error}).") from None
    finally:
        text.detach()  # the caller owns the stream
    if orphans:
        shown = ", ".join(str(number) for number in orphans[:20])
        raise ReadError(
            f"Row(s) {shown}{' …' if len(orphans) > 20 else ''}: the column record must say "
            "unit, person or measure."
        )
    filled = {name: sheet for name, sheet in sheets.items() if sheet.rows}
    for position, sheet in enumerate(filled.values()):
        sheet.first = position == 0
    return filled


def _trimmed(cells: Sequence) -> list:
    cells = list(cells)
    while cells and not _filled(cells[-1]):
        cells.pop()
    return cells


def _filled(cell) -> bool:
    return cell is not None and str(cell).strip() != ""


def _text(cell) -> str:
    """A cell as the text the person typed: a whole number without ".0", a date as ISO."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()
    return spreadsheet_unescaped(str(cell).strip())


def _column(heading: str) -> str:
    name = re.sub(r"[\s_\-]+", " ", heading.strip().lower()).strip()
    return ALIASES.get(name, name)


def sheet_rows(sheet: Sheet, problems: list[Problem]) -> list[Row]:
    """The sheet's rows with their cells by column, each problem of its heading and of cells in
    columns the sheet does not use added to `problems`."""
    own = COLUMNS[sheet.name]
    every = list(dict.fromkeys(column for columns in COLUMNS.values() for column in columns))
    # One CSV file's heading is every sheet's: its problems are named once, with the first sheet.
    heading_problems = problems if not sheet.shared or sheet.first else []
    columns: list[str | None] = []
    seen: set[str] = set()
    for heading in sheet.header:
        column = _column(heading)
        known = every if sheet.shared else own
        if not column:
            columns.append(None)
        elif column not in known:
            heading_problems.append(
                Problem(
                    sheet.name, 1, heading, f"unknown column; the columns are {', '.join(known)}"
                )
            )
            columns.append(None)
        elif column in seen:
            heading_problems.append(Problem(sheet.name, 1, heading, "the column is named twice"))
            columns.append(None)
        else:
            seen.add(column)
            columns.append(column)
    missing = [column for column in REQUIRED[sheet.name] if column not in seen]
    if missing:
        problems.append(
            Problem(sheet.name, 1, "", f"the column(s) {', '.join(missing)} are missing")
        )
        return []
    rows = []
    for number, raw in sheet.rows:
        cells: dict[str, str] = {}
        for position, cell in enumerate(raw):
            column = columns[position] if position < len(columns) else None
            value = _text(cell)
            if not value:
                continue
            if column is None:
                if position >= len(columns):
                    problems.append(
                        Problem(sheet.name, number, "", f"a value beyond the last column: {value}")
                    )
                continue
            if column not in own:
                problems.append(
                    Problem(sheet.name, number, column, f"not used on {sheet.name} rows")
                )
                continue
            cells[column] = value
        if cells:
            rows.append(Row(sheet.name, number, cells))
    return rows
