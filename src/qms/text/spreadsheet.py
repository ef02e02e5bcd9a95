"""Text written into spreadsheets (CSV and Excel files people open in Excel or LibreOffice).

A cell that starts with "=", "+", "-" or "@" is run as a formula when the file is opened: a
measure named `=HYPERLINK("http://…","Click")` would become a live link (OWASP, "CSV
injection"). Such text gets a leading apostrophe, which spreadsheets read as "this is text".
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """`value` as it may be written to a spreadsheet cell: text that would start a formula gets
    a leading apostrophe; numbers, dates and other text stay as they are.

    >>> spreadsheet_safe('=HYPERLINK("http://example.org")')
    '\\'=HYPERLINK("http://example.org")'
    >>> spreadsheet_safe(-3.5)
    -3.5
    """
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return value


def spreadsheet_unescaped(text: str) -> str:
    """Text read back from a cell that `spreadsheet_safe` escaped, without its apostrophe.

    >>> spreadsheet_unescaped("'-ward-7")
    '-ward-7'
    >>> spreadsheet_unescaped("'quoted'")
    "'quoted'"
    """
    if text[:1] == "'" and text[1:2] in FORMULA_START and text[1:2]:
        return text[1:]
    return text
