"""The method structures' services: the A3, the co-design stages and milestones; who may write
them, bad input, and overdue milestones reminding their owner once per due date."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from helpers import make_person

from improvement.cycles_support import *  # noqa: F403
from qms.improvement import selectors, services
from qms.improvement.models import A3, EbcdStage, EbcdStageName, Method, Milestone
from qms.notifications.models import Notification
from qms.people.roles import Role

TEAM = ["lead", "coach", "teammate", "team_partner", "quality_lead"]
NOT_TEAM = ["member", "partner", "outsider"]
TODAY = dt.date(2026, 6, 15)


# The A3 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", TEAM)
def test_it_lets_the_team_write_the_a3(request, project, who):
    person = request.getfixturevalue(who)

    a3 = services.a3_update(by=person, project=project, background="  Falls at night.  ")

    assert A3.objects.get(project=project).background == "Falls at night."
    assert a3.history.get().history_user == person


@pytest.mark.parametrize("who", NOT_TEAM)
def test_it_refuses_the_a3_to_those_not_on_the_team(request, project, who):
    with pytest.raises(PermissionDenied, match="Only the project's team may edit the A3"):
        services.a3_update(by=request.getfixturevalue(who), project=project, goal="x")
    assert not A3.objects.exists()


def test_it_changes_only_the_sections_given_and_keeps_the_history(project, lead):
    services.a3_update(by=lead, project=project, background="B", goal="G")
    services.a3_update(by=lead, project=project, goal="G2", reason="Goal agreed with the board")

    a3 = A3.objects.get(project=project)
    assert (a3.background, a3.goal) == ("B", "G2")
    assert [h.history_change_reason for h in a3.history.order_by("history_id")] == [
        "A3 started",
        "Goal agreed with the board",
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"summary": "x"}, "Unknown A3 sections: summary"),
        ({"goal": 5}, "Goal must be text"),
        ({"plan": "x" * 4001}, "Plan is 4,001 characters long; at most 4,000 fit"),
    ],
)
def test_it_refuses_bad_a3_sections_and_saves_nothing(project, lead, fields, message):
    with pytest.raises(ValidationError, match=message):
        services.a3_update(by=lead, project=project, background="kept out", **fields)
    assert not A3.objects.exists()


# Co-design stages --------------------------------------------------------------------------


def test_it_sets_up_the_five_stages_once(project):
    first = services.ebcd_stages_ensure(project=project)  # by the system
    again = services.ebcd_stages_ensure(project=project)

    assert [s.stage for s in first] == list(EbcdStageName.values)
    assert [s.pk for s in again] == [s.pk for s in first]
    assert EbcdStage.objects.filter(project=project).count() == 5


def test_a_project_started_or_turned_to_co_design_gets_its_stages(org, lead, project):
    started = services.project_create(
        by=lead,
        unit=org["ward"],
        title="Discharge lounge",
        problem="Long waits.",
        aim="Halve waits by 31 March 2027.",
        method=Method.EBCD,
    )
    assert [s.stage for s in started.ebcd_stages.all()] == list(EbcdStageName.values)
    assert started.ebcd_stages.first().history.get().history_user == lead

    assert not project.ebcd_stages.exists()
    services.project_update(by=lead, project=project, method=Method.EBCD)
    assert project.ebcd_stages.count() == 5


def test_it_dates_a_stage_when_it_starts_and_when_it_is_done(project, teammate, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: TODAY)

    started = services.ebcd_stage_update(
        by=teammate, project=project, stage="gather", status="in_progress", notes="Interviews"
    )
    assert (started.started_on, started.completed_on) == (TODAY, None)
    done = services.ebcd_stage_update(
        by=teammate,
        project=project,
        stage="gather",
        status="done",
        notes="12 interviews filmed",
        started_on=started.started_on,
    )

    assert (done.status, done.started_on, done.completed_on) == ("done", TODAY, TODAY)
    assert EbcdStage.objects.filter(project=project).count() == 5  # the others made too
    assert done.history.count() == 3  # set up, started, done


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"stage": "launch"}, "is not a co-design stage"),
        ({"status": "paused"}, "Choose not started, in progress or done"),
        ({"status": "in_progress", "completed_on": dt.date(2026, 5, 1)}, "no date done yet"),
        ({"status": "not_started", "completed_on": dt.date(2026, 5, 1)}, "has no date done"),
        (
            {"status": "done", "started_on": dt.date(2026, 5, 2),
             "completed_on": dt.date(2026, 4, 1)},
            "before the start date",
        ),
        ({"notes": "x" * 4001}, "at most 4,000 fit"),
    ],
)  # fmt: skip
def test_it_refuses_a_bad_stage_update(project, lead, fields, message):
    with pytest.raises(ValidationError, match=message):
        services.ebcd_stage_update(
            by=lead, project=project, **{"stage": "gather", "status": "done", **fields}
        )
    assert not EbcdStage.objects.filter(project=project).exclude(status="not_started").exists()


@pytest.mark.parametrize("who", NOT_TEAM)
def test_it_refuses_stages_to_those_not_on_the_team(request, project, who):
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.ebcd_stage_update(by=person, project=project, stage="gather", status="done")
    assert not EbcdStage.objects.exists()


# Milestones --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", TEAM)
def test_it_lets_the_team_plan_and_complete_milestones(request, project, teammate, who):
    person = request.getfixturevalue(who)

    milestone = services.milestone_add(
        by=person, project=project, title="Rota agreed", due_on=TODAY, owner=teammate
    )
    services.milestone_update(by=person, milestone=milestone, due_on=dt.date(2026, 7, 1))
    services.milestone_complete(by=person, milestone=milestone, done_on=dt.date(2026, 1, 5))

    milestone.refresh_from_db()
    assert (milestone.owner, milestone.due_on, milestone.done_on) == (
        teammate,
        dt.date(2026, 7, 1),
        dt.date(2026, 1, 5),
    )
    services.milestone_reopen(by=person, milestone=milestone)
    services.milestone_remove(by=person, milestone=milestone, reason="Duplicate")
    assert not Milestone.objects.exists()
    assert Milestone.history.filter(history_type="-").get().history_change_reason == "Duplicate"


@pytest.mark.parametrize("who", NOT_TEAM)
def test_it_refuses_milestones_to_those_not_on_the_team(request, project, lead, who):
    person = request.getfixturevalue(who)
    milestone = services.milestone_add(by=lead, project=project, title="Rota", due_on=TODAY)
    for attempt in (
        lambda: services.milestone_add(by=person, project=project, title="x", due_on=TODAY),
        lambda: services.milestone_update(by=person, milestone=milestone, title="x"),
        lambda: services.milestone_complete(by=person, milestone=milestone),
        lambda: services.milestone_remove(by=person, milestone=milestone, reason="x"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    milestone.refresh_from_db()
    assert (milestone.title, milestone.done_on, Milestone.objects.count()) == ("Rota", None, 1)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "Give the title"),
        ({"due_on": None}, "Give the due date"),
        ({"due_on": "2026-06-01"}, "The due date must be a date"),
        ({"due_on": dt.date(1, 1, 1)}, "Due date: give a date between 1990 and"),
        ({"due_on": dt.date(9999, 12, 31)}, "Due date: give a date between 1990 and"),
        ({"owner": "member"}, "is not on this project's team"),
        ({"owner": "closed"}, "Choose an active person"),
    ],
)
def test_it_refuses_a_bad_milestone(request, org, project, lead, fields, message):
    if fields.get("owner") == "member":
        fields["owner"] = request.getfixturevalue("member")
    elif fields.get("owner") == "closed":
        fields["owner"] = make_person("gone", (Role.TEAM_LEAD, org["ward"]))
        fields["owner"].is_active = False
    with pytest.raises(ValidationError, match=message):
        services.milestone_add(
            by=lead, project=project, **{"title": "Rota", "due_on": TODAY, **fields}
        )
    assert not Milestone.objects.exists()


def test_it_refuses_to_complete_twice_or_in_the_future(project, lead):
    milestone = services.milestone_add(by=lead, project=project, title="Rota", due_on=TODAY)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.milestone_complete(
            by=lead, milestone=milestone, done_on=dt.date.today() + dt.timedelta(days=2)
        )
    services.milestone_complete(by=lead, milestone=milestone)
    with pytest.raises(ValidationError, match="already done"):
        services.milestone_complete(by=lead, milestone=milestone)
    with pytest.raises(ValidationError, match="Give the reason"):
        services.milestone_remove(by=lead, milestone=milestone, reason=" ")


# Reminders ---------------------------------------------------------------------------------


def _reminders(person):
    return list(Notification.objects.filter(person=person).values_list("text", flat=True))


def test_it_reminds_the_owner_of_an_overdue_milestone_once_per_due_date(project, lead, teammate):
    late = services.milestone_add(
        by=lead, project=project, title="Rota agreed", due_on=dt.date(2026, 6, 1), owner=teammate
    )
    services.milestone_add(
        by=lead, project=project, title="Not yet", due_on=TODAY + dt.timedelta(days=5)
    )
    done = services.milestone_add(
        by=lead, project=project, title="Done", due_on=dt.date(2026, 5, 1), owner=teammate
    )
    services.milestone_complete(by=lead, milestone=done, done_on=dt.date(2026, 4, 30))

    assert services.milestones_remind_overdue(today=TODAY) == 1
    assert services.milestones_remind_overdue(today=TODAY + dt.timedelta(days=1)) == 0
    assert _reminders(teammate) == [
        "Milestone overdue by 14 days: Rota agreed (due 1 Jun 2026; project “Fewer falls at night”)"
    ]
    # A new due date that passes reminds again.
    services.milestone_update(by=lead, milestone=late, due_on=dt.date(2026, 6, 10))
    assert services.milestones_remind_overdue(today=TODAY) == 1
    assert len(_reminders(teammate)) == 2


def test_it_reminds_the_project_lead_of_a_milestone_without_owner(project, lead):
    services.milestone_add(by=lead, project=project, title="Rota", due_on=dt.date(2026, 6, 14))

    assert services.milestones_remind_overdue(today=TODAY) == 1
    assert _reminders(lead) == [
        "Milestone overdue by 1 day: Rota (due 14 Jun 2026; project “Fewer falls at night”)"
    ]


def test_the_reminder_command_queues_the_milestone_reminders(project, lead, capsys):
    services.milestone_add(by=lead, project=project, title="Rota", due_on=dt.date(2020, 1, 1))

    call_command("remind-improvement")

    assert "Reminders of overdue milestones queued" in capsys.readouterr().out
    assert len(_reminders(lead)) == 1


# The project page's section --------------------------------------------------------------


def _queries(function, *args) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function(*args)
    return len(captured)


def test_the_project_page_shows_what_fits_the_method(project, lead):
    section = selectors.methods_section(project, lead)  # the Model for Improvement
    assert (section["a3"], section["ebcd"], section["milestones"]) == (None, None, None)
    assert [link.name for link in section["links"]] == ["A3", "Co-design stages", "Milestones"]

    project.method = Method.PROJECT_MANAGEMENT
    services.milestone_add(by=lead, project=project, title="Late", due_on=dt.date(2020, 1, 1))
    section = selectors.methods_section(project, lead)
    assert section["links"][0].name == "Milestones" and section["links"][0].fits
    assert section["milestones"]["overdue"] == 1
    assert [row.milestone.title for row in section["milestones"]["next"]] == ["Late"]
    assert section["a3"] is None  # another method's structure, not used

    services.a3_update(by=lead, project=project, goal="30% fewer falls")
    assert selectors.methods_section(project, lead)["a3"]["written"] == 1


def test_the_project_page_section_takes_three_queries_however_much_there_is(project, lead):
    project.method = Method.EBCD
    few = _queries(selectors.methods_section, project, lead)
    services.ebcd_stages_ensure(project=project)
    services.a3_update(by=lead, project=project, goal="G", plan="P")
    for k in range(12):
        services.milestone_add(by=lead, project=project, title=f"M{k}", due_on=TODAY, owner=lead)
    many = _queries(selectors.methods_section, project, lead)

    assert few == many == 3
