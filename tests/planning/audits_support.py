"""Fixtures shared by the tests of clinical audits: a standard, a monthly p-chart measure of the
ward that the audit feeds, an analyst and a coach of the ward, and audits with criteria."""

import datetime as dt

import pytest
from helpers import make_measure, make_person

from qms.control import services as control_services
from qms.people.roles import Role
from qms.planning import services

PERIOD = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))


@pytest.fixture
def analyst(org):
    return make_person("analyst", (Role.ANALYST, org["ward"]))


@pytest.fixture
def coach(org):
    return make_person("coach", (Role.IMPROVEMENT_COACH, org["ward"]))


@pytest.fixture
def standard(org):
    return control_services.standard_create(
        by=None,
        unit=org["division"],
        code="vte-assessment",
        title="VTE risk assessment on admission",
        statement="Every adult admitted has a VTE risk assessment within 14 hours.",
        source="Acute Division",
    )


@pytest.fixture
def audit_measure(org):
    return make_measure(
        org["ward"],
        "vte",
        name="VTE risk assessed",
        chart="p",
        direction="increase",
        multiply=100,
        unit_label="%",
        numerator_definition="Patients assessed within 14 hours.",
        denominator_definition="Adults admitted.",
    )


def make_audit(unit, *, by=None, criteria=((("Risk assessed within 14 hours"), 95),), **fields):
    values = {
        "title": "VTE assessment audit",
        "sample": "The first 40 adult admissions of the month.",
        "sample_size": 40,
        "period_start": PERIOD[0],
        "period_end": PERIOD[1],
        **fields,
    }
    audit = services.audit_create(by=by, unit=unit, **values)
    for text, expected in criteria:
        services.criterion_add(by=by, audit=audit, text=text, expected=expected)
    return audit


@pytest.fixture
def audit(org, lead, standard, audit_measure):
    return make_audit(
        org["ward"],
        by=lead,
        standard=standard,
        measure=audit_measure,
        criteria=(("Risk assessed within 14 hours", 95), ("Prophylaxis prescribed if at risk", 90)),
    )


def add_cases(audit, answers_list, *, by=None, start=1):
    """Record cases "Case N" with answers given as tuples in criteria order."""
    criteria = list(audit.criteria.all())
    for number, answers in enumerate(answers_list, start=start):
        services.case_record(
            by=by,
            audit=audit,
            reference=f"Case {number}",
            answers=dict(zip(criteria, answers, strict=True)),
        )
