"""Overdue PDSA cycles remind their owner (or the project lead) once for each end date, from
`qms remind-improvement`."""

import datetime as dt

from django.core.management import call_command

from improvement.cycles_support import *  # noqa: F403
from improvement.cycles_support import START, plan
from qms.improvement import services
from qms.improvement.models import ActDecision, PdsaCycle
from qms.notifications.models import Notification

END = START + dt.timedelta(days=14)
LATER = END + dt.timedelta(days=3)


def _inbox(person):
    return list(
        Notification.objects.filter(person=person).order_by("pk").values_list("text", flat=True)
    )


def test_it_reminds_the_owner_of_an_overdue_cycle_once(change_idea, lead, teammate):
    cycle = services.cycle_create(by=lead, change_idea=change_idea, **plan(owner=teammate))
    assert services.cycles_remind_overdue(today=END) == 0  # due today: not overdue yet
    assert services.cycles_remind_overdue(today=LATER) == 1
    assert services.cycles_remind_overdue(today=LATER + dt.timedelta(days=1)) == 0
    assert _inbox(teammate)[1:] == [
        "PDSA cycle overdue by 3 days: PDSA 1: Rounding on one bay (plan; project “Fewer falls "
        "at night”)"
    ]
    notification = Notification.objects.filter(person=teammate).latest("pk")
    assert (notification.kind, notification.link) == ("action", cycle.get_absolute_url())
    assert _inbox(lead) == []


def test_it_reminds_the_project_lead_when_the_cycle_has_no_owner(cycle, lead):
    assert services.cycles_remind_overdue(today=LATER) == 1
    assert len(_inbox(lead)) == 1


def test_a_new_end_date_is_reminded_again_when_it_passes(cycle, lead):
    services.cycles_remind_overdue(today=LATER)
    services.cycle_plan_update(by=lead, cycle=cycle, ends_on=LATER + dt.timedelta(days=7))
    assert services.cycles_remind_overdue(today=LATER + dt.timedelta(days=1)) == 0
    assert services.cycles_remind_overdue(today=LATER + dt.timedelta(days=8)) == 1
    assert len(_inbox(lead)) == 2


def test_a_done_cycle_is_not_reminded(cycle, lead):
    services.cycle_do(by=lead, cycle=cycle, what_happened="Rounds", observations="")
    results = {p.pk: ("ok", "met") for p in cycle.predictions.all()}
    services.cycle_study(by=lead, cycle=cycle, study_summary="x", results=results)
    services.cycle_act(by=lead, cycle=cycle, decision=ActDecision.ADOPT, act_notes="")
    assert services.cycles_remind_overdue(today=LATER) == 0
    assert _inbox(lead) == []


def test_the_command_sends_the_reminders(cycle, lead, capsys):
    PdsaCycle.objects.filter(pk=cycle.pk).update(ends_on=dt.date.today() - dt.timedelta(days=2))
    call_command("remind-improvement")
    call_command("remind-improvement")
    assert len(_inbox(lead)) == 1
    assert "Reminders of overdue PDSA cycles queued" in capsys.readouterr().out


def test_the_inbox_shows_the_cycle_s_stage_and_due_date(client, as_user, cycle, lead):
    services.cycles_remind_overdue(today=LATER)
    as_user("lead")
    from django.urls import reverse

    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "plan, due 16 Mar 2026" in page
    assert cycle.get_absolute_url() in page


def test_a_new_owner_is_told_by_whoever_made_them_owner(cycle, lead, coach, teammate):
    services.cycle_plan_update(by=lead, cycle=cycle, owner=teammate)
    services.cycle_plan_update(by=lead, cycle=cycle, owner=teammate)  # no change, no news
    services.cycle_create(by=coach, change_idea=cycle.change_idea, **plan(owner=coach))
    assert _inbox(teammate) == [
        "You own PDSA 1: Rounding on one bay (project “Fewer falls at night”), 02 Mar to "
        "16 Mar 2026."
    ]
    assert _inbox(coach) == []
    services.cycle_create(by=None, change_idea=cycle.change_idea, **plan(owner=lead))
    assert _inbox(lead) == []
