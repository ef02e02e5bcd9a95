"""Two analysts saving the same group's value of a measure at the same moment: one row, the
second replacing the first. The race is forced: each, about to insert, waits (a short while)
for the other; the lock on the measure makes the second wait for the first and then find its
row. PostgreSQL only: SQLite serialises writers, so the race cannot happen there."""

import contextlib
import datetime as dt
import threading

import pytest
from django.db import connection
from helpers import make_measure, make_person

from qms.people.roles import Role
from qms.planning.models import GroupObservation
from qms.planning.services import needs as needs_services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers from BEGIN IMMEDIATE: the race cannot happen there",
    ),
]


def test_two_analysts_saving_a_group_value_at_once_make_one_row(monkeypatch, org):
    measure = make_measure(org["ward"], "falls")
    first = make_person("first", (Role.ANALYST, org["ward"]))
    second = make_person("second", (Role.ANALYST, org["ward"]))
    barrier = threading.Barrier(2)
    bulk_create = needs_services.bulk_create_with_history

    def wait_then_create(objs, *args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=1)
        return bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(needs_services, "bulk_create_with_history", wait_then_create)
    results = [None, None]

    def run(index, by, value):
        row = needs_services.GroupValue("Sex", "Women", dt.date(2025, 3, 1), value)
        try:
            results[index] = needs_services.group_values_save(by=by, measure=measure, rows=[row])
        except Exception as error:  # the test looks at what each racer got
            results[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, by, value))
        for i, (by, value) in enumerate(((first, 3), (second, 5)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [1, 1], results
    row = GroupObservation.objects.get(measure=measure)
    assert row.history.count() == 2  # the second replaced the first, both kept in history
