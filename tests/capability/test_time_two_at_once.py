"""A person and their lead recording the same month (or the same skill) for the first time at
the same moment: one row, the later values, never a server error. The race is forced: each,
once it has looked for the row, waits (a short while) for the other. PostgreSQL only: SQLite
serialises writers from the start."""

import datetime as dt
import threading

from helpers import RACES, race, wait_after

from capability.support import framework
from qms.capability.models import Assessment, ProtectedTime
from qms.capability.services import records as record_services
from qms.capability.services import time as time_services

pytestmark = RACES


def _race(monkeypatch, calls):
    """Run `calls` at once, each waiting for the others once it has recorded who did it."""
    wait_after(monkeypatch, record_services, "record_by", threading.Barrier(len(calls)))
    return race(calls)


def test_two_recording_the_same_month_at_once_keep_one_row(monkeypatch, org, lead, member):
    month = dt.date(2026, 1, 1)
    results = _race(
        monkeypatch,
        [
            lambda: time_services.time_record(by=member, person=member, month=month, planned=8),
            lambda: time_services.time_record(by=lead, person=member, month=month, planned=6),
        ],
    )
    assert all(isinstance(result, ProtectedTime) for result in results), results
    assert ProtectedTime.objects.filter(person=member, month=month).count() == 1


def test_two_assessing_the_same_skill_at_once_keep_one_row(
    monkeypatch, org, lead, member, quality_lead
):
    levels, skills = framework(org)
    results = _race(
        monkeypatch,
        [
            lambda: record_services.assessment_record(
                by=lead, person=member, skill=skills["co-design"], level=levels["foundation"]
            ),
            lambda: record_services.assessment_record(
                by=quality_lead, person=member, skill=skills["co-design"], level=levels["expert"]
            ),
        ],
    )
    assert all(isinstance(result, Assessment) for result in results), results
    assert Assessment.objects.filter(person=member).count() == 1
