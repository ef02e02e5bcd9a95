"""Two people acting on the same issue or action at once. Each request reads the record, then
calls the service: the second to arrive holds a copy read before the first one's change, and
must be told what happened instead of overwriting it."""

import pytest
from django.core.exceptions import ValidationError
from helpers import make_person

from qms.escalation import services as escalation_services
from qms.escalation.models import Escalation
from qms.issues import services
from qms.issues.models import Action, Issue, IssueStatus
from qms.people.roles import Role


def _copy(record):
    """The record as a second request read it, before the first one's change."""
    return type(record).objects.get(pk=record.pk)


def test_two_leads_closing_the_same_issue_close_it_once(issue, lead, quality_lead):
    first, second = _copy(issue), _copy(issue)
    services.issue_close(by=lead, issue=first, note="Night rounding started.")
    with pytest.raises(ValidationError, match="closed"):
        services.issue_close(by=quality_lead, issue=second, note="Bed alarms fitted.")
    issue.refresh_from_db()
    assert (issue.closing_note, issue.history.filter(history_change_reason="Closed").count()) == (
        "Night rounding started.",
        1,
    )


def test_changing_an_issue_read_before_it_was_closed_does_not_reopen_it(issue, lead, member):
    read_before = _copy(issue)
    services.issue_close(by=lead, issue=_copy(issue), note="Night rounding started.")
    with pytest.raises(ValidationError, match="closed"):
        services.issue_update(by=lead, issue=read_before, title="Falls at night (ward 7)")
    issue.refresh_from_db()
    assert (issue.status, issue.title) == (IssueStatus.CLOSED, "Falls at night")
    assert issue.closed_at is not None


def test_an_action_added_as_the_issue_closes_is_refused(issue, lead, member, due):
    read_before = _copy(issue)
    services.issue_close(by=lead, issue=_copy(issue), note="Nothing more to do.")
    with pytest.raises(ValidationError, match="closed"):
        services.action_add(by=lead, issue=read_before, what="Audit", owner=member, due_on=due)
    issue.refresh_from_db()
    assert (issue.status, Action.objects.count()) == (IssueStatus.CLOSED, 0)


def test_two_people_completing_the_same_action_complete_it_once(issue, lead, member, due):
    action = services.action_add(by=lead, issue=issue, what="Audit", owner=member, due_on=due)
    first, second = _copy(action), _copy(action)
    services.action_complete(by=member, action=first)
    with pytest.raises(ValidationError, match="already done"):
        services.action_complete(by=lead, action=second)
    action.refresh_from_db()
    assert action.done_by == member
    assert action.history.filter(history_change_reason="Done").count() == 1


def test_reopening_an_issue_twice_at_once_reopens_it_once(issue, lead, quality_lead):
    services.issue_close(by=lead, issue=_copy(issue), note="Done.")
    first, second = _copy(issue), _copy(issue)
    services.issue_reopen(by=lead, issue=first, reason="Falls again.")
    with pytest.raises(ValidationError, match="not closed"):
        services.issue_reopen(by=quality_lead, issue=second, reason="Falls again.")
    assert (
        Issue.objects.get(pk=issue.pk)
        .history.filter(history_change_reason__startswith="Reopened")
        .count()
        == 1
    )


def test_an_escalation_resolved_above_as_the_team_closes_the_issue_keeps_the_team_s_note(
    org, issue, lead
):
    service_lead = make_person("servicelead", (Role.TEAM_LEAD, org["service"]))
    escalation = escalation_services.escalate(by=lead, subject=issue, reason="No money here")
    read_before = Escalation.objects.get(pk=escalation.pk)
    assert read_before.subject.status == IssueStatus.IN_PROGRESS  # the page as it was read
    services.issue_close(by=lead, issue=_copy(issue), note="Fixed it ourselves.")
    escalation_services.escalation_respond(
        by=service_lead, escalation=read_before, decision="resolve", response="Funded."
    )
    issue.refresh_from_db()
    assert (issue.status, issue.closing_note) == (IssueStatus.CLOSED, "Fixed it ourselves.")
