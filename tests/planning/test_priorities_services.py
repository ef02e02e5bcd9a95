"""Priorities' services: proposing, scoring, weights, decisions, who may."""

import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_measure, make_person

from planning.priorities_support import *  # noqa: F403
from planning.priorities_support import propose, scores
from qms.notifications.models import Notification
from qms.people.roles import Role
from qms.planning import selectors, services
from qms.planning.models import Priority, PriorityStatus, ScoringWeights


def test_it_lets_any_member_of_staff_propose_a_candidate(org, member):
    priority = propose(member, org["ward"])
    assert priority.status == PriorityStatus.CANDIDATE
    assert priority.created_by == member
    assert priority.history.first().history_change_reason == "Proposed"


@pytest.mark.parametrize("who", ["partner", "outsider"])
def test_it_refuses_a_proposal_from_someone_without_a_staff_role_there(org, request, who):
    with pytest.raises(PermissionDenied):
        propose(request.getfixturevalue(who), org["ward"])
    assert not Priority.objects.exists()


def test_it_links_a_gaps_measure_as_the_priority_s_measure(org, member):
    measure = make_measure(org["ward"], "falls")
    priority = propose(member, org["ward"], origin="gap", source=measure)
    assert list(priority.measures.all()) == [measure]
    assert priority.source_record == measure


def test_it_refuses_a_source_from_another_board(org, member, outsider):
    foreign = make_measure(org["elsewhere"], "foreign")
    with pytest.raises(ValidationError) as error:
        propose(member, org["ward"], origin="gap", source=foreign)
    assert "source" in error.value.message_dict
    assert not Priority.objects.exists()


def test_it_refuses_a_source_that_does_not_match_the_origin(org, member):
    measure = make_measure(org["ward"], "falls")
    with pytest.raises(ValidationError) as error:
        propose(member, org["ward"], origin="need", source=measure)
    assert "source" in error.value.message_dict


def test_it_refuses_a_measure_another_board_holds(org, member):
    foreign = make_measure(org["elsewhere"], "foreign")
    with pytest.raises(ValidationError) as error:
        propose(member, org["ward"], measures=[foreign])
    assert "measures" in error.value.message_dict


@pytest.mark.parametrize("field, value", [("title", ""), ("title", "x" * 201), ("problem", "  ")])
def test_it_refuses_an_empty_or_too_long_title_or_problem(org, member, field, value):
    with pytest.raises(ValidationError) as error:
        propose(member, org["ward"], **{field: value})
    assert field in error.value.message_dict


def test_it_refuses_an_owner_without_a_role_in_the_unit(org, member, outsider):
    with pytest.raises(ValidationError) as error:
        propose(member, org["ward"], owner=outsider)
    assert "owner" in error.value.message_dict


def test_it_tells_the_owner_they_own_a_new_priority(org, member, lead):
    propose(member, org["ward"], owner=lead)
    assert Notification.objects.filter(person=lead, kind="planning").exists()


# Scoring --------------------------------------------------------------------------------------


def test_it_lets_a_scorer_of_the_unit_score(priority, lead):
    services.priority_score(by=lead, priority=priority, **scores(4))
    priority.refresh_from_db()
    assert priority.severity == 4 and priority.readiness == 4


def test_it_lets_a_partner_on_the_priority_score_as_an_equal(priority, working_partner):
    services.priority_score(by=working_partner, priority=priority, equity=5)
    priority.refresh_from_db()
    assert priority.equity == 5


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_refuses_scores_from_those_who_do_not_score(priority, request, who):
    with pytest.raises(PermissionDenied):
        services.priority_score(by=request.getfixturevalue(who), priority=priority, equity=5)


@pytest.mark.parametrize("value", [0, 6, -1, "x", "", 2.5, math.nan, True, "1e3"])
def test_it_refuses_a_bad_score_and_saves_none(priority, lead, value):
    if value == "":  # an empty text clears the score: allowed
        services.priority_score(by=lead, priority=priority, severity=value)
        return
    with pytest.raises(ValidationError) as error:
        services.priority_score(by=lead, priority=priority, equity=3, severity=value)
    assert "severity" in error.value.message_dict
    priority.refresh_from_db()
    assert priority.equity is None


# Weights --------------------------------------------------------------------------------------


def test_it_inherits_the_weights_of_the_nearest_unit_above(org, quality_lead):
    services.weights_set(by=quality_lead, unit=org["division"], severity=4)
    weights = selectors.weights_for(org["ward"])
    assert weights.values["severity"] == 4
    assert weights.source == org["division"]


def test_it_uses_equal_weights_when_no_unit_has_any(org):
    weights = selectors.weights_for(org["ward"])
    assert weights.source is None and set(weights.values.values()) == {1.0}


@pytest.mark.parametrize(
    "weights, field",
    [
        ({"severity": -1}, "severity"),
        ({"severity": math.nan}, "severity"),
        ({"severity": "nan"}, "severity"),
        ({"severity": "x"}, "severity"),
        ({"severity": 1e308}, "severity"),
        ({"people_affected": 0, "severity": 0, "equity": 0, "strategic_fit": 0}, "impact"),
        ({"effort": 0, "cost": 0, "readiness": 0}, "feasibility"),
    ],
)
def test_it_refuses_weights_that_cannot_be_used(org, quality_lead, weights, field):
    with pytest.raises(ValidationError) as error:
        services.weights_set(by=quality_lead, unit=org["division"], **weights)
    assert field in error.value.message_dict
    assert not ScoringWeights.objects.exists()


@pytest.mark.parametrize("who", ["lead", "member", "executive", "outsider"])
def test_it_lets_only_quality_leads_set_weights(org, request, who):
    with pytest.raises(PermissionDenied):
        services.weights_set(by=request.getfixturevalue(who), unit=org["ward"], severity=2)


def test_it_reranks_at_once_when_the_weights_change(org, lead, quality_lead, member):
    safety = propose(member, org["ward"], "Safety")
    fairness = propose(member, org["ward"], "Fairness")
    services.priority_score(by=lead, priority=safety, **scores(3, severity=5, equity=1))
    services.priority_score(by=lead, priority=fairness, **scores(3, severity=1, equity=5))

    def first():
        return selectors.ranked_priorities(lead, org["ward"]).rows[0].priority

    services.weights_set(by=quality_lead, unit=org["division"], severity=5)
    assert first() == safety
    services.weights_set(by=quality_lead, unit=org["division"], severity=1, equity=5)
    assert first() == fairness


# Decisions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["approved", "parked", "rejected"])
def test_it_records_each_decision_with_its_reason(priority, lead, status):
    services.priority_decide(by=lead, priority=priority, status=status, reason="Board agreed")
    priority.refresh_from_db()
    assert priority.status == status and priority.decision_reason == "Board agreed"
    assert priority.decided_by == lead
    assert "Board agreed" in priority.history.first().history_change_reason


def test_it_keeps_every_decision_in_the_history(priority, lead):
    services.priority_decide(by=lead, priority=priority, status="parked", reason="No capacity")
    services.priority_decide(by=lead, priority=priority, status="candidate", reason="Capacity now")
    services.priority_decide(by=lead, priority=priority, status="approved", reason="Go")
    reasons = [row.history_change_reason for row in priority.history.all()]
    assert any("No capacity" in r for r in reasons)
    assert any("Capacity now" in r for r in reasons)
    assert any("Go" in r for r in reasons)


def test_it_refuses_a_decision_without_a_reason(priority, lead):
    with pytest.raises(ValidationError) as error:
        services.priority_decide(by=lead, priority=priority, status="approved", reason=" ")
    assert "reason" in error.value.message_dict


def test_it_refuses_to_reopen_a_candidate(priority, lead):
    with pytest.raises(ValidationError):
        services.priority_decide(by=lead, priority=priority, status="candidate", reason="Why")


def test_it_refuses_an_unknown_status(priority, lead):
    with pytest.raises(ValidationError) as error:
        services.priority_decide(by=lead, priority=priority, status="done", reason="Why")
    assert "status" in error.value.message_dict


@pytest.mark.parametrize("who", ["member", "analyst", "working_partner", "outsider"])
def test_it_lets_only_the_unit_s_deciders_decide(priority, request, who):
    with pytest.raises(PermissionDenied):
        services.priority_decide(
            by=request.getfixturevalue(who), priority=priority, status="approved", reason="Yes"
        )


def test_it_lets_an_executive_above_decide(priority, executive):
    services.priority_decide(by=executive, priority=priority, status="approved", reason="Yes")
    assert Priority.objects.get().status == "approved"


def test_it_tells_the_owner_and_the_proposer_of_a_decision(org, member, lead):
    owner = make_person("owner", (Role.TEAM_MEMBER, org["ward"]))
    priority = propose(member, org["ward"], owner=owner)
    Notification.objects.all().delete()
    services.priority_decide(by=lead, priority=priority, status="rejected", reason="Not ours")
    told = set(Notification.objects.values_list("person__username", flat=True))
    assert told == {"owner", "member"}
