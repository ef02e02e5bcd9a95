"""Two at once: two handlers sending a closed issue's feedback at the same moment leave one
record of it and no error; two daily rounds at once tell the handlers of an anonymous concern
once. The race is forced: each racer, once it has read, waits (a short while) for the other.
PostgreSQL only: SQLite serialises writers from the start."""

import threading

from helpers import RACES, make_person, race, wait_after

from culture.concerns_support import raise_concern
from qms.culture.models import ClosingFeedback
from qms.culture.services import concerns as services
from qms.issues import services as issue_services
from qms.notifications.models import Notification
from qms.people.roles import Role

pytestmark = RACES


def _race(monkeypatch, name, calls):
    """Run `calls` in threads; each waits for the others after its first call of `name` (a
    function of the concerns' services module)."""
    wait_after(monkeypatch, services, name, threading.Barrier(len(calls)))
    return race(calls)


def test_two_handlers_sending_feedback_at_once_leave_one_record(monkeypatch, org, member):
    first = make_person("lead1", (Role.TEAM_LEAD, org["ward"]))
    second = make_person("lead2", (Role.QUALITY_LEAD, org["division"]))
    issue = issue_services.issue_raise(
        by=member, unit=org["ward"], title="Hoist", source="other", owner=first
    )
    issue_services.issue_close(by=first, issue=issue, note="Replaced.")
    results = _race(
        monkeypatch,
        "_authorise_handler",
        [
            lambda: services.closing_feedback_give(by=first, issue=issue, text="From one"),
            lambda: services.closing_feedback_give(by=second, issue=issue, text="From two"),
        ],
    )
    assert all(isinstance(r, ClosingFeedback) for r in results), results
    assert ClosingFeedback.objects.filter(issue=issue).count() == 1


def test_two_rounds_at_once_tell_the_handlers_once(monkeypatch, org, member, lead):
    raise_concern(member, org["ward"], anonymous=True)
    results = _race(
        monkeypatch, "nearest_handlers", [services.concerns_announce, services.concerns_announce]
    )
    assert sorted(results) == [0, 1], results
    assert Notification.objects.filter(person=lead).count() == 1
