"""Redaction of identifiers from imported feedback: NHS and CHI numbers, UK telephone numbers
and e-mail addresses become placeholders; dates, prices, counts and numbers failing the check
digit stay."""

import time

import pytest

from qms.text.identifiers import Redaction, redact


@pytest.mark.parametrize(
    ("text", "expected", "kinds"),
    [
        ("NHS no 943 476 5919 thanks", "NHS no [NHS number] thanks", ("nhs_number",)),
        ("9434765919", "[NHS number]", ("nhs_number",)),
        ("nhs: 943-476-5919.", "nhs: [NHS number].", ("nhs_number",)),
        ("CHI 1503701239 given", "CHI [CHI number] given", ("chi_number",)),
        ("0101011237", "[CHI number]", ("chi_number",)),
        ("call 020 7946 0958 today", "call [telephone number] today", ("telephone_number",)),
        ("(020) 7946 0958", "[telephone number]", ("telephone_number",)),
        ("(0113) 496 0000.", "[telephone number].", ("telephone_number",)),
        ("mobile 07700 900123", "mobile [telephone number]", ("telephone_number",)),
        ("07700-900-123", "[telephone number]", ("telephone_number",)),
        ("+44 7700 900123", "[telephone number]", ("telephone_number",)),
        ("+447700900123", "[telephone number]", ("telephone_number",)),
        ("+44 (0)20 7946 0958", "[telephone number]", ("telephone_number",)),
        ("0044 20 7946 0958", "[telephone number]", ("telephone_number",)),
        ("01632 960001", "[telephone number]", ("telephone_number",)),
        ("mail jo.bloggs+ward7@nhs.net", "mail [e-mail address]", ("email_address",)),
        ("J.SMITH@Example.CO.UK, ok", "[e-mail address], ok", ("email_address",)),
        (
            "Ring 0800 123 4567 or mail a@b.org about 943 476 5919",
            "Ring [telephone number] or mail [e-mail address] about [NHS number]",
            ("telephone_number", "email_address", "nhs_number"),
        ),
    ],
)
def test_it_replaces_identifiers_with_placeholders(text, expected, kinds):
    assert redact(text) == Redaction(expected, len(kinds), kinds)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Seen on 12/03/2024 at 14:30",
        "2024-03-12",
        "It cost £1,200.00, or 1200.50",
        "We had 1 200 visitors and 3 456 789 calls",
        "943 476 5918",  # ten digits failing the check digit
        "1234567890",
        "Ward 7, bed 12, 4 hours",
        "version 0.20.7946.0958",
        "reference 12345678901234",  # longer than any identifier
        "020/7946/0958",  # slashes: not a way to write a telephone number
        "an @ sign and user@localhost",
        "0 patients",
    ],
)
def test_it_leaves_near_misses_alone(text):
    assert redact(text) == Redaction(text, 0, ())


@pytest.mark.parametrize(
    "text",
    [
        "1 " * 50_000,
        "0" * 100_000,
        "a" * 100_000 + "@",
        "a@" * 50_000,
        "+44 " * 25_000,
        "(0" * 50_000,
        "07700 " * 20_000,
        "a." * 50_000 + "@b",
        "- " * 50_000,
    ],
)
def test_it_takes_linear_time_on_adversarial_text(text):
    start = time.process_time()
    redact(text)
    assert time.process_time() - start < 2.0


def test_it_counts_every_identifier_of_a_long_text():
    text = "Call 07700 900123. " * 1_000
    result = redact(text)
    assert result.count == 1_000
    assert "0" not in result.text
