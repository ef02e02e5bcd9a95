import pytest
from helpers import make_measure

from qms.control.models import Measure
from qms.escalation import registry
from qms.people.roles import Role

DECIDED: list[tuple[int, str]] = []


@pytest.fixture
def blocker(org, monkeypatch):
    """A record that is not a signal, escalatable for the test only: a measure of the ward
    stands for a project's blocker (handled by leads, answered by leads and executives)."""
    DECIDED.clear()
    monkeypatch.setitem(
        registry._REGISTERED,
        Measure,
        registry.Escalatable(
            handlers=frozenset({Role.TEAM_LEAD, Role.QUALITY_LEAD}),
            responders=frozenset({Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.EXECUTIVE}),
            title=lambda measure: f"Blocker {measure.name}",
            on_decision=lambda subject, *, by, escalation, decision: DECIDED.append(
                (subject.pk, decision)
            ),
            resolve_label="Resolved: unblocked",
        ),
    )
    return make_measure(org["ward"], "blocker")
