"""Attacks by two people at the same moment on one priority, on PostgreSQL: two leads
recording different decisions (applied one after the other, both in the history), and two leads
turning the approved priority into a project (exactly one project). The race is forced: each
waits (a short while) for the other once it has read the priority."""

import threading

import pytest
from django.core.exceptions import ValidationError
from helpers import RACES, make_person, race, wait_after

from planning.priorities_support import *  # noqa: F403
from qms.improvement.models import Project
from qms.people.roles import Role
from qms.planning import services
from qms.planning.models import Priority, PriorityStatus
from qms.planning.services import priorities as priority_services

pytestmark = RACES


def _race(monkeypatch, calls):
    """Run `calls` at once, each waiting for the others once it has read the priority."""
    barrier = threading.Barrier(len(calls))
    wait_after(monkeypatch, priority_services, "_authorise_decider", barrier)
    return race(calls)


@pytest.fixture
def second_lead(org):
    return make_person("lead2", (Role.TEAM_LEAD, org["ward"]))


def test_it_records_one_of_two_approvals_made_at_once(monkeypatch, priority, lead, second_lead):
    """Both leads approve at once: one approval is recorded (one history entry, one message to
    the proposer), the other is told it is already approved."""

    def approve(by):
        return lambda: services.priority_decide(
            by=by, priority=priority, status=PriorityStatus.APPROVED, reason=f"{by.username}."
        )

    results = _race(monkeypatch, [approve(lead), approve(second_lead)])
    errors = [result for result in results if isinstance(result, ValidationError)]
    assert len(errors) == 1, results
    assert "already approved" in str(errors[0])
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.APPROVED
    approvals = [h for h in priority.history.all() if h.status == PriorityStatus.APPROVED]
    assert len(approvals) == 1


def test_it_makes_exactly_one_project_when_two_leads_convert_a_priority_at_once(
    monkeypatch, priority, lead, second_lead
):
    services.priority_decide(
        by=lead, priority=priority, status=PriorityStatus.APPROVED, reason="Falls harm."
    )
    priority.refresh_from_db()

    def convert(by):
        return lambda: services.priority_to_project(
            by=by, priority=priority, aim="Reduce falls with harm by 30% by 31 March 2027."
        )

    results = _race(monkeypatch, [convert(lead), convert(second_lead)])
    assert Project.objects.count() == 1, results
    assert sum(isinstance(result, Project) for result in results) == 1, results
    assert Priority.objects.get(pk=priority.pk).project == Project.objects.get()
