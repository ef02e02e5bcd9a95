"""Two aim setters each making the other's aim serve theirs at the same moment: one wins, the
other is told it would make a loop. The race is forced: each, once it has checked the cascade,
waits (a short while) for the other. PostgreSQL only: SQLite serialises writers from the start."""

import contextlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from planning.aims_support import DUE
from qms.planning import services
from qms.planning.models import Aim
from qms.planning.services import aims as aim_services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers from BEGIN IMMEDIATE: the race cannot happen there",
    ),
]


def _race(monkeypatch, calls):
    barrier = threading.Barrier(len(calls))
    record_by = aim_services.record_by

    def record_then_wait(instance, by, reason=""):
        record_by(instance, by, reason)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=1)

    monkeypatch.setattr(aim_services, "record_by", record_then_wait)
    results = [None] * len(calls)

    def run(index, call):
        try:
            results[index] = call()
        except Exception as error:  # the test looks at what each racer got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_aims_made_to_serve_each_other_at_once_make_no_loop(monkeypatch, org, lead):
    def aim(text):
        return services.aim_create(
            by=None, unit=org["ward"], statement=text, target="t", due_on=DUE
        )

    first, second = aim("First by 2027"), aim("Second by 2027")
    results = _race(
        monkeypatch,
        [
            lambda: services.aim_update(by=lead, aim=first, parent=second),
            lambda: services.aim_update(by=lead, aim=second, parent=first),
        ],
    )
    assert sorted(type(r).__name__ for r in results) == ["Aim", "ValidationError"], results
    assert isinstance(next(r for r in results if not isinstance(r, Aim)), ValidationError)
    parents = dict(Aim.objects.values_list("pk", "parent_id"))
    assert not (parents[first.pk] == second.pk and parents[second.pk] == first.pk)
