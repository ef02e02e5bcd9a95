import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_person

from qms.control import services as control_services
from qms.issues import services
from qms.issues.models import Action, Issue, IssueSource, IssueStatus
from qms.people.roles import Role

TODAY = dt.date.today()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("lead", True),
        ("member", True),
        ("quality_lead", True),
        ("admin", True),
        ("partner", False),
        ("outsider", False),
    ],
)
def test_it_lets_the_unit_s_staff_raise_issues(request, org, who, allowed):
    by = request.getfixturevalue(who)
    raise_it = lambda: services.issue_raise(  # noqa: E731
        by=by, unit=org["ward"], title="Call bells unanswered", source="complaint"
    )
    if allowed:
        issue = raise_it()
        assert (issue.owner, issue.created_by, issue.status) == (by, by, IssueStatus.OPEN)
        assert issue.history.get().history_user == by
    else:
        with pytest.raises(PermissionDenied):
            raise_it()
        assert not Issue.objects.exists()


def test_it_raises_an_issue_in_words_without_a_source_record(issue, lead):
    assert issue.source == IssueSource.INCIDENT
    assert issue.source_record is None and issue.source_type is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"source": "rumour"}, "source"),
        ({"description": "x" * 5001}, "description"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(org, lead, fields, field):
    with pytest.raises(ValidationError) as refused:
        services.issue_raise(
            by=lead, unit=org["ward"], **({"title": "Falls", "source": "incident"} | fields)
        )
    assert field in refused.value.error_dict
    assert not Issue.objects.exists()


def test_it_names_an_owner_only_from_the_unit_s_staff(org, lead, partner, outsider):
    for owner in (partner, outsider):
        with pytest.raises(ValidationError) as refused:
            services.issue_raise(
                by=lead, unit=org["ward"], title="Falls", source="incident", owner=owner
            )
        assert "owner" in refused.value.error_dict
    board_lead = make_person("boardlead", (Role.QUALITY_LEAD, org["board"]))
    issue = services.issue_raise(
        by=lead, unit=org["ward"], title="Falls", source="incident", owner=board_lead
    )
    assert issue.owner == board_lead


def test_signal_link_issue_raises_an_issue_with_the_signal_as_its_source(signal, lead):
    issue = control_services.signal_link_issue(
        by=lead, signal=signal, title="Falls rising", description="Night shift"
    )
    signal.refresh_from_db()
    assert signal.issue == issue
    assert issue.source == IssueSource.SIGNAL and issue.source_record == signal
    assert issue.unit == signal.measure.unit and issue.owner == lead
    assert issue.source_type == ContentType.objects.get_for_model(signal)


def test_it_refuses_a_source_record_outside_the_unit(org, lead, signal):
    with pytest.raises(ValidationError) as refused:
        services.issue_raise(by=None, unit=org["other_ward"], title="Falls", source_record=signal)
    assert "source" in refused.value.error_dict


def test_it_refuses_a_source_record_of_a_kind_nobody_registered(org, lead):
    with pytest.raises(ValidationError) as refused:
        services.issue_raise(by=lead, unit=org["ward"], title="Falls", source_record=lead)
    assert "source" in refused.value.error_dict


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("lead", True), ("quality_lead", True), ("admin", True), ("member", False)],
)
def test_it_lets_leads_and_the_owner_handle_an_issue(request, issue, who, allowed):
    by = request.getfixturevalue(who)
    if allowed:
        services.issue_update(by=by, issue=issue, title="Falls at night, bay 2")
        services.issue_close(by=by, issue=issue, note="Rounds moved to hourly")
        services.issue_reopen(by=by, issue=issue, reason="Another fall")
    else:
        with pytest.raises(PermissionDenied):
            services.issue_update(by=by, issue=issue, title="Mine now")
        with pytest.raises(PermissionDenied):
            services.issue_close(by=by, issue=issue, note="Fine")
    issue.refresh_from_db()
    assert (issue.title == "Falls at night, bay 2") is allowed


def test_the_owner_who_is_a_team_member_handles_their_own_issue(org, member, lead, due):
    issue = services.issue_raise(
        by=member, unit=org["ward"], title="Sharps bin full", source="other"
    )
    services.action_add(by=member, issue=issue, what="Order bins", owner=member, due_on=due)
    services.issue_close(by=member, issue=issue, note="Bins ordered")
    assert issue.status == IssueStatus.CLOSED and issue.closing_note == "Bins ordered"
    services.issue_update(
        by=None, issue=Issue.objects.get(pk=issue.pk), owner=None
    ) if False else None
    # Handed to the lead, the member no longer handles it.
    services.issue_reopen(by=lead, issue=issue, reason="Still full")
    services.issue_update(by=lead, issue=issue, owner=lead)
    with pytest.raises(PermissionDenied):
        services.issue_close(by=member, issue=issue, note="Fine")


def test_closing_and_reopening_keep_history_and_say_why(issue, lead):
    services.issue_close(by=lead, issue=issue, note="Hourly rounds at night")
    assert issue.closed_at is not None
    with pytest.raises(ValidationError):
        services.issue_update(by=lead, issue=issue, title="Changed after closing")
    with pytest.raises(ValidationError) as refused:
        services.issue_reopen(by=lead, issue=issue, reason=" ")
    assert "reason" in refused.value.error_dict
    services.issue_reopen(by=lead, issue=issue, reason="Two more falls")
    assert (issue.status, issue.closed_at) == (IssueStatus.OPEN, None)
    reasons = list(issue.history.values_list("history_change_reason", flat=True))
    assert reasons == ["Reopened: Two more falls", "Closed", "Raised"]


def test_closing_needs_a_note(issue, lead):
    with pytest.raises(ValidationError) as refused:
        services.issue_close(by=lead, issue=issue, note="")
    assert "note" in refused.value.error_dict
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN


def test_an_issue_cannot_be_closed_through_an_update(issue, lead):
    with pytest.raises(ValidationError) as refused:
        services.issue_update(by=lead, issue=issue, status=IssueStatus.CLOSED)
    assert "status" in refused.value.error_dict


def test_adding_an_action_puts_the_issue_in_progress(issue, lead, member, due):
    action = services.action_add(
        by=lead, issue=issue, what="Hourly rounds at night", owner=member, due_on=due
    )
    issue.refresh_from_db()
    assert issue.status == IssueStatus.IN_PROGRESS
    assert (action.owner, action.due_on, action.created_by) == (member, due, lead)
    assert action.history.get().history_user == lead


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"what": ""}, "what"),
        ({"owner": None}, "owner"),
        ({"due_on": "next Tuesday"}, "due_on"),
        ({"due_on": TODAY - dt.timedelta(days=1)}, "due_on"),
    ],
)
def test_it_refuses_a_bad_action_naming_the_field(issue, lead, member, due, fields, field):
    values = {"what": "Hourly rounds", "owner": member, "due_on": due} | fields
    with pytest.raises(ValidationError) as refused:
        services.action_add(by=lead, issue=issue, **values)
    assert field in refused.value.error_dict
    assert not Action.objects.exists()


def test_no_actions_on_a_closed_issue(issue, lead, member, due):
    services.issue_close(by=lead, issue=issue, note="Done")
    with pytest.raises(ValidationError):
        services.action_add(by=lead, issue=issue, what="More", owner=member, due_on=due)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("member", True), ("lead", True), ("quality_lead", True), ("partner", False)],
)
def test_an_action_is_done_by_its_owner_or_a_lead(request, org, issue, lead, who, allowed, due):
    other = make_person("other", (Role.TEAM_MEMBER, org["ward"]))
    owner = request.getfixturevalue("member") if who == "member" else other
    action = services.action_add(by=lead, issue=issue, what="Rounds", owner=owner, due_on=due)
    by = request.getfixturevalue(who)
    if allowed:
        services.action_complete(by=by, action=action)
        assert (action.is_done, action.done_by) == (True, by)
        services.action_reopen(by=by, action=action)
        assert (action.done_at, action.done_by) == (None, None)
    else:
        with pytest.raises(PermissionDenied):
            services.action_complete(by=by, action=action)


def test_a_member_who_does_not_own_the_action_cannot_complete_it(org, issue, lead, member, due):
    other = make_person("other", (Role.TEAM_MEMBER, org["ward"]))
    action = services.action_add(by=lead, issue=issue, what="Rounds", owner=other, due_on=due)
    with pytest.raises(PermissionDenied):
        services.action_complete(by=member, action=action)
    with pytest.raises(PermissionDenied):
        services.action_update(by=member, action=action, what="x", owner=member, due_on=due)


def test_an_action_is_changed_by_a_lead_and_not_once_done(issue, lead, member, due):
    action = services.action_add(by=lead, issue=issue, what="Rounds", owner=member, due_on=due)
    later = due + dt.timedelta(days=7)
    services.action_update(by=lead, action=action, what="Hourly rounds", owner=lead, due_on=later)
    action.refresh_from_db()
    assert (action.what, action.owner, action.due_on) == ("Hourly rounds", lead, later)
    services.action_complete(by=lead, action=action)
    with pytest.raises(ValidationError):
        services.action_update(by=lead, action=action, what="x", owner=lead, due_on=later)
    with pytest.raises(ValidationError):
        services.action_complete(by=lead, action=action)
