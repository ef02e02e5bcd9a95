"""Two leads escalating the same record at the same moment: it goes up once. The race is
forced: each escalation, once it has read where the record sits, waits (a short while) for the
other to have read it too. PostgreSQL only: SQLite takes its write lock before anything is read,
so the race cannot happen there."""

import contextlib
import dataclasses
import threading

import pytest
from django.db import connection
from helpers import make_person

from qms.escalation import registry, services
from qms.escalation.models import Escalation
from qms.people.roles import Role

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers from BEGIN IMMEDIATE: the race cannot happen there",
    ),
]


def _both_read_first(monkeypatch, model):
    """Make the registered check (run once the record's place has been read) wait for the
    other racer; with a lock, the other never arrives and the wait ends after a second."""
    barrier = threading.Barrier(2)
    kind = registry.registered(model)
    check = kind.check

    def check_then_wait(subject):
        check(subject)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=1)

    monkeypatch.setitem(
        registry._REGISTERED, model, dataclasses.replace(kind, check=check_then_wait)
    )


def test_two_leads_escalating_the_same_record_escalate_it_once(org, lead, blocker, monkeypatch):
    other_lead = make_person("lead2", (Role.TEAM_LEAD, org["ward"]))
    _both_read_first(monkeypatch, type(blocker))
    results = [None, None]

    def run(index, by):
        try:
            results[index] = services.escalate(
                by=by, subject=type(blocker).objects.get(pk=blocker.pk), reason="No budget"
            )
        except Exception as error:  # the test looks at what each racer got
            results[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, by)) for i, by in enumerate((lead, other_lead))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Escalation.objects.count() == 1
    assert sum(isinstance(result, Escalation) for result in results) == 1


def test_two_people_answering_the_same_escalation_answer_it_once(org, lead, blocker):
    escalation = services.escalate(by=lead, subject=blocker, reason="No budget")
    answerers = [
        make_person("servicelead", (Role.TEAM_LEAD, org["service"])),
        make_person("quality2", (Role.QUALITY_LEAD, org["service"])),
    ]
    barrier = threading.Barrier(2)
    results = [None, None]

    def answer(index, by):
        try:
            read = Escalation.objects.get(pk=escalation.pk)
            read.subject  # noqa: B018  (the page reads the record before the answer is sent)
            barrier.wait(timeout=10)
            results[index] = services.escalation_respond(
                by=by, escalation=read, decision=("resolve", "return")[index], response="Done"
            )
        except Exception as error:  # the test looks at what each racer got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(i, by)) for i, by in enumerate(answerers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    kinds = sorted(type(result).__name__ for result in results)
    assert kinds == ["Escalation", "ValidationError"], results
    assert Escalation.objects.get(pk=escalation.pk).history.count() == 2  # made, answered once
