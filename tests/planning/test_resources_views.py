"""The resources page, the capacity form, and the roles pages of priorities and projects:
who sees and changes them, bad input, and a fixed number of queries."""

from decimal import Decimal

import pytest
from django.test import Client

from planning.designres_support import *  # noqa: F403
from qms.improvement import services as improvement_services
from qms.planning import services
from qms.planning.models import Responsibility, UnitCapacity


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("member", 200), ("quality_lead", 200), ("partner", 403), ("outsider", 404)],
)
def test_it_shows_a_unit_s_resources_to_its_staff(client, as_user, org, who, status):
    as_user(who)
    assert client.get(f"/plan/units/{org['ward'].pk}/resources/").status_code == status


def test_it_says_when_a_unit_has_no_capacity_and_when_it_is_over_committed(
    client, as_user, org, priority
):
    as_user("lead")
    url = f"/plan/units/{org['ward'].pk}/resources/"
    assert "has no capacity set" in client.get(url).content.decode()
    services.capacity_set(by=None, unit=org["ward"], protected_hours=2, budget=100)
    services.priority_resources_set(by=None, priority=priority, protected_hours=5, budget=50)
    text = client.get(url).content.decode()
    assert "Over-committed." in text
    assert "3.0 hours a week more committed than protected (5.0 of 2.0)" in text
    assert "Most effort goes to planning" in text
    assert 'data-spec-id="balance-spec"' in text


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("partner", 403), ("outsider", 404)])
def test_it_lets_only_leaders_set_capacity(client, as_user, org, who, status):
    as_user(who)
    url = f"/plan/units/{org['ward'].pk}/resources/capacity/"
    assert client.get(url).status_code == status
    assert client.post(url, {"protected_hours": "5"}).status_code == status
    assert not UnitCapacity.objects.exists()


def test_it_sets_capacity_from_the_form(client, as_user, org):
    as_user("lead")
    url = f"/plan/units/{org['ward'].pk}/resources/capacity/"
    response = client.post(url, {"protected_hours": "12.5", "budget": "", "control_hours": "3"})
    assert response.status_code == 302
    capacity = UnitCapacity.objects.get()
    assert (capacity.protected_hours, capacity.budget) == (Decimal("12.5"), None)


@pytest.mark.parametrize("value", ["-1", "NaN", "inf", "1e400", "ten", "99999999999999999999"])
def test_it_answers_bad_figures_with_the_form_again(client, as_user, org, value):
    as_user("lead")
    url = f"/plan/units/{org['ward'].pk}/resources/capacity/"
    response = client.post(url, {"protected_hours": value})
    assert response.status_code == 400
    assert not UnitCapacity.objects.exists()


@pytest.mark.parametrize(
    ("who", "status", "form"),
    [
        ("lead", 200, True),
        ("quality_lead", 200, True),
        ("member", 200, False),
        ("granted_partner", 200, False),
        ("partner", 403, False),
        ("outsider", 404, False),
    ],
)
def test_it_shows_a_priority_s_roles_and_offers_the_forms_to_its_scorers(
    client, as_user, priority, lead, who, status, form
):
    services.responsibility_add(by=None, priority=priority, person=lead, raci="A")
    as_user(who)
    response = client.get(f"/plan/priorities/{priority.pk}/roles/")
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert "Accountable" in text
        assert ("Give the responsibility" in text) is form


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 403), ("granted_partner", 403), ("partner", 403), ("outsider", 404)],
)
def test_it_refuses_others_changing_a_priority_s_roles(
    client, as_user, priority, lead, who, status
):
    r = services.responsibility_add(by=None, priority=priority, person=lead, raci="R")
    as_user(who)
    url = f"/plan/priorities/{priority.pk}/roles/"
    assert client.post(url, {"person": lead.pk, "raci": "A"}).status_code == status
    assert client.post(f"/plan/responsibilities/{r.pk}/remove/").status_code == status
    resources = f"/plan/priorities/{priority.pk}/resources/"
    assert client.post(resources, {"protected_hours": "3"}).status_code == status
    assert list(Responsibility.objects.values_list("raci", flat=True)) == ["R"]


def test_it_gives_and_removes_responsibilities_with_the_form(client, as_user, priority, member):
    as_user("lead")
    url = f"/plan/priorities/{priority.pk}/roles/"
    response = client.post(url, {"person": member.pk, "raci": "A", "note": "Owns it"})
    assert response.status_code == 302
    r = Responsibility.objects.get()
    assert (r.person, r.raci, r.note) == (member, "A", "Owns it")
    response = client.post(url, {"person": member.pk, "raci": "A"})
    assert response.status_code == 400
    client.post(f"/plan/responsibilities/{r.pk}/remove/")
    assert not Responsibility.objects.exists()


def test_it_refuses_the_second_accountable_with_a_message(client, as_user, priority, lead, member):
    services.responsibility_add(by=None, priority=priority, person=lead, raci="A")
    as_user("lead")
    response = client.post(
        f"/plan/priorities/{priority.pk}/roles/", {"person": member.pk, "raci": "A"}
    )
    assert response.status_code == 400
    assert "one person is accountable" in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"person": "99999999999999999999999", "raci": "R"},
        {"person": "abc", "raci": "R"},
        {"person": "", "raci": "R"},
        {"raci": "Z"},
    ],
)
def test_it_answers_bad_choices_with_the_form_again(client, as_user, priority, outsider, data):
    as_user("lead")
    data = {"person": str(outsider.pk), **data}
    response = client.post(f"/plan/priorities/{priority.pk}/roles/", data)
    assert response.status_code == 400
    assert not Responsibility.objects.exists()


def test_it_refuses_another_unit_s_person_posted_by_id(client, as_user, priority, outsider):
    as_user("lead")
    response = client.post(
        f"/plan/priorities/{priority.pk}/roles/", {"person": outsider.pk, "raci": "R"}
    )
    assert response.status_code == 400
    assert not Responsibility.objects.exists()


def test_it_sets_a_priority_s_resources_from_the_roles_page(client, as_user, priority):
    as_user("lead")
    response = client.post(
        f"/plan/priorities/{priority.pk}/resources/", {"protected_hours": "4", "budget": "NaN"}
    )
    assert response.status_code == 400
    response = client.post(
        f"/plan/priorities/{priority.pk}/resources/", {"protected_hours": "4", "budget": "120"}
    )
    assert response.status_code == 302
    priority.refresh_from_db()
    assert priority.protected_hours == Decimal("4.0")


@pytest.mark.parametrize(
    ("who", "status"), [("lead", 200), ("member", 200), ("partner", 403), ("outsider", 404)]
)
def test_it_shows_a_project_s_roles(client, as_user, project, who, status):
    as_user(who)
    assert client.get(f"/plan/projects/{project.pk}/roles/").status_code == status


def test_it_lets_only_a_project_s_leads_change_its_roles(client, as_user, project, member, lead):
    as_user("member")
    url = f"/plan/projects/{project.pk}/roles/"
    assert client.post(url, {"person": lead.pk, "raci": "A"}).status_code == 403
    as_user("lead")
    assert client.post(url, {"person": member.pk, "raci": "R"}).status_code == 302
    assert Responsibility.objects.get().project == project


@pytest.mark.parametrize(
    "url",
    [
        "/plan/units/99999999999999999999/resources/",
        "/plan/priorities/99999999999999999999/roles/",
        "/plan/projects/99999999999999999999/roles/",
    ],
)
def test_it_answers_malformed_ids_with_not_found(client, as_user, org, url):
    as_user("lead")
    assert client.get(url).status_code == 404


def test_it_refuses_a_removal_without_csrf(priority, lead, member):
    r = services.responsibility_add(by=None, priority=priority, person=member, raci="R")
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    assert client.post(f"/plan/responsibilities/{r.pk}/remove/").status_code == 403
    assert Responsibility.objects.filter(pk=r.pk).exists()


def test_it_shows_resources_in_a_fixed_number_of_queries(
    client, as_user, org, lead, django_assert_max_num_queries
):
    as_user("quality_lead")
    url = f"/plan/units/{org['division'].pk}/resources/"
    services.capacity_set(by=None, unit=org["ward"], protected_hours=5)

    def add(count):
        for i in range(count):
            unit = org["ward"] if i % 2 else org["other_ward"]
            make_priority(unit, f"P{i}", protected_hours=1, budget=10)  # noqa: F405
            improvement_services.project_create(
                by=None, unit=unit, title=f"J{i}", problem="p", aim="a", protected_hours=2
            )

    add(2)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    add(20)
    with django_assert_max_num_queries(20):
        text = client.get(url).content.decode()
    assert "Candidate and approved priorities with hours or budget (22)" in text


def test_it_shows_a_priority_s_roles_in_a_fixed_number_of_queries(
    client, as_user, org, priority, django_assert_max_num_queries
):
    from helpers import make_person

    from qms.people.roles import Role

    as_user("lead")
    url = f"/plan/priorities/{priority.pk}/roles/"
    with django_assert_max_num_queries(20):
        client.get(url)
    for i in range(15):
        person = make_person(f"staff{i}", (Role.TEAM_MEMBER, org["ward"]))
        services.responsibility_add(by=None, priority=priority, person=person, raci="C")
    with django_assert_max_num_queries(20):
        assert client.get(url).content.decode().count("Consulted") >= 15


def test_it_links_a_project_s_page_to_its_responsibilities(client, as_user, project):
    as_user("member")
    text = client.get(project.get_absolute_url()).content.decode()
    assert f'href="/plan/projects/{project.pk}/roles/"' in text
