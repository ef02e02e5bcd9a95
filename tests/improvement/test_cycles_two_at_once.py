"""Two people planning a cycle of the same change idea at the same moment: both cycles are
planned, numbered 1 and 2. The race is forced: each, once it has worked out its number, waits
(a short while) for the other to have done so too. PostgreSQL only: SQLite takes its write lock
before anything is read, so the race cannot happen there."""

import contextlib
import threading

import pytest
from django.db import connection

from improvement.cycles_support import *  # noqa: F403
from improvement.cycles_support import plan
from qms.improvement import services
from qms.improvement.models import PdsaCycle
from qms.improvement.services import cycles as cycle_services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers from BEGIN IMMEDIATE: the race cannot happen there",
    ),
]


def test_two_cycles_planned_at_once_take_the_next_two_numbers(
    monkeypatch, change_idea, lead, coach
):
    barrier = threading.Barrier(2)
    record_by = cycle_services.record_by

    def record_then_wait(instance, by, reason=""):
        record_by(instance, by, reason)
        if isinstance(instance, PdsaCycle):
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=1)

    monkeypatch.setattr(cycle_services, "record_by", record_then_wait)
    results = [None, None]

    def run(index, by):
        try:
            results[index] = services.cycle_create(
                by=by, change_idea=change_idea, **plan(title=f"Test {index}")
            )
        except Exception as error:  # the test looks at what each racer got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, by)) for i, by in enumerate((lead, coach))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(result, PdsaCycle) for result in results), results
    cycles = list(PdsaCycle.objects.order_by("number"))
    assert [cycle.number for cycle in cycles] == [1, 2]
    assert cycles[1].previous == cycles[0]
