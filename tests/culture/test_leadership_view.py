"""The leader's view: what each leader's teams need from them, per role; who may open it; the
home card; bounded queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from helpers import make_measure, make_person

from culture.coaching_support import TODAY, make_coach, open_coaching
from qms.culture.selectors import leadership as selectors
from qms.escalation import services as escalation
from qms.issues import services as issues
from qms.issues.models import Action
from qms.people.roles import Role

pytestmark = pytest.mark.django_db

URL = "/culture/leader/"


@pytest.fixture
def service_lead(org):
    return make_person("servicelead", (Role.TEAM_LEAD, org["service"]))


@pytest.fixture
def issue(org, lead, member):
    raised = issues.issue_raise(
        by=lead, unit=org["ward"], title="Falls at night rising", source="other"
    )
    issues.action_add(
        by=lead,
        issue=raised,
        what="Order bed alarms",
        owner=member,
        due_on=TODAY + dt.timedelta(days=5),
    )
    Action.objects.update(due_on=TODAY - dt.timedelta(days=3))  # now overdue
    return raised


@pytest.fixture
def escalated(issue, lead):
    return escalation.escalate(by=lead, subject=issue, reason="Needs a budget for bed alarms")


def _bright_spot(unit, decided_days_ago=10):
    from qms.learning.models import BrightSpot

    return BrightSpot.objects.create(
        unit=unit,
        measure=make_measure(unit, f"falls-{unit.code}-{decided_days_ago}"),
        kind="sustained",
        status="accepted",
        finding={"since": "2026-01-01", "points": 12},
        period_end=dt.date(2026, 1, 1),
        decided_at=timezone.now() - dt.timedelta(days=decided_days_ago),
    )


def _project(unit, lead, stage="sustaining", title="Safer nights"):
    from qms.improvement.models import Project

    return Project.objects.create(
        unit=unit, title=title, problem="Falls", aim="Fewer falls", lead=lead, stage=stage
    )


def test_it_shows_the_unit_above_the_escalation_waiting_for_its_answer(
    client, escalated, service_lead, lead
):
    client.force_login(service_lead)
    body = client.get(URL).content.decode()
    assert "Falls at night rising" in body
    assert escalated.get_absolute_url() in body
    # The ward's lead escalated it: it waits for the unit above, not for them.
    assert [e.pk for e in selectors.leader_view(lead).escalations.rows] == []


def test_it_shows_overdue_actions_in_the_units_a_leader_leads(
    client, issue, lead, service_lead, outsider
):
    for person in (lead, service_lead):
        view = selectors.leader_view(person)
        assert [a.what for a in view.overdue_actions.rows] == ["Order bed alarms"]
    assert not selectors.leader_view(outsider).overdue_actions
    client.force_login(lead)
    body = client.get(URL).content.decode()
    assert "Order bed alarms" in body and issue.get_absolute_url() in body


def test_it_leaves_done_and_closed_work_out(issue, lead):
    Action.objects.update(done_at=timezone.now())
    assert not selectors.leader_view(lead).overdue_actions


def _recognise(by, unit, recipient=None):
    from qms.culture.selectors import recognition
    from qms.culture.services.recognition import recognition_report, themes_defaults_ensure

    themes_defaults_ensure()  # seeded by a migration; tests build the database from the models
    return recognition_report(
        by=by,
        unit=unit,
        recipient=recipient,
        what_happened="Calm handover in a busy night",
        why_it_mattered="Nothing was missed",
        themes=recognition.themes()[:1],
    )


def test_it_shows_recognition_to_give_from_bright_spots_and_sustaining_projects(client, org, lead):
    spot = _bright_spot(org["ward"])
    _bright_spot(org["ward"], decided_days_ago=200)  # too long ago
    _bright_spot(org["elsewhere"])  # not theirs
    project = _project(org["ward"], lead)
    _project(org["ward"], lead, stage="testing", title="Still testing")
    view = selectors.leader_view(lead)
    assert [s.pk for s in view.bright_spots.rows] == [spot.pk]
    assert [p.pk for p in view.sustaining_projects.rows] == [project.pk]
    client.force_login(lead)
    body = client.get(URL).content.decode()
    assert project.get_absolute_url() in body and spot.get_absolute_url() in body
    assert "Still testing" not in body


def test_it_shows_the_coach_their_sessions_due(client, org, lead):
    coach = make_coach(org)
    relationship = open_coaching(
        coach, org["ward"], [lead], next_session_on=TODAY + dt.timedelta(days=1)
    )
    client.force_login(coach)
    body = client.get(URL).content.decode()
    assert relationship.get_absolute_url() in body


@pytest.mark.parametrize("who", ["member", "partner"])
def test_it_refuses_the_view_to_people_who_lead_nothing(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403


def test_it_asks_anonymous_people_to_log_in(client, org):
    assert client.get(URL).status_code == 302


def test_it_shows_a_leader_with_nothing_waiting_an_empty_but_useful_page(client, lead):
    client.force_login(lead)
    response = client.get(URL)
    assert response.status_code == 200
    assert "None waiting." in response.content.decode()
    assert selectors.home_leader(lead) is None


def test_it_puts_a_card_on_home_only_for_leaders_with_something_waiting(
    client, escalated, service_lead, member, lead
):
    assert selectors.home_leader(member) is None
    client.force_login(service_lead)
    body = client.get(reverse("home")).content.decode()
    assert "Your teams need you" in body and "1 escalation waiting" in body
    client.force_login(member)
    assert "Your teams need you" not in client.get(reverse("home")).content.decode()


def test_it_reads_the_view_in_the_same_queries_whatever_the_numbers(
    org, lead, member, service_lead, django_assert_max_num_queries
):
    def add(count):
        for i in range(count):
            raised = issues.issue_raise(
                by=lead, unit=org["ward"], title=f"Issue {i}", source="other"
            )
            issues.action_add(by=lead, issue=raised, what=f"Do {i}", owner=member, due_on=TODAY)
            escalation.escalate(by=lead, subject=raised, reason="Beyond us")
            _project(org["ward"], lead, title=f"Project {i}")
        Action.objects.update(due_on=TODAY - dt.timedelta(days=1))

    add(2)
    with django_assert_max_num_queries(14) as small:
        view = selectors.leader_view(service_lead)
    assert view.escalations.total == 2
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        view = selectors.leader_view(service_lead)
    assert view.overdue_actions.total == 22 and len(view.overdue_actions.rows) == selectors.LIMIT


def test_it_shows_walkrounds_planned_and_open_walkround_actions(client, org, lead):
    from qms.culture.models import WalkroundTheme
    from qms.culture.services import walkrounds

    executive = make_person("executive", (Role.EXECUTIVE, org["board"]))
    planned = walkrounds.walkround_plan(
        by=executive,
        unit=org["ward"],
        planned_on=TODAY + dt.timedelta(days=7),
        leaders=[executive],
        focus="Night-time medicines rounds",
    )
    visited = walkrounds.walkround_plan(
        by=executive, unit=org["ward"], planned_on=TODAY, leaders=[executive], focus="Falls"
    )
    walkrounds.walkround_record(by=executive, walkround=visited, done_on=TODAY)
    walkrounds.walkround_item_add(
        by=executive,
        walkround=visited,
        what="No spare bed alarms at night",
        theme=WalkroundTheme.values[0],
        action="Buy two bed alarms",
        owner=lead,
        due_on=TODAY + dt.timedelta(days=5),
    )
    view = selectors.leader_view(executive)
    assert [w.pk for w in view.walkrounds_planned.rows] == [planned.pk]
    assert [action.what for action in view.walkround_actions.rows] == ["Buy two bed alarms"]
    # The ward's lead sees the walkround planned in their unit, not the executive's follow-up.
    lead_view = selectors.leader_view(lead)
    assert [w.pk for w in lead_view.walkrounds_planned.rows] == [planned.pk]
    assert not lead_view.walkround_actions
    client.force_login(executive)
    body = client.get(URL).content.decode()
    assert "Buy two bed alarms" in body and planned.get_absolute_url() in body


def test_it_links_the_view_from_culture_home_for_leaders_only(client, lead, member):
    client.force_login(lead)
    assert URL in client.get(reverse("culture:home")).content.decode()
    client.force_login(member)
    assert URL not in client.get(reverse("culture:home")).content.decode()


def test_it_leaves_out_good_work_whose_team_was_recognised_since(org, lead, member):
    _bright_spot(org["ward"])
    _project(org["ward"], lead)
    _recognise(member, org["ward"])
    view = selectors.leader_view(lead)
    assert not view.bright_spots and not view.sustaining_projects


def test_it_lists_recognition_to_pass_on_and_quiet_teams(client, org, lead, member, quality_lead):
    recognition = _recognise(lead, org["ward"], recipient=member)
    view = selectors.leader_view(quality_lead)
    assert [r.pk for r in view.recognition_to_pass_on.rows] == [recognition.pk]
    # Ward 7 was recognised; Ward 8, the other ward of the division, was not.
    assert [u.code for u in view.quiet_teams.rows] == ["other-ward"]
    client.force_login(quality_lead)
    body = client.get(URL).content.decode()
    assert recognition.get_absolute_url() in body
    assert f"/culture/recognition/new/?unit={org['other_ward'].pk}" in body
