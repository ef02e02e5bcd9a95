"""Walkrounds' pages: who reads them (the unit's staff), who plans, records and feeds back (its
senior leaders), the blame and identifier screening of what staff raised, and bad input."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from culture.walkrounds_support import *  # noqa: F403
from culture.walkrounds_support import done
from qms.culture.models import Walkround, WalkroundItem, WalkroundStatus
from qms.issues.models import Action

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(f"culture:{name}", args=args)


@pytest.fixture
def visited(planned, executive):
    return done(planned, executive, on=timezone.localdate())


def _item(lead, **extra):
    return {
        "what": "The drug fridge alarm cannot be heard from the nurses' station",
        "theme": "tools",
        "action": "Move the alarm's sounder",
        "owner": lead.pk,
        "due_on": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
        **extra,
    }


# Reading ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who, sees", [("member", True), ("lead", True), ("outsider", False)])
def test_it_lists_walkrounds_to_the_units_staff_only(client, as_user, planned, who, sees):
    as_user(who)
    response = client.get(_url("walkround-list"))
    assert response.status_code == 200
    assert (planned.focus in response.content.decode()) is sees


def test_it_keeps_the_list_from_partners_and_strangers(client, as_user, planned):
    as_user("partner")
    assert client.get(_url("walkround-list")).status_code == 403
    client.logout()
    assert client.get(_url("walkround-list")).status_code == 302


@pytest.mark.parametrize("unit", ["abc", "99999999999999999999999", "-1", "other"])
def test_it_answers_404_for_a_unit_filter_it_cannot_read(client, as_user, org, planned, unit):
    as_user("member")
    unit = org["elsewhere"].pk if unit == "other" else unit
    assert client.get(_url("walkround-list"), {"unit": unit}).status_code == 404


def test_it_filters_by_unit_and_offers_planning_to_senior_leaders(client, as_user, org, planned):
    as_user("executive")
    page = client.get(_url("walkround-list"), {"unit": org["ward"].pk}).content.decode()
    assert "Plan a walkround of Ward 7" in page and planned.focus in page
    page = client.get(_url("walkround-list"), {"unit": org["other_ward"].pk}).content.decode()
    assert planned.focus not in page


@pytest.mark.parametrize("who, status", [("member", 200), ("partner", 403), ("outsider", 404)])
def test_it_shows_a_walkround_to_its_units_staff(client, as_user, planned, who, status):
    as_user(who)
    response = client.get(_url("walkround-detail", planned.pk))
    assert response.status_code == status
    if status == 200:
        assert "Record it as done" not in response.content.decode()


@pytest.mark.parametrize("pk", ["0", "99999999999999999999"])
def test_it_answers_404_for_walkrounds_that_do_not_exist(client, as_user, pk):
    as_user("member")
    assert client.get(f"/culture/walkrounds/{pk}/").status_code == 404


# Planning -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", [("lead", 403), ("member", 403), ("outsider", 404)])
def test_it_lets_only_senior_leaders_plan(client, as_user, org, executive, who, status):
    as_user(who)
    url = _url("walkround-plan", org["ward"].pk)
    assert client.get(url).status_code == status
    data = {"planned_on": "2026-12-20", "leaders": [executive.pk]}
    assert client.post(url, data).status_code == status
    assert not Walkround.objects.exists()


def test_it_plans_a_walkround(client, as_user, org, quality_lead):
    executive = as_user("executive")
    url = _url("walkround-plan", org["ward"].pk)
    page = client.get(url).content.decode()
    assert "Leaders going" in page and "quality" in page.lower()
    planned_on = timezone.localdate() + dt.timedelta(days=10)
    data = {
        "planned_on": planned_on.isoformat(),
        "leaders": [executive.pk, quality_lead.pk],
        "focus": "Falls at night",
    }
    response = client.post(url, data)
    walkround = Walkround.objects.get()
    assert response.url == walkround.get_absolute_url()
    assert set(walkround.leaders.all()) == {executive, quality_lead}


@pytest.mark.parametrize(
    "data, message",
    [
        ({"planned_on": "not a date"}, "Enter a date"),
        ({"planned_on": "2026-12-20", "leaders": []}, "at least one leader"),
        ({"planned_on": "9999-12-31"}, "within a year"),
        ({"leaders": ["999999999999999999999"]}, "valid choice"),
        ({"leaders": ["1e3"]}, "valid choice"),
        ({"focus": "x" * 301}, "at most 300"),
        ({"focus": "Bed 3, NHS 943 476 5919"}, "NHS"),
    ],
)
def test_it_refuses_a_bad_plan_saying_why(client, as_user, org, data, message):
    executive = as_user("executive")
    base = {"planned_on": timezone.localdate().isoformat(), "leaders": [executive.pk]}
    response = client.post(_url("walkround-plan", org["ward"].pk), base | data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Walkround.objects.exists()


# Recording ----------------------------------------------------------------------------------------


def test_it_records_the_visit_done_by_a_leader_only(client, as_user, planned):
    today = timezone.localdate().isoformat()
    as_user("lead")
    assert client.post(_url("walkround-done", planned.pk), {"done_on": today}).status_code == 403
    as_user("executive")
    assert client.get(_url("walkround-done", planned.pk)).status_code == 405
    client.post(_url("walkround-done", planned.pk), {"done_on": "rubbish"})
    planned.refresh_from_db()
    assert planned.status == WalkroundStatus.PLANNED
    client.post(_url("walkround-done", planned.pk), {"done_on": today})
    planned.refresh_from_db()
    assert planned.status == WalkroundStatus.DONE


def test_it_cancels_a_planned_walkround(client, as_user, planned):
    as_user("executive")
    client.post(_url("walkround-cancel", planned.pk), {"reason": "Ward closed for flu"})
    planned.refresh_from_db()
    assert planned.status == WalkroundStatus.CANCELLED


def test_it_adds_what_staff_raised_with_an_issue_and_action(client, as_user, visited, lead):
    as_user("executive")
    response = client.post(_url("walkround-item-add", visited.pk), _item(lead))
    assert response.status_code == 302
    item = WalkroundItem.objects.get()
    assert item.issue.actions.get().owner == lead
    as_user("member")
    page = client.get(visited.get_absolute_url()).content.decode()
    assert "drug fridge alarm" in page and item.issue.get_absolute_url() in page
    assert "Add what staff raised" not in page


def test_it_keeps_what_was_typed_when_an_action_lacks_its_date(client, as_user, visited, lead):
    as_user("executive")
    response = client.post(_url("walkround-item-add", visited.pk), _item(lead, due_on=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the action a due date" in page and "cannot be heard" in page
    assert not WalkroundItem.objects.exists() and not Action.objects.exists()


@pytest.mark.parametrize(
    "what",
    ["Nurse Smith forgot to check the fridge", "John didn't check it", "It was human error"],
)
def test_it_prompts_gently_on_blame_and_keeps_the_wording_when_asked(
    client, as_user, visited, lead, what
):
    as_user("executive")
    url = _url("walkround-item-add", visited.pk)
    response = client.post(url, _item(lead, what=what))
    assert response.status_code == 400
    page = response.content.decode()
    assert "may read as blaming a person" in page and "Keep my wording" in page
    assert not WalkroundItem.objects.exists()
    assert client.post(url, _item(lead, what=what, wording_kept="on")).status_code == 302
    assert WalkroundItem.objects.get().what == what


def test_it_refuses_an_nhs_number_in_what_staff_raised(client, as_user, visited, lead):
    as_user("executive")
    response = client.post(
        _url("walkround-item-add", visited.pk), _item(lead, what="Bed 2 943 476 5919 fell")
    )
    assert response.status_code == 400 and "NHS" in response.content.decode()
    assert not WalkroundItem.objects.exists()


def test_it_refuses_items_from_those_who_do_not_lead(client, as_user, visited, lead):
    for who, status in (("lead", 403), ("member", 403), ("outsider", 404)):
        as_user(who)
        assert (
            client.post(_url("walkround-item-add", visited.pk), _item(lead)).status_code == status
        )
    assert not WalkroundItem.objects.exists()


def test_it_shows_the_feedback_to_the_units_staff(client, as_user, visited):
    as_user("executive")
    data = {"feedback": "The alarm sounder now sits at the station", "feedback_on": ""}
    assert client.post(_url("walkround-feedback", visited.pk), data).status_code == 400
    data["feedback_on"] = timezone.localdate().isoformat()
    assert client.post(_url("walkround-feedback", visited.pk), data).status_code == 302
    as_user("member")
    assert "sounder now sits" in client.get(visited.get_absolute_url()).content.decode()
    assert client.post(_url("walkround-feedback", visited.pk), data).status_code == 403


@pytest.mark.parametrize("owner", ["99999999999999999999999", "abc", "0"])
def test_it_refuses_an_owner_not_offered(client, as_user, visited, lead, owner):
    as_user("executive")
    response = client.post(_url("walkround-item-add", visited.pk), _item(lead, owner=owner))
    assert response.status_code == 400 and "valid choice" in response.content.decode()


def test_it_asks_about_a_named_doctor_as_an_identifier_then_as_blame(
    client, as_user, visited, lead
):
    as_user("executive")
    url = _url("walkround-item-add", visited.pk)
    what = "Dr Patel missed the result"
    page = client.post(url, _item(lead, what=what)).content.decode()
    assert "may identify a patient" in page and "Keep my wording" not in page
    page = client.post(url, _item(lead, what=what, identifiers_checked="on")).content.decode()
    assert "may read as blaming a person" in page
    data = _item(lead, what=what, identifiers_checked="on", wording_kept="on")
    assert client.post(url, data).status_code == 302


def test_it_takes_no_item_or_feedback_before_the_walkround_is_done(client, as_user, planned, lead):
    as_user("executive")
    response = client.post(_url("walkround-item-add", planned.pk), _item(lead), follow=True)
    assert "this walkround is planned, not done" in response.content.decode()
    data = {"feedback": "Thanks", "feedback_on": timezone.localdate().isoformat()}
    response = client.post(_url("walkround-feedback", planned.pk), data, follow=True)
    assert "this walkround is planned, not done" in response.content.decode()
    assert not WalkroundItem.objects.exists()
    planned.refresh_from_db()
    assert planned.feedback == ""


@pytest.mark.parametrize("items", [1, 5])
def test_it_reads_a_walkround_page_in_the_same_queries_whatever_its_items(
    client, as_user, visited, executive, lead, items, django_assert_max_num_queries
):
    from qms.culture.services import walkrounds as services

    for number in range(items):
        services.walkround_item_add(
            by=executive,
            walkround=visited,
            what=f"Item {number}",
            theme="task",
            action=f"Action {number}",
            owner=lead,
            due_on=timezone.localdate(),
        )
    as_user("member")
    client.get(visited.get_absolute_url())  # warms the session and content type caches
    with django_assert_max_num_queries(13):
        assert client.get(visited.get_absolute_url()).status_code == 200


def test_it_links_culture_home_to_walkrounds_for_staff_only(client, as_user):
    as_user("partner")
    html = client.get(reverse("culture:home")).content.decode()
    assert reverse("culture:walkround-list") not in html  # it would answer 403
    as_user("member")
    assert reverse("culture:walkround-list") in client.get(reverse("culture:home")).content.decode()
