"""Adoption pages: adopting a published package in a unit one leads (choosing the unit when
one leads several), the adoption page for the package's readers, and its changes for the
adopting unit's leads only."""

import pytest
from django.urls import reverse
from helpers import make_measure, make_person

from improvement.spread_support import *  # noqa: F403
from improvement.spread_support import ADOPTED_ON
from qms.improvement import services
from qms.improvement.models import Adoption, AdoptionStatus
from qms.people.roles import Role


def adopt_url(package, **query):
    url = reverse("improvement:adoption-create", args=[package.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def adoption(org, published, other_lead):
    own = make_measure(org["other_ward"], "falls-ward8", name="Falls on Ward 8")
    return services.adoption_create(
        by=other_lead,
        package=published,
        unit=org["other_ward"],
        adopted_on=ADOPTED_ON,
        local_adaptations="Two-hourly rounds in side rooms.",
        link_measures=[own],
    )


def test_it_adopts_in_the_one_unit_the_adopter_leads(client, as_user, org, published, outcome):
    as_user("other_lead")
    own = make_measure(org["other_ward"], "falls-ward8")
    page = client.get(adopt_url(published))
    assert page.status_code == 200
    assert "Adopt “Night-time falls bundle” in Ward 8" in page.content.decode()
    response = client.post(
        adopt_url(published),
        {
            "unit": org["other_ward"].pk,
            "adopted_on": "2026-02-01",
            "local_adaptations": "Side rooms.",
            "context": "",
            "copy_measures": [outcome.pk],
            "link_measures": [own.pk],
        },
    )
    adoption = Adoption.objects.get()
    assert response.status_code == 302 and response.url == adoption.get_absolute_url()
    assert adoption.measures.count() == 2 and adoption.unit == org["other_ward"]


def test_it_asks_which_unit_when_the_adopter_leads_several(client, as_user, org, published):
    client.force_login(
        make_person(
            "multi", (Role.TEAM_LEAD, org["other_ward"]), (Role.TEAM_LEAD, org["elsewhere"])
        )
    )
    page = client.get(adopt_url(published)).content.decode()
    assert "Choose the unit that adopts it" in page
    assert "Ward 8" in page and "Other Board" in page
    chosen = client.get(adopt_url(published, unit=org["elsewhere"].pk))
    assert "in Other Board" in chosen.content.decode()
    assert client.get(adopt_url(published, unit=org["ward"].pk)).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"), [("member", 403), ("team_partner", 403), ("lead", 403), ("partner", 404)]
)
def test_it_lets_no_one_adopt_without_a_unit_to_adopt_in(client, as_user, published, who, status):
    as_user(who)
    assert client.get(adopt_url(published)).status_code == status


def test_it_refuses_to_adopt_a_draft(client, as_user, package):
    as_user("lead")
    assert client.get(adopt_url(package)).status_code == 403


def test_it_names_the_field_and_saves_nothing_on_bad_input(client, as_user, org, published):
    as_user("other_lead")
    response = client.post(
        adopt_url(published), {"unit": org["other_ward"].pk, "adopted_on": "soon"}
    )
    assert response.status_code == 400
    assert "Enter the date as a date" in response.content.decode()
    assert not Adoption.objects.exists()


@pytest.mark.parametrize(
    ("who", "status", "editable"),
    [
        ("other_lead", 200, True),
        ("lead", 200, False),
        ("member", 200, False),
        ("outsider", 200, False),
        ("team_partner", 200, False),  # on the project's team: reads its package
        ("partner", 404, False),
    ],
)
def test_it_shows_an_adoption_to_the_packages_readers(
    client, as_user, adoption, who, status, editable
):
    as_user(who)
    response = client.get(adoption.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Two-hourly rounds in side rooms." in page
        assert "Falls on Ward 8" in page and "No data since adoption yet." in page
        assert ("Save the status" in page) is editable


@pytest.mark.parametrize("who", ["lead", "member", "outsider"])
def test_it_lets_only_the_adopting_units_leads_change_it(client, as_user, adoption, who):
    as_user(who)
    for name in ("adoption-edit", "adoption-status", "adoption-measures"):
        assert client.get(reverse(f"improvement:{name}", args=[adoption.pk])).status_code == 403


def test_it_moves_an_adoption_on_and_requires_a_reason_to_stop(client, as_user, adoption):
    as_user("other_lead")
    url = reverse("improvement:adoption-status", args=[adoption.pk])
    assert client.post(url, {"status": "stopped", "reason": ""}).status_code == 400
    assert client.post(url, {"status": "adopted"}).status_code == 302
    adoption.refresh_from_db()
    assert adoption.status == AdoptionStatus.ADOPTED


def test_it_changes_an_adoption(client, as_user, adoption, other_lead):
    as_user("other_lead")
    url = reverse("improvement:adoption-edit", args=[adoption.pk])
    response = client.post(
        url,
        {"adopted_on": "2026-03-01", "local_adaptations": "None", "context": "", "lead": ""},
    )
    assert response.status_code == 302
    adoption.refresh_from_db()
    assert adoption.adopted_on.month == 3 and adoption.lead is None


def test_it_shows_each_adoption_on_the_package_page(client, as_user, adoption, published):
    as_user("member")
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Ward 8" in page and "Falls on Ward 8" in page and "No data since adoption yet." in page
