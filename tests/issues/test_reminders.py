"""Overdue actions reach their owners: once per due date, through the inbox."""

import datetime as dt

from django.core.management import call_command

from qms.issues import services
from qms.issues.models import Action
from qms.notifications.models import Notification

TODAY = dt.date.today()


def _action(lead, owner, issue, *, days_late=2, what="Hourly rounds at night"):
    action = services.action_add(by=lead, issue=issue, what=what, owner=owner, due_on=TODAY)
    Action.objects.filter(pk=action.pk).update(due_on=TODAY - dt.timedelta(days=days_late))
    Notification.objects.all().delete()  # the notice of the new action is not a reminder
    action.refresh_from_db()
    return action


def _reminders(person):
    return list(Notification.objects.filter(person=person, kind="action"))


def test_it_reminds_the_owner_of_an_overdue_action_once(lead, member, issue):
    action = _action(lead, member, issue)
    assert services.actions_remind_overdue() == 1
    (reminder,) = _reminders(member)
    assert reminder.text.startswith("Overdue by 2 days: Hourly rounds at night")
    assert reminder.subject == action and reminder.link == action.get_absolute_url()
    assert services.actions_remind_overdue() == 0
    assert services.actions_remind_overdue(today=TODAY + dt.timedelta(days=1)) == 0
    assert len(_reminders(member)) == 1


def test_a_new_due_date_gets_its_own_reminder_when_it_passes(lead, member, issue):
    action = _action(lead, member, issue)
    services.actions_remind_overdue()
    services.action_update(by=lead, action=action, what=action.what, owner=member, due_on=TODAY)
    assert services.actions_remind_overdue() == 0  # due today: not overdue yet
    Action.objects.filter(pk=action.pk).update(due_on=TODAY - dt.timedelta(days=1))
    assert services.actions_remind_overdue() == 1
    assert len(_reminders(member)) == 2


def test_done_actions_actions_due_later_and_closed_issues_are_left_alone(lead, member, issue, org):
    done = _action(lead, member, issue, what="Done already")
    services.action_complete(by=member, action=done)
    services.action_add(
        by=lead, issue=issue, what="Later", owner=member, due_on=TODAY + dt.timedelta(days=3)
    )
    closed = services.issue_raise(by=lead, unit=org["ward"], title="Closed", source="other")
    _action(lead, member, closed, what="On a closed issue")
    services.issue_close(by=lead, issue=closed, note="Done another way")
    Notification.objects.all().delete()
    assert services.actions_remind_overdue() == 0
    assert _reminders(member) == []


def test_each_owner_hears_of_their_own_actions(lead, member, issue):
    _action(lead, member, issue, what="The member's")
    _action(lead, lead, issue, what="The lead's")
    assert services.actions_remind_overdue() == 2
    assert [n.text.split(": ", 1)[1][:11] for n in _reminders(member)] == ["The member'"]
    assert [n.text.split(": ", 1)[1][:9] for n in _reminders(lead)] == ["The lead'"]


def test_the_daily_command_sends_them(lead, member, issue, capsys):
    _action(lead, member, issue)
    call_command("remind-actions")
    assert "reminders queued" in capsys.readouterr().out
    assert len(_reminders(member)) == 1
    call_command("remind-actions")
    assert len(_reminders(member)) == 1


def test_owners_are_told_of_issues_and_actions_given_to_them(org, lead, member, issue, due):
    services.issue_update(by=lead, issue=issue, owner=member)
    services.action_add(by=lead, issue=issue, what="Audit the bays", owner=member, due_on=due)
    services.action_add(by=lead, issue=issue, what="Brief the team", owner=lead, due_on=due)
    kinds = list(
        Notification.objects.filter(person=member).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["issue", "action"]
    assert not Notification.objects.filter(person=lead).exists()  # not told what they did
