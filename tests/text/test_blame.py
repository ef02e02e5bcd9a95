"""The blame check: language that blames a person is found; an account of the system is not."""

import subprocess
import sys
import time

import pytest

from qms.text import find_blame


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("The nurse was careless with the dose", "person_failed", "The nurse was careless"),
        ("A careless mistake on the drug round", "judging_word", "careless"),
        ("Negligent practice on the night shift", "judging_word", "Negligent"),
        ("Staff failed to check the wristband", "person_failed", "Staff failed"),
        ("The wristband was not checked: failed to follow policy", "failure_phrase", "failed to"),
        ("The FY1 should have escalated sooner", "failure_phrase", "should have"),
        ("It was her fault", "fault", "her fault"),
        ("Nobody else was to blame", "fault", "to blame"),
        ("Put down to human error", "human_error", "human error"),
        ("Nurse X forgot the 2 am observations", "person_failed", "Nurse X forgot"),
        ("Dr Smith missed the result", "person_failed", "Dr Smith missed"),
        ("She didn't check the chart", "person_failed", "She didn't"),
        ("staff nurse Jones just forgot", "person_failed", "nurse Jones just forgot"),
        ("Sarah ignored the alarm", "person_failed", "Sarah ignored"),
        # A named person, however the account names them.
        ("Nurse Smith forgot the 2 am dose", "person_failed", "Nurse Smith forgot"),
        ("Dr Patel missed the potassium result", "person_failed", "Dr Patel missed"),
        ("John didn't check the wristband", "person_failed", "John didn't"),
        ("John Smith missed the result", "person_failed", "Smith missed"),
        ("It was Dr. Patel who missed it", "person_failed", "Dr. Patel who missed"),
        ("Nurse O'Brien forgot the dose", "person_failed", "Nurse O'Brien forgot"),
        ("Dr McDonald overlooked the allergy", "person_failed", "Dr McDonald overlooked"),
        ("Nurse Smith was supposed to check", "failure_phrase", "was supposed to"),
        ("A failure to check the chart", "failure_phrase", "failure to"),
    ],
)
def test_it_finds_language_that_blames_a_person(text, kind, found):
    findings = find_blame(text)
    assert [(f.kind, f.text) for f in findings][:1] == [(kind, found)]
    assert findings[0].description


@pytest.mark.parametrize(
    "text",
    [
        "The infusion pump failed to alarm when the line occluded",
        "The rota left one registered nurse for twelve beds on nights",
        "Two look-alike vials are stored side by side in the same drawer",
        "The handover sheet has no field for pending results",
        "The policy should have said who reviews overnight results",
        "Nobody's fault: the bleep system was down for an hour",
        "Monday missed its delivery of dressings",
        "Training on the new pumps was booked for after go-live",
        "The pump failed to alarm",
        "Our failure to rescue rate rose in the winter",
        "Failure to rescue is reported monthly",
        "The failure to thrive pathway was not on the ward",
        "The pump was supposed to alarm at 50 mmHg",
        "Pharmacy did not deliver the dressings until noon",
        "Theatres did not send the list",
        "Night staff liked it; agency staff did not know.",
        "Observations missed at night",
        "Copy failed.",
        "The nurse didn't have the key to the controlled drugs cupboard",
    ],
)
def test_it_finds_nothing_in_an_account_of_the_system(text):
    assert find_blame(text) == []


def test_it_reports_each_stretch_of_text_once_in_order():
    text = "Human error: nurse Jones failed to check, and it was careless"
    assert [f.kind for f in find_blame(text)] == ["human_error", "person_failed", "judging_word"]


@pytest.mark.parametrize(
    "text",
    [
        "Nurse " * 30_000,
        "failed to " * 20_000,
        "the  nurse   " * 20_000,
        ("x" * 29 + "'s ") * 5_000,
        "A" * 40 + " " * 100_000 + "forgot",
        "Aaaa " * 40_000,
        "failure to " * 20_000,
        "O'" * 50_000,
        "Mc" * 50_000,
        "Dr Who who " * 20_000,
        "was supposed " * 20_000,
        "staff did not " * 10_000,
    ],
)
def test_it_checks_long_hostile_text_in_linear_time(text):
    started = time.process_time()  # CPU time: other processes on the machine do not count
    find_blame(text)
    assert time.process_time() - started < 1.5


def test_it_imports_no_django():
    code = "import sys, qms.text.blame; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
