import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from culture.walkrounds_support import *  # noqa: F403
from culture.walkrounds_support import TODAY, done
from qms.culture.models import Walkround, WalkroundItem, WalkroundStatus
from qms.culture.services import walkrounds as services
from qms.issues.models import Action, IssueSource


def test_it_plans_a_walkround_with_its_leaders_and_history(planned, executive, quality_lead):
    assert planned.status == WalkroundStatus.PLANNED
    assert set(planned.leaders.all()) == {executive, quality_lead}
    assert planned.history.first().history_user == executive


@pytest.mark.parametrize("who", ["lead", "member", "partner", "outsider"])
def test_it_lets_only_senior_leaders_plan(request, org, who, executive):
    by = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.walkround_plan(
            by=by, unit=org["ward"], planned_on=TODAY, leaders=[executive], today=TODAY
        )
    assert not Walkround.objects.exists()


def test_it_refuses_leaders_who_do_not_lead_walkrounds_there(org, executive, lead, outsider):
    for leaders, message in (([], "at least one"), ([lead], "does not lead"), ([outsider], "")):
        with pytest.raises(ValidationError) as raised:
            services.walkround_plan(
                by=executive, unit=org["ward"], planned_on=TODAY, leaders=leaders, today=TODAY
            )
        assert "leaders" in raised.value.message_dict
        assert message in raised.value.message_dict["leaders"][0]
    assert not Walkround.objects.exists()


@pytest.mark.parametrize(
    "planned_on", [TODAY + dt.timedelta(days=400), TODAY - dt.timedelta(days=400), "2026-12-01"]
)
def test_it_refuses_a_date_far_off_or_not_a_date(org, executive, planned_on):
    with pytest.raises(ValidationError) as raised:
        services.walkround_plan(
            by=executive, unit=org["ward"], planned_on=planned_on, leaders=[executive], today=TODAY
        )
    assert "planned_on" in raised.value.message_dict


def test_it_refuses_an_nhs_number_in_the_focus(org, executive):
    with pytest.raises(ValidationError) as raised:
        services.walkround_plan(
            by=executive,
            unit=org["ward"],
            planned_on=TODAY,
            leaders=[executive],
            focus="Bed 4, 943 476 5919",
            today=TODAY,
        )
    assert "NHS" in raised.value.message_dict["focus"][0]


def test_it_records_a_walkround_done_once_and_not_in_the_future(planned, executive):
    with pytest.raises(ValidationError):
        services.walkround_record(
            by=executive, walkround=planned, done_on=TODAY + dt.timedelta(days=1), today=TODAY
        )
    walkround = done(planned, executive)
    assert walkround.status == WalkroundStatus.DONE and walkround.done_on == TODAY
    with pytest.raises(ValidationError, match="done"):
        done(planned, executive)


def test_it_lets_a_team_lead_read_but_not_record(planned, lead):
    with pytest.raises(PermissionDenied):
        done(planned, lead)


def test_it_cancels_only_a_planned_walkround(planned, executive):
    services.walkround_cancel(by=executive, walkround=planned, reason="Flu outbreak on the ward")
    planned.refresh_from_db()
    assert planned.status == WalkroundStatus.CANCELLED
    with pytest.raises(ValidationError, match="cancelled"):
        done(planned, executive)


def test_it_adds_an_item_with_an_issue_and_an_action_for_its_owner(planned, executive, lead):
    walkround = done(planned, executive, on=timezone.localdate())
    due = timezone.localdate() + dt.timedelta(days=14)
    item = services.walkround_item_add(
        by=executive,
        walkround=walkround,
        what="The drug fridge alarm sounds at the far end where no one hears it",
        theme="tools",
        action="Move the fridge alarm's sounder to the nurses' station",
        owner=lead,
        due_on=due,
    )
    issue = item.issue
    assert issue.source == IssueSource.STAFF_CONCERN and issue.source_record == item
    assert issue.unit == walkround.unit and issue.owner == executive
    action = issue.actions.get()
    assert (action.owner, action.due_on) == (lead, due)


def test_it_adds_an_item_without_action_and_refuses_half_an_action(planned, executive, lead):
    walkround = done(planned, executive, on=timezone.localdate())
    item = services.walkround_item_add(
        by=executive, walkround=walkround, what="Handover room is too noisy", theme="environment"
    )
    assert item.issue is None
    for extra in ({"owner": lead}, {"action": "Find a quiet room", "owner": lead}):
        with pytest.raises(ValidationError):
            services.walkround_item_add(
                by=executive, walkround=walkround, what="Noise", theme="environment", **extra
            )
    assert WalkroundItem.objects.count() == 1 and not Action.objects.exists()


@pytest.mark.parametrize(
    "what, theme, field",
    [("", "task", "what"), ("Rota gaps", "people", "theme"), ("NHS 943 476 5919", "task", "what")],
)
def test_it_refuses_bad_items(planned, executive, what, theme, field):
    walkround = done(planned, executive)
    with pytest.raises(ValidationError) as raised:
        services.walkround_item_add(by=executive, walkround=walkround, what=what, theme=theme)
    assert field in raised.value.message_dict


def test_it_refuses_items_on_a_walkround_not_done(planned, executive):
    with pytest.raises(ValidationError, match="planned"):
        services.walkround_item_add(by=executive, walkround=planned, what="x", theme="task")


def test_it_records_feedback_after_the_walkround(planned, executive):
    walkround = done(planned, executive, on=TODAY - dt.timedelta(days=3))
    with pytest.raises(ValidationError) as raised:
        services.walkround_feedback_give(
            by=executive,
            walkround=walkround,
            feedback="Fridge alarm moved",
            feedback_on=TODAY - dt.timedelta(days=5),
            today=TODAY,
        )
    assert "feedback_on" in raised.value.message_dict
    walkround = services.walkround_feedback_give(
        by=executive,
        walkround=walkround,
        feedback="Fridge alarm moved",
        feedback_on=TODAY,
        today=TODAY,
    )
    assert (walkround.feedback, walkround.feedback_on) == ("Fridge alarm moved", TODAY)


def test_it_titles_the_issue_with_what_was_raised_cut_at_a_word(planned, executive, lead):
    walkround = done(planned, executive, on=timezone.localdate())
    what = "Non-invasive ventilation patients are spread across three bays " * 3
    item = services.walkround_item_add(
        by=executive,
        walkround=walkround,
        what=what,
        theme="environment",
        action="Cohort them",
        owner=lead,
        due_on=timezone.localdate(),
    )
    title = item.issue.title
    assert title.startswith("Walkround: Non-invasive") and len(title) <= 120
    assert title.endswith("…") and title[:-1] == title[:-1].rstrip() and title[-2].isalpha()
