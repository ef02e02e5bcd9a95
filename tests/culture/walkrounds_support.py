"""Shared set-up of the walkround tests: an executive of the board (a senior leader of every
unit below it) and a walkround of Ward 7 planned, done, and with items."""

import datetime as dt

import pytest
from helpers import make_person

from qms.culture.services import walkrounds as services
from qms.people.roles import Role

TODAY = dt.date(2026, 12, 2)


@pytest.fixture
def executive(org):
    return make_person("executive", (Role.EXECUTIVE, org["board"]), job_title="Chief nurse")


@pytest.fixture
def planned(org, executive, quality_lead):
    return services.walkround_plan(
        by=executive,
        unit=org["ward"],
        planned_on=TODAY + dt.timedelta(days=7),
        leaders=[executive, quality_lead],
        focus="Night-time medicines rounds",
        today=TODAY,
    )


def done(walkround, by, on=TODAY):
    return services.walkround_record(by=by, walkround=walkround, done_on=on, today=on)
