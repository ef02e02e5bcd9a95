"""An issue the team cannot resolve goes up the same chain as a signal (qms.escalation)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qms.escalation import services as escalation
from qms.issues import services
from qms.issues.models import IssueStatus


def test_a_lead_escalates_an_issue_and_the_unit_above_returns_it(org, lead, quality_lead, issue):
    step = escalation.escalate(by=lead, subject=issue, reason="Needs a bed alarm budget")
    issue.refresh_from_db()
    assert (step.from_unit, step.to_unit) == (org["ward"], org["service"])
    assert issue.status == IssueStatus.IN_PROGRESS
    escalation.escalation_respond(
        by=quality_lead, escalation=step, decision="return", response="Use the falls budget"
    )
    issue.refresh_from_db()
    assert issue.status == IssueStatus.IN_PROGRESS
    assert escalation.subject_unit(issue) == org["ward"]


def test_resolved_above_the_issue_is_closed_with_the_answer(lead, quality_lead, issue):
    step = escalation.escalate(by=lead, subject=issue, reason="Needs a bed alarm budget")
    escalation.escalation_respond(
        by=quality_lead, escalation=step, decision="resolve", response="Alarms bought for bay 2"
    )
    issue.refresh_from_db()
    assert (issue.status, issue.closing_note) == (IssueStatus.CLOSED, "Alarms bought for bay 2")
    assert issue.closed_at is not None
    assert issue.history.first().history_user == quality_lead


def test_a_member_cannot_escalate_and_a_closed_issue_is_not_escalated(lead, member, issue):
    with pytest.raises(PermissionDenied):
        escalation.escalate(by=member, subject=issue, reason="Beyond us")
    services.issue_close(by=lead, issue=issue, note="Done")
    with pytest.raises(ValidationError):
        escalation.escalate(by=lead, subject=issue, reason="Beyond us")


@pytest.mark.parametrize(("who", "status"), [("lead", 302), ("member", 403), ("outsider", 404)])
def test_escalating_from_the_issue_page(client, as_user, issue, who, status):
    as_user(who)
    if who == "lead":
        page = client.get(issue.get_absolute_url()).text
        assert "Escalation" in page and "Not escalated" in page
    url = reverse("escalation:escalate", args=["issues", "issue", issue.pk])
    response = client.post(url, {"reason": "Needs a budget we do not hold"})
    assert response.status_code == status
    if status == 302:
        assert "Needs a budget we do not hold" in client.get(issue.get_absolute_url()).text


def test_an_issue_closed_by_the_team_meanwhile_stays_closed_when_returned(
    lead, quality_lead, issue
):
    step = escalation.escalate(by=lead, subject=issue, reason="Needs a bed alarm budget")
    services.issue_close(by=lead, issue=issue, note="Found alarms in stores")
    escalation.escalation_respond(
        by=quality_lead, escalation=step, decision="return", response="Use the falls budget"
    )
    issue.refresh_from_db()
    assert (issue.status, issue.closing_note) == (IssueStatus.CLOSED, "Found alarms in stores")
