import datetime as dt

import pytest

from qms.control import services as control_services
from qms.control.models import Signal
from qms.issues import services


@pytest.fixture
def issue(org, lead):
    return services.issue_raise(
        by=lead,
        unit=org["ward"],
        title="Falls at night",
        source="incident",
        description="Three falls between 2 and 4 am this month.",
    )


@pytest.fixture
def due():
    """A due date a week from now."""
    return dt.date.today() + dt.timedelta(days=7)


@pytest.fixture
def signal(org, lead):
    measure = control_services.measure_create(
        by=None,
        unit=org["ward"],
        name="Falls per 1,000 bed days",
        code="ward-7-falls",
        kind="outcome",
        domain="safe",
        operational_definition="Inpatient falls, any harm, per 1,000 occupied bed days.",
        frequency="month",
        chart="u",
        multiply=1000,
        direction="decrease",
        owner=lead,
    )
    return Signal.objects.create(
        measure=measure,
        kind="special_cause_concern",
        first_period=dt.date(2025, 9, 1),
        last_period=dt.date(2025, 9, 1),
        explanation="A point above the upper limit.",
    )
