"""Two people planning a cycle of the same change idea at the same moment: both cycles are
planned, numbered 1 and 2. The race is forced: each, once it has worked out its number, waits
(a short while) for the other to have done so too. PostgreSQL only: SQLite takes its write lock
before anything is read, so the race cannot happen there."""

import threading

from helpers import RACES, race, wait_after

from improvement.cycles_support import *  # noqa: F403
from improvement.cycles_support import plan
from qms.improvement import services
from qms.improvement.models import PdsaCycle
from qms.improvement.services import cycles as cycle_services

pytestmark = RACES


def test_two_cycles_planned_at_once_take_the_next_two_numbers(
    monkeypatch, change_idea, lead, coach
):
    wait_after(
        monkeypatch,
        cycle_services,
        "record_by",
        threading.Barrier(2),
        when=lambda instance, *_, **__: isinstance(instance, PdsaCycle),
    )

    def plan_cycle(index, by):
        return lambda: services.cycle_create(
            by=by, change_idea=change_idea, **plan(title=f"Test {index}")
        )

    results = race([plan_cycle(i, by) for i, by in enumerate((lead, coach))])
    assert all(isinstance(result, PdsaCycle) for result in results), results
    cycles = list(PdsaCycle.objects.order_by("number"))
    assert [cycle.number for cycle in cycles] == [1, 2]
    assert cycles[1].previous == cycles[0]
