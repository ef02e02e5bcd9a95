"""Two leads escalating the same record at the same moment: it goes up once. The race is
forced: each escalation, once it has read where the record sits, waits (a short while) for the
other to have read it too. PostgreSQL only: SQLite takes its write lock before anything is read,
so the race cannot happen there."""

import dataclasses
import threading

from helpers import RACES, make_person, race, wait_for_the_others

from qms.escalation import registry, services
from qms.escalation.models import Escalation
from qms.people.roles import Role

pytestmark = RACES


def _both_read_first(monkeypatch, model):
    """Make the registered check (run once the record's place has been read) wait for the
    other racer; with a lock, the other never arrives and the wait ends after a second."""
    barrier = threading.Barrier(2)
    kind = registry.registered(model)
    check = kind.check

    def check_then_wait(subject):
        check(subject)
        wait_for_the_others(barrier)

    monkeypatch.setitem(
        registry._REGISTERED, model, dataclasses.replace(kind, check=check_then_wait)
    )


def test_two_leads_escalating_the_same_record_escalate_it_once(org, lead, blocker, monkeypatch):
    other_lead = make_person("lead2", (Role.TEAM_LEAD, org["ward"]))
    _both_read_first(monkeypatch, type(blocker))

    def escalate(by):
        return lambda: services.escalate(
            by=by, subject=type(blocker).objects.get(pk=blocker.pk), reason="No budget"
        )

    results = race([escalate(lead), escalate(other_lead)])
    assert Escalation.objects.count() == 1
    assert sum(isinstance(result, Escalation) for result in results) == 1


def test_two_people_answering_the_same_escalation_answer_it_once(org, lead, blocker):
    escalation = services.escalate(by=lead, subject=blocker, reason="No budget")
    answerers = [
        make_person("servicelead", (Role.TEAM_LEAD, org["service"])),
        make_person("quality2", (Role.QUALITY_LEAD, org["service"])),
    ]
    barrier = threading.Barrier(2)

    def answer(by, decision):
        def at_once():
            read = Escalation.objects.get(pk=escalation.pk)
            read.subject  # noqa: B018  (the page reads the record before the answer is sent)
            barrier.wait(timeout=10)
            return services.escalation_respond(
                by=by, escalation=read, decision=decision, response="Done"
            )

        return at_once

    results = race([answer(answerers[0], "resolve"), answer(answerers[1], "return")])
    kinds = sorted(type(result).__name__ for result in results)
    assert kinds == ["Escalation", "ValidationError"], results
    assert Escalation.objects.get(pk=escalation.pk).history.count() == 2  # made, answered once
