"""Two aim setters each making the other's aim serve theirs at the same moment: one wins, the
other is told it would make a loop. The race is forced: each, once it has checked the cascade,
waits (a short while) for the other. PostgreSQL only: SQLite serialises writers from the start."""

import threading

from django.core.exceptions import ValidationError
from helpers import RACES, race, wait_after

from planning.aims_support import DUE
from qms.planning import services
from qms.planning.models import Aim
from qms.planning.services import aims as aim_services

pytestmark = RACES


def _race(monkeypatch, calls):
    """Run `calls` at once, each waiting for the others once it has recorded who did it."""
    wait_after(monkeypatch, aim_services, "record_by", threading.Barrier(len(calls)))
    return race(calls)


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
