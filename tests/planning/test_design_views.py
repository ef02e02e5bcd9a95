"""The design pages: who sees and changes them, keyboard forms for steps, bad input, the
change package, and a fixed number of queries."""

import pytest

from planning.designres_support import *  # noqa: F403
from qms.planning import services
from qms.planning.models import Design, DesignStep


@pytest.fixture
def design(priority):
    design = services.design_create(
        by=None, priority=priority, title="Night huddle", kind="process"
    )
    for name in ("Referral", "Wait for bed", "Assess"):
        services.design_step_add(by=None, design=design, state="current", name=name, minutes=10)
    services.design_step_add(by=None, design=design, state="future", name="Assess", minutes=15)
    return design


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("member", 200),
        ("quality_lead", 200),
        ("granted_partner", 200),
        ("partner", 403),
        ("outsider", 404),
    ],
)
def test_it_shows_the_design_to_those_who_see_the_priority(client, as_user, design, who, status):
    as_user(who)
    response = client.get(f"/plan/designs/{design.pk}/")
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert "Steps of the current process, in order" in text
        assert "The future process has 2 steps fewer, the same number of waits" in text
        assert 'data-diagram-spec="current-flow-spec"' in text


@pytest.mark.parametrize(
    ("who", "status"), [("member", 403), ("partner", 403), ("outsider", 404), ("lead", 200)]
)
def test_it_lets_only_designers_open_the_forms(client, as_user, design, who, status):
    as_user(who)
    step = design.steps.first()
    for url in (
        f"/plan/designs/{design.pk}/edit/",
        f"/plan/designs/{design.pk}/current/steps/new/",
        f"/plan/design-steps/{step.pk}/edit/",
        f"/plan/design-steps/{step.pk}/remove/",
        f"/plan/priorities/{design.priority_id}/designs/new/",
    ):
        assert client.get(url).status_code == status, url


def test_it_refuses_a_member_moving_a_step(client, as_user, design):
    as_user("member")
    step = design.steps.get(name="Assess", state="current")
    response = client.post(f"/plan/design-steps/{step.pk}/move/", {"direction": "up"})
    assert response.status_code == 403
    step.refresh_from_db()
    assert step.position == 3


def test_it_creates_a_design_from_the_priority(client, as_user, priority):
    as_user("granted_partner")
    response = client.post(
        f"/plan/priorities/{priority.pk}/designs/new/",
        {"title": "New pathway", "kind": "model_of_care", "evidence": "A trial, 2024."},
    )
    design = Design.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/plan/designs/{design.pk}/"


def test_it_adds_moves_and_removes_steps_with_forms(client, as_user, design):
    as_user("lead")
    response = client.post(
        f"/plan/designs/{design.pk}/future/steps/new/",
        {"name": "Huddle", "kind": "step", "actor": "Nurse", "minutes": "5"},
    )
    assert response.status_code == 302
    huddle = DesignStep.objects.get(name="Huddle")
    client.post(f"/plan/design-steps/{huddle.pk}/move/", {"direction": "up"})
    names = list(design.steps.filter(state="future").values_list("name", flat=True))
    assert names == ["Huddle", "Assess"]
    client.post(f"/plan/design-steps/{huddle.pk}/remove/")
    assert not DesignStep.objects.filter(name="Huddle").exists()


def test_it_says_when_a_step_cannot_move_further(client, as_user, design):
    as_user("lead")
    first = design.steps.get(name="Referral")
    response = client.post(f"/plan/design-steps/{first.pk}/move/", {"direction": "up"}, follow=True)
    assert "is the first step already" in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "kind": "step"},
        {"name": "A", "kind": "loop"},
        {"name": "A", "kind": "step", "minutes": "-3"},
        {"name": "A", "kind": "step", "minutes": "NaN"},
        {"name": "A", "kind": "step", "minutes": "99999999999999999999999"},
    ],
)
def test_it_answers_bad_steps_with_the_form_again(client, as_user, design, data):
    as_user("lead")
    response = client.post(f"/plan/designs/{design.pk}/current/steps/new/", data)
    assert response.status_code == 400
    assert "Nothing has been saved yet" in response.content.decode()
    assert design.steps.count() == 4


@pytest.mark.parametrize(
    "url",
    [
        "/plan/designs/99999999999999999999999/",
        "/plan/designs/{pk}/past/steps/new/",
        "/plan/design-steps/99999999999999999999/edit/",
        "/plan/priorities/99999999999999999999/designs/new/",
        "/plan/units/99999999999999999999/designs/",
    ],
)
def test_it_answers_malformed_ids_with_not_found(client, as_user, design, url):
    as_user("lead")
    assert client.get(url.format(pk=design.pk)).status_code == 404


def test_it_refuses_a_post_without_csrf(design, lead):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    step = design.steps.first()
    response = client.post(f"/plan/design-steps/{step.pk}/remove/")
    assert response.status_code == 403
    assert DesignStep.objects.filter(pk=step.pk).exists()


def test_it_says_the_priority_must_become_a_project_before_a_package(client, as_user, design):
    as_user("lead")
    text = client.get(f"/plan/designs/{design.pk}/").content.decode()
    assert "The priority is not a project yet" in text
    response = client.post(f"/plan/designs/{design.pk}/package/", {"title": "X", "summary": "Y"})
    assert response.status_code == 200
    assert "not a project yet" in response.content.decode()
    design.refresh_from_db()
    assert design.package is None


def test_it_makes_the_package_from_the_page(client, as_user, design, with_project):
    as_user("lead")
    form = client.get(f"/plan/designs/{design.pk}/package/").content.decode()
    assert "Night huddle" in form
    response = client.post(
        f"/plan/designs/{design.pk}/package/", {"title": "Night huddle", "summary": "S"}
    )
    design.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == design.package.get_absolute_url()
    assert design.package.how_to == "1. Assess (about 15 minutes)"


def test_it_lists_a_unit_s_designs_in_a_fixed_number_of_queries(
    client, as_user, org, priority, django_assert_max_num_queries
):
    as_user("lead")
    url = f"/plan/units/{org['ward'].pk}/designs/"

    def add(count):
        for i in range(count):
            d = services.design_create(by=None, priority=priority, title=f"D{i}", kind="process")
            services.design_step_add(by=None, design=d, state="current", name="A")

    add(2)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    add(20)
    with django_assert_max_num_queries(12):
        text = client.get(url).content.decode()
    assert "Designs, newest first (22)" in text


def test_it_shows_a_design_in_a_fixed_number_of_queries(
    client, as_user, design, django_assert_max_num_queries
):
    as_user("lead")
    with django_assert_max_num_queries(14):
        client.get(f"/plan/designs/{design.pk}/")
    for i in range(40):
        services.design_step_add(by=None, design=design, state="future", name=f"S{i}")
    with django_assert_max_num_queries(14):
        assert "41 steps" in client.get(f"/plan/designs/{design.pk}/").content.decode()


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("partner", 403)])
def test_it_hides_a_unit_s_designs_from_others(client, as_user, org, who, status):
    as_user(who)
    assert client.get(f"/plan/units/{org['ward'].pk}/designs/").status_code == status


def test_it_lists_the_priority_s_designs_on_its_page(client, as_user, design):
    as_user("member")
    text = client.get(f"/plan/priorities/{design.priority_id}/").content.decode()
    assert f'href="/plan/designs/{design.pk}/"' in text
    # A member does not design: no link to a form that would refuse them.
    assert f"/plan/priorities/{design.priority_id}/designs/new/" not in text


def test_it_offers_the_designer_a_new_design_from_the_priority_page(client, as_user, priority):
    as_user("lead")
    text = client.get(f"/plan/priorities/{priority.pk}/").content.decode()
    assert f"/plan/priorities/{priority.pk}/designs/new/" in text


def test_it_names_the_design_on_its_change_package_s_page(client, as_user, design, with_project):
    services.design_to_package(by=None, design=design)
    design.refresh_from_db()
    as_user("lead")
    text = client.get(design.package.get_absolute_url()).content.decode()
    assert "Made from the design “Night huddle” (process) in quality planning." in text
