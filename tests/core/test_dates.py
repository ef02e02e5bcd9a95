"""Dates within reach: the one check every area uses for dates typed by people."""

import datetime as dt

import pytest
from django.utils import timezone

from qms.core.dates import out_of_reach


@pytest.mark.parametrize(
    "day",
    [dt.date(1990, 1, 1), dt.date(2026, 12, 1), dt.date(timezone.localdate().year + 20, 12, 31)],
)
def test_it_accepts_a_date_within_reach(day):
    assert out_of_reach(day, "Due on") is None


@pytest.mark.parametrize(
    "day",
    [dt.date(1, 1, 1), dt.date(1989, 12, 31), dt.date(timezone.localdate().year + 21, 1, 1)],
)
def test_it_names_the_field_and_the_range_for_a_slip(day):
    message = out_of_reach(day, "Due on")
    latest = timezone.localdate().year + 20
    assert message == f"Due on: give a date between 1990 and {latest} (not {day:%Y-%m-%d})."


def test_it_takes_a_shorter_reach_for_short_records():
    ahead = dt.date(timezone.localdate().year + 11, 1, 1)
    assert out_of_reach(ahead, "Start date", years_ahead=10) is not None
    assert out_of_reach(ahead, "Start date") is None
