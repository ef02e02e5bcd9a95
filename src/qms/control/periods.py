"""Periods of measurement: parsing what people type and naming periods back to them."""

from __future__ import annotations

import datetime as dt
import re

from qms.control.models import Frequency

_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


# Earlier periods are almost always a typing slip (1925 for 2025), and charts that span
# decades are not what these measures are for.
EARLIEST_PERIOD = dt.date(1990, 1, 1)


class PeriodError(ValueError):
    pass


def current_period(frequency: str, today: dt.date | None = None) -> dt.date:
    """The period that contains today (the local date)."""
    from django.utils import timezone

    return period_start(today or timezone.localdate(), frequency)


def period_problem(period: dt.date, frequency: str, today: dt.date | None = None) -> str | None:
    """Why a period cannot hold a value, or None: it must have begun, and not before 1990."""
    if period < EARLIEST_PERIOD:
        return f"{period_label(period, frequency)} is before 1990; check the year"
    now = current_period(frequency, today)
    if period > now:
        return (
            f"{period_label(period, frequency)} has not begun yet: the current period is "
            f"{period_label(now, frequency)}"
        )
    return None


def period_start(day: dt.date, frequency: str) -> dt.date:
    """The first day of the period that contains `day` (weeks start on Monday, ISO 8601)."""
    if frequency == Frequency.DAY:
        return day
    if frequency == Frequency.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if frequency == Frequency.MONTH:
        return day.replace(day=1)
    if frequency == Frequency.QUARTER:
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise PeriodError(f"unknown frequency {frequency!r}")


def parse_period(text: str | dt.date, frequency: str) -> dt.date:
    """A period from an ISO date (any day in the period), or 2025-03, 2025-W10, 2025-Q1 for
    monthly, weekly and quarterly measures. Returns the period's first day; a period that has
    not begun, or before 1990, is refused."""
    if isinstance(text, dt.datetime):
        text = text.date()
    period = _parse(text, frequency)
    if problem := period_problem(period, frequency):
        raise PeriodError(problem)
    return period


def _parse(text: str | dt.date, frequency: str) -> dt.date:
    if isinstance(text, dt.date):
        return period_start(text, frequency)
    value = str(text).strip()
    try:
        if match := _QUARTER.match(value):
            if frequency != Frequency.QUARTER:
                raise PeriodError(f"{value!r} is a quarter; this measure is {frequency}ly")
            return dt.date(int(match[1]), 3 * (int(match[2]) - 1) + 1, 1)
        if match := _WEEK.match(value):
            if frequency != Frequency.WEEK:
                raise PeriodError(f"{value!r} is a week; this measure is not weekly")
            return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        if match := _MONTH.match(value):
            if frequency not in (Frequency.MONTH, Frequency.QUARTER):
                raise PeriodError(f"{value!r} is a month; give a date for this measure")
            return period_start(dt.date(int(match[1]), int(match[2]), 1), frequency)
        return period_start(dt.date.fromisoformat(value), frequency)
    except ValueError as error:
        if isinstance(error, PeriodError):
            raise
        raise PeriodError(
            f"{value!r} is not a period: use a date (2025-03-14), a month (2025-03), "
            "a week (2025-W11) or a quarter (2025-Q1)"
        ) from None


def period_label(day: dt.date, frequency: str) -> str:
    """How people name the period: 'Mar 2025', 'Q1 2025', 'w/c 10 Mar 2025', '14 Mar 2025'."""
    if frequency == Frequency.MONTH:
        return day.strftime("%b %Y")
    if frequency == Frequency.QUARTER:
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if frequency == Frequency.WEEK:
        return f"w/c {day.day} {day.strftime('%b %Y')}"
    return f"{day.day} {day.strftime('%b %Y')}"


def last_completed_period(frequency: str, today: dt.date) -> dt.date:
    """The first day of the latest period that has ended by `today`: yesterday for daily
    measures, last week, last month, last quarter. A value for it is due."""
    current = period_start(today, frequency)
    return period_start(current - dt.timedelta(days=1), frequency)
