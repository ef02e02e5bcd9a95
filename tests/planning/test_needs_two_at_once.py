"""Two analysts saving the same group's value of a measure at the same moment: one row, the
second replacing the first. The race is forced: each, about to insert, waits (a short while)
for the other; the lock on the measure makes the second wait for the first and then find its
row. PostgreSQL only: SQLite serialises writers, so the race cannot happen there."""

import datetime as dt
import threading

from helpers import RACES, make_measure, make_person, race, wait_before

from qms.people.roles import Role
from qms.planning.models import GroupObservation
from qms.planning.services import needs as needs_services

pytestmark = RACES


def test_two_analysts_saving_a_group_value_at_once_make_one_row(monkeypatch, org):
    measure = make_measure(org["ward"], "falls")
    first = make_person("first", (Role.ANALYST, org["ward"]))
    second = make_person("second", (Role.ANALYST, org["ward"]))
    wait_before(monkeypatch, needs_services, "bulk_create_with_history", threading.Barrier(2))

    def save(by, value):
        row = needs_services.GroupValue("Sex", "Women", dt.date(2025, 3, 1), value)
        return lambda: needs_services.group_values_save(by=by, measure=measure, rows=[row])

    results = race([save(first, 3), save(second, 5)])
    assert results == [1, 1], results
    row = GroupObservation.objects.get(measure=measure)
    assert row.history.count() == 2  # the second replaced the first, both kept in history
