"""Two leads deciding on the same suggested new limits at the same moment: one decision is
taken, the other is told it has already been decided; never two phases, never a server error.
PostgreSQL only, like the other race tests (SQLite serialises writers)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from helpers import RACES, make_person, race

from qms.control import services
from qms.control.models import BaselineSuggestion, Phase, SuggestionStatus
from qms.people.roles import Role

pytestmark = RACES


@pytest.fixture
def suggestion(org, lead):
    from .test_baselines import HYGIENE, record_counts

    measure = services.measure_create(
        by=lead, unit=org["ward"], name="Hand hygiene", code="w7-hygiene", kind="process",
        domain="safe", operational_definition="Opportunities with hand hygiene done.",
        frequency="month", chart="p", multiply=100, unit_label="%", direction="increase",
    )  # fmt: skip
    record_counts(measure, HYGIENE[:20] + [90, 91, 89, 92, 90, 88, 91, 90, 92, 89] * 2)
    return BaselineSuggestion.objects.get(measure=measure)


def test_two_leads_accepting_at_once_start_one_phase(suggestion, lead, org):
    other = make_person("lead2", (Role.TEAM_LEAD, org["ward"]))
    start = threading.Barrier(2)

    def accept(person):
        def at_once():
            start.wait(timeout=30)
            return services.baseline_suggestion_accept(
                by=person, suggestion=BaselineSuggestion.objects.get(pk=suggestion.pk),
                reason=f"Accepted by {person}",
            )  # fmt: skip

        return at_once

    outcomes = race([accept(lead), accept(other)])
    assert sum(isinstance(outcome, Phase) for outcome in outcomes) == 1
    (refused,) = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert "already been accepted" in " ".join(refused.messages)
    assert Phase.objects.count() == 1
    assert BaselineSuggestion.objects.get().status == SuggestionStatus.ACCEPTED
