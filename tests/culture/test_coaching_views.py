"""The coaching pages: who may open a log, record a session, and what bad input gets."""

import datetime as dt

import pytest
from django.urls import reverse

from culture.coaching_support import TODAY, make_coach, open_coaching
from qms.culture.models import AgreedAction, CoachingRelationship, CoachingSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach(org):
    return make_coach(org)


def _open_form(org, **fields):
    return {
        "unit": org["ward"].pk,
        "kind": "team",
        "title": "Falls team",
        "coachees": "lead\nmember@example.org",
        "goals": "Halve falls at night.",
        "started_on": TODAY.isoformat(),
        **fields,
    }


def test_it_opens_a_log_from_the_page(client, org, coach, lead, member):
    client.force_login(coach)
    assert client.get(reverse("culture:coaching-new")).status_code == 200
    response = client.post(reverse("culture:coaching-new"), _open_form(org))
    relationship = CoachingRelationship.objects.get()
    assert response.status_code == 302
    assert response["Location"] == relationship.get_absolute_url()
    assert set(relationship.coachees.all()) == {lead, member}


@pytest.mark.parametrize("who", ["member", "partner"])
def test_it_refuses_the_new_log_page_to_people_who_do_not_coach(client, request, org, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("culture:coaching-new")).status_code == 403
    assert client.post(reverse("culture:coaching-new"), _open_form(org)).status_code == 403
    assert not CoachingRelationship.objects.exists()


def test_it_asks_anonymous_people_to_log_in(client, org):
    for name in ("coaching-list", "coaching-new", "coaching-hours"):
        assert client.get(reverse(f"culture:{name}")).status_code == 302


@pytest.mark.parametrize(
    "fields",
    [
        {"coachees": "nobody-at-all"},
        {"coachees": "outsider"},
        {"coachees": ""},
        {"unit": "999999999999999999999"},
        {"unit": "elsewhere"},
        {"kind": "crowd"},
        {"title": ""},
        {"goals": "x" * 6000},
        {"started_on": "31/31/2026"},
        {"project": "-1"},
        {"goals": "Patient NHS 943 476 5919 fell"},
    ],
)
def test_it_refuses_bad_input_and_saves_nothing(client, org, coach, lead, member, outsider, fields):
    client.force_login(coach)
    response = client.post(reverse("culture:coaching-new"), _open_form(org, **fields))
    assert response.status_code == 400
    assert not CoachingRelationship.objects.exists()


def test_it_refuses_a_unit_where_the_person_does_not_coach(client, org, coach, lead):
    client.force_login(coach)
    form = _open_form(org, unit=org["elsewhere"].pk, coachees="lead", kind="person")
    assert client.post(reverse("culture:coaching-new"), form).status_code == 400


def test_it_records_a_session_with_actions_from_the_page(client, org, coach, lead):
    relationship = open_coaching(coach, org["ward"], [lead])
    client.force_login(coach)
    url = reverse("culture:coaching-session-new", args=[relationship.pk])
    assert client.get(url).status_code == 200
    due = (TODAY + dt.timedelta(days=7)).isoformat()
    form = {
        "held_on": TODAY.isoformat(),
        "minutes": "50",
        "focus": "Handover",
        "notes": "Went well",
        "action_1": "Draft the handover sheet",
        "owner_1": str(lead.pk),
        "due_1": due,
        "next_session_on": due,
    }
    assert client.post(url, form).status_code == 302
    session = CoachingSession.objects.get()
    assert session.minutes == 50 and session.actions.get().owner == lead


@pytest.mark.parametrize(
    "fields",
    [
        {"minutes": "0"},
        {"minutes": "99999999999999999999"},
        {"owner_1": "999999"},
        {"due_1": ""},
        {"held_on": (TODAY + dt.timedelta(days=3)).isoformat()},
        {"focus": ""},
    ],
)
def test_it_refuses_a_bad_session_and_saves_nothing(client, org, coach, lead, member, fields):
    relationship = open_coaching(coach, org["ward"], [lead])
    client.force_login(coach)
    form = {
        "held_on": TODAY.isoformat(),
        "minutes": "50",
        "focus": "Handover",
        "action_1": "Something",
        "owner_1": str(lead.pk),
        "due_1": TODAY.isoformat(),
        **fields,
    }
    url = reverse("culture:coaching-session-new", args=[relationship.pk])
    assert client.post(url, form).status_code == 400
    assert not CoachingSession.objects.exists() and not AgreedAction.objects.exists()


def test_it_offers_a_member_of_another_unit_nothing_to_own(client, org, coach, lead, member):
    relationship = open_coaching(coach, org["ward"], [lead])
    client.force_login(coach)
    url = reverse("culture:coaching-session-new", args=[relationship.pk])
    body = client.get(url).content.decode()
    assert f'value="{lead.pk}"' in body and f'value="{member.pk}"' not in body


def test_it_changes_the_goals_from_the_page(client, org, coach, lead):
    relationship = open_coaching(coach, org["ward"], [lead])
    client.force_login(coach)
    url = reverse("culture:coaching-edit", args=[relationship.pk])
    assert client.get(url).status_code == 200
    form = {"title": "New title", "coachees": "lead", "goals": "New goals"}
    assert client.post(url, form).status_code == 302
    relationship.refresh_from_db()
    assert relationship.goals == "New goals"


def test_it_shows_the_culture_home_section_by_role(client, org, coach, lead, member):
    open_coaching(coach, org["ward"], [lead], next_session_on=TODAY + dt.timedelta(days=2))
    client.force_login(coach)
    body = client.get(reverse("culture:home")).content.decode()
    assert reverse("culture:coaching-new") in body and "Sessions due this week" in body
    client.force_login(member)
    body = client.get(reverse("culture:home")).content.decode()
    assert reverse("culture:coaching-new") not in body
    assert reverse("culture:coaching-list") in body


def test_it_offers_the_next_session_already_planned_on_the_session_form(client, org, coach, lead):
    planned = TODAY + dt.timedelta(days=4)
    relationship = open_coaching(coach, org["ward"], [lead], next_session_on=planned)
    client.force_login(coach)
    body = client.get(reverse("culture:coaching-session-new", args=[relationship.pk])).content
    assert f'value="{planned.isoformat()}"'.encode() in body


def test_it_lets_a_system_administrator_see_hours_but_no_log(client, org, coach, lead, admin):
    relationship = open_coaching(coach, org["ward"], [lead])
    client.force_login(admin)
    assert client.get(reverse("culture:coaching-hours")).status_code == 200
    assert client.get(relationship.get_absolute_url()).status_code == 404
