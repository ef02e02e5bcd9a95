"""qms.text: patient identifiers and control characters in free text, without Django."""

import datetime as dt
import random
import subprocess
import sys
import time

import pytest

from qms.text import (
    Action,
    find_control_characters,
    find_format_characters,
    find_identifiers,
    nhs_check_digit,
)
from qms.text.spreadsheet import spreadsheet_safe, spreadsheet_unescaped

PUBLISHED_NHS_NUMBER = "943 476 5919"  # the NHS's own example of a valid number


def with_check_digit(first_nine: str) -> str:
    """A valid ten-digit number, by the modulus 11 algorithm written out here: weights 10 to 2,
    check digit 11 minus the remainder (11 reads as 0, 10 has no valid number)."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    assert check != 10, "no valid number starts with these digits"
    return first_nine + str(check)


def with_wrong_check_digit(first_nine: str) -> str:
    valid = with_check_digit(first_nine)
    return first_nine + str((int(valid[-1]) + 1) % 10)


def valid_numbers(count, seed, *, chi=False):
    """Valid NHS numbers (or CHI numbers, which start with a ddmmyy date), made at random."""
    rng = random.Random(seed)
    numbers = []
    while len(numbers) < count:
        if chi:
            born = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(30000))
            first_nine = born.strftime("%d%m%y") + f"{rng.randrange(1000):03d}"
        else:
            first_nine = f"{rng.randrange(400_000_000, 800_000_000):09d}"
        try:
            numbers.append(with_check_digit(first_nine))
        except AssertionError:
            continue
    return numbers


def kinds(text):
    return [finding.kind for finding in find_identifiers(text)]


# NHS and CHI numbers ---------------------------------------------------------------------------


def test_it_finds_the_published_example_nhs_number_written_every_way():
    for written in ("943 476 5919", "9434765919", "943-476-5919", "NHS no. 943 476 5919."):
        (finding,) = find_identifiers(written)
        assert finding.kind == "nhs_number"
        assert finding.action is Action.REFUSE
        assert finding.text.replace(" ", "").replace("-", "") == "9434765919"


def test_its_check_digit_agrees_with_the_algorithm_written_in_the_test():
    for number in valid_numbers(200, seed=7):
        assert nhs_check_digit(number[:9]) == int(number[9])


@pytest.mark.parametrize("number", valid_numbers(25, seed=1))
def test_it_refuses_valid_nhs_numbers(number):
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    for text in (number, spaced, f"Patient {spaced} fell twice"):
        assert [f.action for f in find_identifiers(text)] == [Action.REFUSE]


@pytest.mark.parametrize("number", valid_numbers(25, seed=2))
def test_it_lets_ten_digits_with_a_wrong_check_digit_through(number):
    wrong = with_wrong_check_digit(number[:9])
    assert find_identifiers(wrong) == []
    assert find_identifiers(f"{wrong[:3]} {wrong[3:6]} {wrong[6:]}") == []


def test_it_lets_numbers_through_that_have_no_valid_check_digit():
    # Nine digits whose remainder gives 10: no NHS number starts with them, whatever follows.
    first_nine = next(
        f"{n:09d}" for n in range(400_000_000, 400_001_000) if nhs_check_digit(f"{n:09d}") is None
    )
    assert all(find_identifiers(first_nine + str(d)) == [] for d in range(10))


@pytest.mark.parametrize("number", valid_numbers(25, seed=3, chi=True))
def test_it_refuses_chi_numbers_and_names_them(number):
    (finding,) = find_identifiers(f"CHI {number}")
    assert finding.kind == "chi_number"
    assert finding.action is Action.REFUSE


def test_it_does_not_read_a_valid_number_inside_a_longer_one_or_a_decimal():
    number = with_check_digit("943476591")
    assert find_identifiers("1" + number) == []
    assert find_identifiers(number + "3") == []
    assert find_identifiers(number + ".5") == []
    assert find_identifiers("0." + number) == []
    assert find_identifiers("3,943 476 5919") == []  # 3,943 and 476 5919: seven digits


@pytest.mark.parametrize(
    "written",
    [
        "943  476  5919",  # two spaces
        "943 4765919",
        "9434 765 919",
        "943 476-5919",  # mixed separators
        "943 - 476 - 5919",
        "943\u2009476\u20095919",  # thin spaces
        "9 4 3 4 7 6 5 9 1 9",
        "94-34-76-59-19",
        "Bed 7 943 476 5919",  # a number before it, written as a separate group
        "943 476 5919 12",
    ],
)
def test_it_finds_the_nhs_number_however_its_digits_are_spaced(written):
    (finding,) = find_identifiers(f"Patient {written} fell")
    assert finding.kind == "nhs_number"
    assert "".join(filter(str.isdigit, finding.text)) == "9434765919"


@pytest.mark.parametrize(
    "text",
    [
        "943   476 5919",  # three spaces: not one number
        "943 476 59190",  # eleven digits: the last group is longer
        "1943 476 5919",
        "943 476 5919.5",
        "0123 456 7890",
        "020 7946 0958",
    ],
)
def test_it_does_not_take_ten_digits_out_of_a_longer_or_broken_run(text):
    assert find_identifiers(text) == []


def test_it_lets_ordinary_numbers_in_notes_through():
    for text in (
        "812 bed days, 3 falls",
        "Audit of 1,000 records on 12/03/2025",
        "Ext 4567, bleep 1234",
        "Rate 3.4 per 1,000",
        "01234 567890",  # a phone number: eleven digits
    ):
        assert find_identifiers(text) == [], text


# Dates of birth and names: prompts ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "DOB 12/03/1954",
        "dob: 12.3.54",
        "D.O.B. 1954-03-12",
        "born 12 March 1954",
        "Born on 12th Mar 1954",
        "date of birth: 12/03/1954",
        "Date of birth March 12, 1954",
    ],
)
def test_it_prompts_for_a_date_of_birth(text):
    (finding,) = find_identifiers(text)
    assert finding.kind == "date_of_birth"
    assert finding.action is Action.PROMPT


@pytest.mark.parametrize(
    "text",
    [
        "Mr Smith",
        "Mrs Patel",
        "Ms O'Neill",
        "Miss Jones",
        "Dr. Okafor",
        "MR SMITH",
        "Mr. smith",
        "MRS patel",
        "mrs smith",
        "Dr.Okafor",
        "Mr McDonald-Smith",
        "Mrs Müller",
    ],
)
def test_it_prompts_for_a_title_and_a_surname(text):
    assert kinds(f"Seen by {text} on the ward") == ["title_and_name"]
    assert find_identifiers(text)[0].action is Action.PROMPT


@pytest.mark.parametrize(
    "text",
    [
        "Falls per 1,000 bed days",
        "Dates of birth recorded on the wristband",  # about the process, no date
        "New audit from 12/03/2025",  # a date, but not of birth
        "mr",
        "ask the dr on call",
        "we miss Fridays' data",
        "Miss the 9am huddle and you miss the data",
        "Dr on call reviewed",
        "the dr reviewed it",
        "MS Teams meeting",
        "Data from MS Excel",
        "MR scanner down",
        "response in 500 ms today",
        "Mrs",
    ],
)
def test_it_lets_text_about_the_process_through(text):
    assert find_identifiers(text) == []


def test_it_finds_everything_in_one_text_in_order():
    text = f"Mrs Patel (DOB 12/03/1954), NHS {PUBLISHED_NHS_NUMBER}"
    assert kinds(text) == ["title_and_name", "date_of_birth", "nhs_number"]
    assert [text[f.start : f.end] for f in find_identifiers(text)] == [
        f.text for f in find_identifiers(text)
    ]


def test_it_finds_nothing_in_empty_text():
    assert find_identifiers("") == []


# Control characters ------------------------------------------------------------------------------


def test_it_names_control_characters_once_each():
    assert find_control_characters("a\x00b\x00c\x1b") == ["NUL", "escape"]
    assert find_control_characters("bell\x07 and DEL\x7f and C1\x85") == [
        "U+0007",
        "U+007F",
        "U+0085",
    ]


def test_it_allows_line_breaks_and_tabs_only_in_multi_line_text():
    text = "one\ttwo\r\nthree"
    assert find_control_characters(text) == []
    assert find_control_characters(text, multiline=False) == [
        "tab",
        "carriage return",
        "line break",
    ]


def test_it_finds_no_control_characters_in_ordinary_text():
    assert find_control_characters("Ward 7 – falls “per 1,000” bed days, £5 café") == []


def test_it_names_invisible_format_characters_once_each():
    text = "NHS 943\u200b476\u200b5919 \u202eevil\u202c \ufeff"
    assert find_format_characters(text) == [
        "U+200B zero width space",
        "U+202E right-to-left override",
        "U+202C pop directional formatting",
        "U+FEFF zero width no-break space",
    ]
    assert find_format_characters("Ward 7 – falls “per 1,000” bed days, £5 café") == []
    assert find_format_characters("plain ASCII\x00") == []  # controls are found separately


# Spreadsheets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1", "-ward", "@SUM(A1)", "\tx"])
def test_it_escapes_text_a_spreadsheet_would_run_and_reads_it_back(text):
    escaped = spreadsheet_safe(text)
    assert escaped == "'" + text
    assert spreadsheet_unescaped(escaped) == text


def test_it_leaves_numbers_and_plain_text_alone():
    assert spreadsheet_safe(-1.5) == -1.5
    assert spreadsheet_safe("Falls") == "Falls"
    assert spreadsheet_unescaped("'quoted'") == "'quoted'"


# Purity ---------------------------------------------------------------------------------------


def test_it_imports_without_django(tmp_path):
    script = (
        "import sys; import qms.text, qms.text.spreadsheet; "
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]; "
        "assert not loaded, loaded"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr


# Time: every pattern is linear in the text's length ---------------------------------------------

ADVERSARIAL = [
    "DOB" + " " * 100_000 + "x",  # took 12 s at 8,000 spaces: quadratic backtracking
    "born" + " " * 100_000 + "x",
    "date of birth" + " " * 100_000 + ":",
    "born on" + "\t" * 100_000 + "12",
    "DOB: 12 " + " " * 100_000 + "March",
    "Mr" + " " * 100_000 + "x",
    "Mrs " + "a" * 100_000 + "1",
    "MR " * 33_000,
    "DOB " * 25_000,
    "1 " * 50_000,
    "9" * 100_000,
    "943 " * 25_000,
    "1-" * 50_000,
    "12/03/" * 16_000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda text: repr(text[:12]))
def test_it_screens_100_kb_of_adversarial_text_in_linear_time(text):
    started = time.process_time()
    find_identifiers(text)
    # Linear patterns take a few milliseconds here; the bound is generous, far below the seconds
    # that backtracking took, and counts this process's CPU time, so a busy machine (other
    # processes on the same cores) cannot make it flaky.
    assert time.process_time() - started < 1
