"""Fixtures of the funnel plot tests: library definitions of a rate and a proportion, and
measures of them in several units with a year of data ending last month."""

import datetime as dt

import pytest
from django.utils import timezone
from helpers import make_measure, record

from qms.control import services as control_services

RATE_FIELDS = {
    "name": "Falls per 1,000 bed days",
    "kind": "outcome",
    "domain": "safe",
    "operational_definition": "Inpatient falls per 1,000 occupied bed days.",
    "numerator_definition": "Inpatient falls, any harm.",
    "denominator_definition": "Occupied bed days.",
    "frequency": "month",
    "chart": "u",
    "direction": "decrease",
    "multiply": 1000.0,
    "unit_label": "per 1,000 bed days",
}
SHARE_FIELDS = {
    "name": "Hand hygiene compliance",
    "kind": "process",
    "domain": "safe",
    "operational_definition": "Observed opportunities where hand hygiene was done.",
    "numerator_definition": "Opportunities where hand hygiene was done.",
    "denominator_definition": "Opportunities observed.",
    "frequency": "month",
    "chart": "p",
    "direction": "increase",
    "multiply": 100.0,
    "unit_label": "%",
}


def year_start(today: dt.date | None = None) -> dt.date:
    """The first month of the default 12-month window (the 12 months before this one)."""
    today = today or timezone.localdate()
    return dt.date(today.year - 1, today.month, 1)


def measure_of(definition, unit, code, events_per_month, exposure=900.0, *, count=12):
    """A measure of `definition` in `unit` with `count` months of data ending last month."""
    fields = definition.measure_fields()
    measure = make_measure(unit, code, definition=definition, **fields)
    record(measure, [events_per_month] * count, start=year_start(), denominator=exposure)
    return measure


@pytest.fixture
def rate_definition(db):
    return control_services.measure_definition_create(by=None, code="falls-rate", **RATE_FIELDS)


@pytest.fixture
def share_definition(db):
    return control_services.measure_definition_create(by=None, code="hand-hygiene", **SHARE_FIELDS)


@pytest.fixture
def falls(org, rate_definition):
    """Falls in three units of the division and one elsewhere. Ward 7: 24 falls in 10,800 bed
    days; Ward 8: 108; Surgery: 60. Overall 192 / 32,400, so 64 expected each: Ward 7
    (O/E 0.375) is better and Ward 8 (1.69) worse than the 99.8% limits (0.63 to 1.43 at 64)."""
    return {
        "ward": measure_of(rate_definition, org["ward"], "w7-falls", 2),
        "other_ward": measure_of(rate_definition, org["other_ward"], "w8-falls", 9),
        "other_service": measure_of(rate_definition, org["other_service"], "surg-falls", 5),
        "elsewhere": measure_of(rate_definition, org["elsewhere"], "else-falls", 5),
    }
