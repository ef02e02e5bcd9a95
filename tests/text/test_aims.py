"""The aim check: a measurable target and a date, each missing one named."""

import subprocess
import sys
import time

import pytest

from qms.text.aims import EMPTY, NO_DATE, NO_TARGET, aim_problems, has_date, has_target


@pytest.mark.parametrize(
    "aim",
    [
        "Reduce falls with harm on Ward 3 by 30% by 31 March 2027",
        "Reduce falls from 12 to 6 a month by the end of 2027",
        "Zero never events by 31/03/2027",
        "Halve pressure ulcers within 6 months",
        "Increase hand hygiene compliance to 95 per cent by Q2 2027",
        "Reduce waits over 4 hours to fewer than 10 a week by March 2027",
        "Double the patients discharged before noon within twelve months",
        "Eliminate catheter infections by 2027-03-31",
        "Reach 90% of patients screened in the next 6 months",
        "Reduce delayed discharges by a third by the end of the financial year",
    ],
)
def test_it_passes_an_aim_with_a_target_and_a_date(aim):
    assert aim_problems(aim) == []


@pytest.mark.parametrize(
    ("aim", "problems"),
    [
        ("Improve hand hygiene", [NO_TARGET, NO_DATE]),
        ("Reduce falls by March 2027", [NO_TARGET]),
        ("Reduce falls in 2027", [NO_TARGET]),
        ("Reduce falls on Ward 3 within a year", [NO_TARGET]),
        ("Improve flow by the end of 2027", [NO_TARGET]),
        ("Reduce waiting times to 4 hours", [NO_DATE]),
        ("Increase compliance to 95%", [NO_DATE]),
        ("Halve pressure ulcers", [NO_DATE]),
        ("Reduce falls to zero", [NO_DATE]),
        ("Better care on Ward 3", [NO_TARGET, NO_DATE]),
    ],
)
def test_it_names_what_an_aim_lacks(aim, problems):
    assert aim_problems(aim) == problems


@pytest.mark.parametrize("aim", ["", "   ", None])
def test_it_says_an_empty_aim_is_empty(aim):
    assert aim_problems(aim) == [EMPTY]


def test_it_does_not_read_a_year_as_a_target():
    assert has_date("by 2027") and not has_target("Reduce falls by 2027")
    assert has_target("Reduce falls by 20 by 2027")


@pytest.mark.parametrize(
    "date",
    ["by 31 March 2027", "by 31/03/2027", "within 6 months", "by the end of 2027", "by Q3 2027"],
)
def test_it_finds_the_dates_the_brief_names(date):
    assert has_date(f"Reduce falls by 30% {date}")


def test_it_checks_long_hostile_text_in_linear_time():
    text = ("by the end of the " * 3000) + ("1 " * 20000) + ("from 1 to " * 5000)
    started = time.process_time()  # CPU time: other processes on the machine do not count
    aim_problems(text)
    assert time.process_time() - started < 1.0


def test_it_imports_no_django():
    code = "import sys, qms.text.aims; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
