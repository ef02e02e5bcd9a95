"""Coaching notes are private to the coach and the coachees: the unit's lead, the system
administrator, an outsider and another coach get a 404 on every page of a log; no list, home
section or hours page shows its content to them."""

import datetime as dt

import pytest
from django.urls import reverse
from helpers import make_person

from culture.coaching_support import TODAY, make_coach, open_coaching, record_session
from qms.people.roles import Role

pytestmark = pytest.mark.django_db

SECRET = "PRIVATE-NOTE"


@pytest.fixture
def coach(org):
    return make_coach(org)


@pytest.fixture
def other_coach(org):
    return make_person("othercoach", (Role.IMPROVEMENT_COACH, org["ward"]))


@pytest.fixture
def log(org, coach, member):
    relationship = open_coaching(coach, org["ward"], [member], goals="GOAL-TEXT to lead")
    record_session(
        coach,
        relationship,
        actions=[{"text": "ACTION-TEXT", "owner": member, "due_on": TODAY}],
    )
    return relationship


def _pages(relationship):
    action = relationship.sessions.get().actions.get()
    return {
        "detail": reverse("culture:coaching-detail", args=[relationship.pk]),
        "change": reverse("culture:coaching-edit", args=[relationship.pk]),
        "session": reverse("culture:coaching-session-new", args=[relationship.pk]),
        "end": reverse("culture:coaching-end", args=[relationship.pk]),
        "action": reverse("culture:coaching-action-done", args=[action.pk]),
    }


@pytest.mark.parametrize("who", ["lead", "admin", "outsider", "other_coach", "quality_lead"])
def test_it_answers_404_on_every_page_of_a_log_to_anyone_but_its_coach_and_coachee(
    client, request, log, who
):
    client.force_login(request.getfixturevalue(who))
    for name, url in _pages(log).items():
        response = client.get(url) if name != "action" else client.post(url)
        assert response.status_code == 404, (name, who)
        assert SECRET not in response.content.decode()


def test_it_shows_the_coachee_the_notes_goals_and_actions(client, log, member):
    client.force_login(member)
    body = client.get(_pages(log)["detail"]).content.decode()
    assert SECRET in body and "GOAL-TEXT" in body and "ACTION-TEXT" in body


def test_it_shows_the_coach_the_log_with_its_buttons(client, log, coach):
    client.force_login(coach)
    body = client.get(_pages(log)["detail"]).content.decode()
    assert SECRET in body
    assert reverse("culture:coaching-session-new", args=[log.pk]) in body


def test_it_keeps_the_coach_pages_from_the_coachee(client, log, member):
    client.force_login(member)
    for name in ("change", "session", "end"):
        assert client.get(_pages(log)[name]).status_code == 404


def test_it_lets_the_coachee_mark_their_action_done(client, log, member):
    client.force_login(member)
    response = client.post(_pages(log)["action"])
    assert response.status_code == 302
    assert log.sessions.get().actions.get().done_on == TODAY


def test_it_refuses_a_coachee_marking_another_coachees_action(client, org, coach, lead, member):
    team = open_coaching(coach, org["ward"], [lead, member], kind="team")
    session = record_session(
        coach, team, actions=[{"text": "Lead's own", "owner": lead, "due_on": TODAY}]
    )
    client.force_login(member)
    url = reverse("culture:coaching-action-done", args=[session.actions.get().pk])
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405


def test_it_shows_leaders_hours_never_content(client, log, lead, quality_lead, member):
    for leader in (lead, quality_lead):
        client.force_login(leader)
        response = client.get(reverse("culture:coaching-hours"))
        body = response.content.decode()
        assert response.status_code == 200
        assert "0.8" in body  # 45 minutes
        for text in (SECRET, "GOAL-TEXT", "ACTION-TEXT", str(log.title), "Member"):
            assert text not in body
    client.force_login(member)
    assert client.get(reverse("culture:coaching-hours")).status_code == 403


def test_it_lists_a_log_only_for_its_coach_and_coachee(client, log, coach, member, lead, admin):
    url = reverse("culture:coaching-list")
    for person, listed in ((coach, True), (member, True), (lead, False), (admin, False)):
        client.force_login(person)
        assert (log.title in client.get(url).content.decode()) is listed, person


def test_it_answers_404_for_ids_that_are_not_there(client, log, coach):
    client.force_login(coach)
    for pk in (0, 999_999, 2**63):
        for url in (
            f"/culture/coaching/{pk}/",
            f"/culture/coaching/{pk}/change/",
            f"/culture/coaching/{pk}/sessions/new/",
        ):
            assert client.get(url).status_code == 404
        assert client.post(f"/culture/coaching/actions/{pk}/done/").status_code == 404


def test_it_answers_404_to_someone_who_left(client, log, member):
    member.is_active = False
    member.save()
    client.force_login(member)
    assert client.get(_pages(log)["detail"]).status_code in (302, 404)


def test_it_ends_the_log_and_it_stays_readable(client, log, coach, member):
    client.force_login(coach)
    url = _pages(log)["end"]
    assert client.post(url, {"summary": ""}).status_code == 400
    assert client.post(url, {"summary": "Confident at the huddle."}).status_code == 302
    client.force_login(member)
    body = client.get(_pages(log)["detail"]).content.decode()
    assert "Confident at the huddle." in body and "Ended" in body
    assert dt.date.today().strftime("%Y") in body


def test_it_names_no_log_session_or_action_on_the_admins_page_deleting_a_coach_or_coachee(
    client, log, coach, member, admin
):
    # Django's admin lists by name what deleting a person would delete or is protected by: a
    # log's title, a session's focus or an action's text would be read there.
    session = log.sessions.get()
    client.force_login(admin)
    for person in (coach, member):
        response = client.get(reverse("admin:people_person_delete", args=[person.pk]))
        body = response.content.decode()
        assert response.status_code == 200
        for text in (log.title, session.focus, "ACTION-TEXT", "GOAL-TEXT", SECRET):
            assert text not in body, (person, text)
