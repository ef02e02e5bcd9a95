"""Escalation of anything registered: up the chain, answered by the unit above, with the
record's own app deciding what each answer does to it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_person

from qms.escalation import services
from qms.escalation.models import Escalation
from qms.notifications.models import Notification
from qms.people.roles import Role

from .conftest import DECIDED


@pytest.fixture
def service_lead(org):
    return make_person("servicelead", (Role.TEAM_LEAD, org["service"]))


def test_it_escalates_a_record_that_is_not_a_signal(org, lead, service_lead, blocker):
    escalation = services.escalate(by=lead, subject=blocker, reason="Needs the service's money")
    assert (escalation.subject, escalation.from_unit, escalation.to_unit) == (
        blocker,
        org["ward"],
        org["service"],
    )
    assert escalation.status == "open" and escalation.created_by == lead
    assert services.subject_unit(blocker) == org["service"]
    told = Notification.objects.get(person=service_lead)
    assert told.kind == "escalation" and told.subject == blocker
    assert told.text == f"Escalated from Ward 7: Blocker {blocker.name} — Needs the service's money"
    assert escalation.history.get().history_user == lead


def test_a_member_cannot_escalate_and_nothing_is_saved(member, blocker):
    with pytest.raises(PermissionDenied):
        services.escalate(by=member, subject=blocker, reason="Please")
    assert not Escalation.objects.exists()


def test_an_outsider_cannot_escalate(outsider, blocker):
    with pytest.raises(PermissionDenied):
        services.escalate(by=outsider, subject=blocker, reason="Please")


@pytest.mark.parametrize(("reason", "field"), [("  ", "reason")])
def test_it_needs_a_reason(lead, blocker, reason, field):
    with pytest.raises(ValidationError) as refused:
        services.escalate(by=lead, subject=blocker, reason=reason)
    assert field in refused.value.message_dict


def test_it_refuses_a_record_whose_app_did_not_register_it(org, lead):
    with pytest.raises(LookupError):
        services.escalate(by=lead, subject=org["ward"], reason="Units are not escalated")


def test_the_unit_above_answers_and_the_team_is_told(org, lead, service_lead, blocker):
    escalation = services.escalate(by=lead, subject=blocker, reason="Money")
    with pytest.raises(PermissionDenied):  # the team that escalated does not answer itself
        services.escalation_respond(
            by=lead, escalation=escalation, decision="resolve", response="Done"
        )
    services.escalation_respond(
        by=service_lead, escalation=escalation, decision="return", response="Use the fund"
    )
    escalation.refresh_from_db()
    assert (escalation.status, escalation.responded_by) == ("returned", service_lead)
    assert [(blocker.pk, "return")] == DECIDED
    assert services.subject_unit(blocker) == org["ward"]  # back with the team
    told = Notification.objects.get(person=lead, kind="escalation")
    assert told.text == f"Medicine returned to the team: Blocker {blocker.name} — Use the fund"
    with pytest.raises(ValidationError, match="already been answered"):
        services.escalation_respond(
            by=service_lead, escalation=escalation, decision="accept", response="Again"
        )


@pytest.mark.parametrize(
    ("decision", "response", "field"),
    [("ignore", "x", "decision"), ("accept", "  ", "response")],
)
def test_a_bad_answer_names_the_field(lead, service_lead, blocker, decision, response, field):
    escalation = services.escalate(by=lead, subject=blocker, reason="Money")
    with pytest.raises(ValidationError) as refused:
        services.escalation_respond(
            by=service_lead, escalation=escalation, decision=decision, response=response
        )
    assert field in refused.value.message_dict
    escalation.refresh_from_db()
    assert escalation.status == "open"


def test_it_escalates_further_up_to_the_board_which_its_executives_hear(
    org, lead, service_lead, quality_lead, blocker
):
    executive = make_person("executive", (Role.EXECUTIVE, org["board"]))
    first = services.escalate(by=lead, subject=blocker, reason="Money")
    services.escalation_respond(
        by=service_lead, escalation=first, decision="escalate", response="Division-wide"
    )
    first.refresh_from_db()
    assert first.status == "escalated" and first.responded_by == service_lead
    second = Escalation.objects.latest("pk")
    assert (second.from_unit, second.to_unit, second.reason) == (
        org["service"],
        org["division"],
        "Division-wide",
    )
    assert Notification.objects.filter(person=quality_lead, kind="escalation").exists()
    third = services.escalate(by=quality_lead, subject=blocker, reason="Board decision")
    assert third.to_unit == org["board"]
    assert Notification.objects.filter(person=executive, kind="escalation").exists()
    services.escalation_respond(
        by=executive, escalation=third, decision="resolve", response="Funded"
    )
    assert [(blocker.pk, "resolve")] == DECIDED
    with pytest.raises(ValidationError, match="top of the organisation"):
        services.escalate(by=None, subject=blocker, reason="Higher still")


def test_who_hears_inactive_leads_are_skipped_and_the_nearest_leads_answer(org, lead):
    assert services.nearest_handlers(org["other_ward"]) == []  # nobody at or above it leads
    gone = make_person("gone", (Role.TEAM_LEAD, org["ward"]))
    type(gone).objects.filter(pk=gone.pk).update(is_active=False)
    assert services.nearest_handlers(org["ward"]) == [lead]
    division_lead = make_person("div", (Role.QUALITY_LEAD, org["division"]))
    assert services.nearest_handlers(org["service"]) == [division_lead]
    assert services.escalation_recipients(org["division"]) == [division_lead]


def test_an_escalation_of_a_record_since_removed_still_reads(lead, blocker):
    escalation = services.escalate(by=lead, subject=blocker, reason="Money")
    escalation.object_id = 999_999  # as if its record were gone
    assert (escalation.title, escalation.get_absolute_url()) == ("A record since removed", "")


def test_escalating_again_from_a_page_read_before_the_first_says_it_went_up(org, lead, blocker):
    services.escalate(by=lead, subject=blocker, reason="No budget")
    with pytest.raises(ValidationError, match="escalated to Medicine already"):
        services.escalate(by=lead, subject=blocker, reason="No budget")
    assert Escalation.objects.count() == 1
