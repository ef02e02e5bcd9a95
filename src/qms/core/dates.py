"""Dates within reach. A date typed in a form, a file or the API as 0001-01-01 or 9999-12-31
is a slip, not a plan: every area refuses dates before 1990 or more than some years ahead with
the same message."""

import datetime as dt

from django.utils import timezone

# Nothing in a quality record of today's organisations starts before 1990 (as control's
# EARLIEST_PERIOD for measure data).
EARLIEST_DATE = dt.date(1990, 1, 1)


def out_of_reach(value: dt.date, label: str, *, years_ahead: int = 20) -> str | None:
    """The message for a date outside 1990 to the end of the year `years_ahead` from now,
    naming the field by `label` ("Ends on"); None for a date within reach.

    For example `out_of_reach(date(1, 1, 1), "Due on")` gives "Due on: give a date between
    1990 and 2046 (not 0001-01-01)." in 2026.
    """
    latest = dt.date(timezone.localdate().year + years_ahead, 12, 31)
    if EARLIEST_DATE <= value <= latest:
        return None
    return (
        f"{label}: give a date between {EARLIEST_DATE:%Y} and {latest:%Y} (not {value:%Y-%m-%d})."
    )
