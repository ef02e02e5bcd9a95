"""`services.table_read`: any table from CSV or Excel, for other areas' uploads, bounded as
observation files are; and `selectors.period_containing`."""

import datetime as dt
import io

import openpyxl
import pytest

from qms.control import selectors, services


def _file(text: str | bytes) -> io.BytesIO:
    return io.BytesIO(text.encode() if isinstance(text, str) else text)


def test_it_reads_a_csv_table_with_row_numbers_leaving_out_blank_rows():
    header, rows = services.table_read(
        _file("case;1;2\nA;Y;N\n;;\nB;1;0\n"), "cases.csv", max_rows=10
    )
    assert header == ["case", "1", "2"]
    assert rows == [(2, ["A", "Y", "N"]), (4, ["B", "1", "0"])]


def test_it_reads_the_first_sheet_of_a_workbook():
    workbook = openpyxl.Workbook()
    for row in [("case", "1"), ("A", 1), (None, None), ("B", 0)]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    header, rows = services.table_read(buffer, "cases.xlsx", max_rows=10)
    assert header == ["case", "1"]
    assert rows == [(2, ["A", 1]), (4, ["B", 0])]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("", "a.csv", "empty"),
        ("a,b\n1,2\n3,4\n", "a.csv", "more than 1 rows"),
        (b"a,b\n\xff,1\n", "a.csv", "UTF-8"),
        ("a,b\n", "a.xls", "old Excel"),
        ("a,b\n", "a.pdf", "CSV file"),
        ("not a zip", "a.xlsx", "not an Excel workbook"),
        (",".join(["x"] * 60) + "\n", "a.csv", "more than 50 columns"),
    ],
)
def test_it_refuses_what_it_cannot_read_with_a_message(content, name, message):
    with pytest.raises(ValueError, match=message):
        services.table_read(_file(content), name, max_rows=1)


@pytest.mark.parametrize(
    ("day", "frequency", "period"),
    [
        (dt.date(2025, 3, 31), "month", dt.date(2025, 3, 1)),
        (dt.date(2025, 5, 20), "quarter", dt.date(2025, 4, 1)),
        (dt.date(2025, 3, 6), "week", dt.date(2025, 3, 3)),
        (dt.date(2025, 3, 6), "day", dt.date(2025, 3, 6)),
    ],
)
def test_it_names_the_period_that_holds_a_day(day, frequency, period):
    assert selectors.period_containing(day, frequency) == period
