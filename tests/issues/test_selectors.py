import datetime as dt

from helpers import make_person

from qms.issues import selectors, services
from qms.issues.models import Action
from qms.people.models import Person
from qms.people.roles import Role

TODAY = dt.date.today()


def _overdue(action, days=3):
    Action.objects.filter(pk=action.pk).update(due_on=TODAY - dt.timedelta(days=days))


def test_actions_due_for_a_person_are_theirs_soonest_first(org, lead, member, issue):
    services.action_add(
        by=lead, issue=issue, what="Later", owner=member, due_on=TODAY + dt.timedelta(days=10)
    )
    late = services.action_add(by=lead, issue=issue, what="Late", owner=member, due_on=TODAY)
    _overdue(late)
    services.action_add(
        by=lead, issue=issue, what="Far off", owner=member, due_on=TODAY + dt.timedelta(days=60)
    )
    services.action_add(by=lead, issue=issue, what="The lead's", owner=lead, due_on=TODAY)
    done = services.action_add(by=lead, issue=issue, what="Done", owner=member, due_on=TODAY)
    services.action_complete(by=member, action=done)
    assert [a.what for a in selectors.actions_due_for(member)] == ["Late", "Later"]


def test_actions_of_a_closed_issue_are_no_longer_due(lead, member, issue):
    services.action_add(by=lead, issue=issue, what="Rounds", owner=member, due_on=TODAY)
    services.issue_close(by=lead, issue=issue, note="Done another way")
    assert selectors.actions_due_for(member) == []


def test_actions_of_a_unit_the_person_left_are_not_shown(org, lead, issue):
    leaver = make_person("leaver", (Role.TEAM_MEMBER, org["ward"]))
    services.action_add(by=lead, issue=issue, what="Rounds", owner=leaver, due_on=TODAY)
    leaver.memberships.all().delete()
    assert selectors.actions_due_for(Person.objects.get(pk=leaver.pk)) == []


def test_owners_are_the_staff_of_the_unit_and_above(org, lead, member, partner, quality_lead):
    make_person("elsewhere", (Role.TEAM_LEAD, org["other_ward"]))
    assert set(selectors.owners_in(org["ward"])) == {lead, member, quality_lead}


def test_a_unit_s_issues_are_only_those_the_user_may_see(org, lead, member, issue, quality_lead):
    other = services.issue_raise(
        by=quality_lead, unit=org["other_ward"], title="Elsewhere", source="other"
    )
    assert list(selectors.unit_issues(quality_lead, org["division"])) == [other, issue]
    assert list(selectors.unit_issues(member, org["ward"])) == [issue]
    assert list(selectors.unit_issues(member, org["service"])) == [issue]
    assert list(selectors.unit_issues(lead, org["ward"], owner_id=member.pk)) == []
    assert list(selectors.unit_issues(lead, org["ward"], status="open")) == [issue]


def test_closed_issues_come_last_and_overdue_first(org, lead, issue):
    closed = services.issue_raise(by=lead, unit=org["ward"], title="Closed", source="other")
    services.issue_close(by=lead, issue=closed, note="Done")
    overdue = services.issue_raise(by=lead, unit=org["ward"], title="Overdue", source="other")
    _overdue(services.action_add(by=lead, issue=overdue, what="x", owner=lead, due_on=TODAY))
    services.issue_raise(by=lead, unit=org["ward"], title="Newest", source="other")
    titles = [i.title for i in selectors.unit_issues(lead, org["ward"])]
    assert titles == ["Overdue", "Newest", "Falls at night", "Closed"]
