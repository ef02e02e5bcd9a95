"""Prototypes' pages: the list, a prototype with its feedback (discussion), the forms to add,
change, drop and take up one, and "Make it a change idea"; who may and who may not."""

import pytest
from django.urls import reverse

from improvement import diagram_support as support
from improvement.diagram_support import aim_of, make_project
from qms.comments import services as comments
from qms.improvement import services
from qms.improvement.models import DriverNode, NodeKind, PdsaCycle, Prototype, PrototypeStatus

project, teammate, coach, team_partner = support.FIXTURES

TEAM = ["lead", "teammate", "coach", "team_partner", "quality_lead"]
READERS = TEAM + ["member"]
REFUSED = [("partner", 403), ("outsider", 404)]


@pytest.fixture
def prototype(project):
    return services.prototype_create(
        by=None, project=project, title="Bedside card", description="A card by each bed."
    )


@pytest.fixture
def driver(project):
    return services.node_add(
        by=None, parent=aim_of(project), kind=NodeKind.PRIMARY, text="Safe mobility"
    )


CHANGE_IDEA = {
    "text": "Bedside falls card",
    "title": "Cards on two bays",
    "objective": "See whether staff use it",
    "starts_on": "2026-12-07",
    "ends_on": "2026-12-20",
    "question": "Will staff read it?",
    "prediction": "Most will",
}


@pytest.mark.parametrize("who", READERS)
def test_it_shows_prototypes_to_readers(client, as_user, project, prototype, who):
    as_user(who)
    listed = client.get(reverse("improvement:prototype-list", args=[project.pk]))
    assert listed.status_code == 200 and "Bedside card" in listed.content.decode()
    page = client.get(prototype.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "A card by each bed." in html and 'class="discussion-heading"' in html
    change = reverse("improvement:prototype-change-idea", args=[prototype.pk])
    assert (change in html) == (who in TEAM)


@pytest.mark.parametrize(("who", "status"), REFUSED)
def test_it_hides_prototypes_from_others(client, as_user, project, prototype, who, status):
    as_user(who)
    assert (
        client.get(reverse("improvement:prototype-list", args=[project.pk])).status_code == status
    )
    assert client.get(prototype.get_absolute_url()).status_code == status


@pytest.mark.parametrize("who", TEAM)
def test_it_lets_the_team_add_change_and_drop_prototypes(client, as_user, project, who):
    as_user(who)
    response = client.post(
        reverse("improvement:prototype-create", args=[project.pk]),
        {"title": "Falls card", "description": "A card."},
    )
    prototype = Prototype.objects.get(title="Falls card")
    assert response.status_code == 302 and response["Location"] == prototype.get_absolute_url()
    client.post(
        reverse("improvement:prototype-edit", args=[prototype.pk]),
        {"title": "Falls card v2", "description": "Smaller."},
    )
    client.post(reverse("improvement:prototype-drop", args=[prototype.pk]), {"reason": "No"})
    prototype.refresh_from_db()
    assert (prototype.title, prototype.status) == ("Falls card v2", PrototypeStatus.DROPPED)
    client.post(reverse("improvement:prototype-reopen", args=[prototype.pk]))
    prototype.refresh_from_db()
    assert prototype.status == PrototypeStatus.OPEN


@pytest.mark.parametrize(("who", "status"), [("member", 403), *REFUSED])
def test_it_refuses_changes_from_people_not_on_the_team(
    client, as_user, project, prototype, driver, who, status
):
    as_user(who)
    urls = [
        reverse("improvement:prototype-create", args=[project.pk]),
        reverse("improvement:prototype-edit", args=[prototype.pk]),
        reverse("improvement:prototype-change-idea", args=[prototype.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == status
    data = {"title": "Mine", "description": "Mine", "parent": driver.pk, **CHANGE_IDEA}
    for url in urls + [
        reverse("improvement:prototype-drop", args=[prototype.pk]),
        reverse("improvement:prototype-reopen", args=[prototype.pk]),
    ]:
        assert client.post(url, data).status_code == status
    prototype.refresh_from_db()
    assert (prototype.title, prototype.status) == ("Bedside card", PrototypeStatus.OPEN)
    assert Prototype.objects.count() == 1


def test_it_makes_a_prototype_a_change_idea_in_one_form(client, as_user, prototype, driver):
    as_user("team_partner")
    url = reverse("improvement:prototype-change-idea", args=[prototype.pk])
    form = client.get(url).content.decode()
    assert "Primary driver: Safe mobility" in form
    response = client.post(url, {"parent": driver.pk, **CHANGE_IDEA})
    node = DriverNode.objects.get(text="Bedside falls card")
    cycle = PdsaCycle.objects.get(change_idea=node)
    assert response.status_code == 302 and response["Location"] == cycle.get_absolute_url()
    assert node.parent == driver
    assert [(p.question, p.prediction) for p in cycle.predictions.all()] == [
        ("Will staff read it?", "Most will")
    ]
    prototype.refresh_from_db()
    assert prototype.status == PrototypeStatus.BECAME_CHANGE_IDEA
    assert prototype.change_idea == node
    page = client.get(prototype.get_absolute_url()).content.decode()
    assert "Became a change idea" in page and node.get_absolute_url() in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_on": "2026-12-01"}, "end on or after"),
        ({"starts_on": "soon"}, "Enter a valid date"),
        ({"text": ""}, "This field is required"),
        ({"objective": "x" * 5001}, "5000"),
        ({"prediction": "NHS 943 476 5919"}, "NHS or CHI number"),
    ],
)
def test_it_says_what_is_wrong_and_saves_nothing(
    client, as_user, prototype, driver, change, message
):
    as_user("lead")
    url = reverse("improvement:prototype-change-idea", args=[prototype.pk])
    response = client.post(url, {"parent": driver.pk, **CHANGE_IDEA, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DriverNode.objects.filter(kind=NodeKind.CHANGE_IDEA).exists()
    assert not PdsaCycle.objects.exists()


def test_it_refuses_a_driver_of_another_project(client, as_user, org, prototype, driver):
    other = make_project(org["ward"], title="Other")
    theirs = services.node_add(by=None, parent=aim_of(other), kind=NodeKind.PRIMARY, text="T")
    as_user("lead")
    url = reverse("improvement:prototype-change-idea", args=[prototype.pk])
    response = client.post(url, {"parent": theirs.pk, **CHANGE_IDEA})
    assert response.status_code == 400
    assert not DriverNode.objects.filter(kind=NodeKind.CHANGE_IDEA).exists()


def test_it_takes_feedback_from_the_team_and_staff(client, as_user, prototype, team_partner):
    comments.comment_add(by=team_partner, subject=prototype, text="Too small to read")
    as_user("member")
    page = client.get(prototype.get_absolute_url()).content.decode()
    assert "Too small to read" in page


def test_it_shows_bad_prototype_input_on_the_form(client, as_user, project):
    as_user("lead")
    url = reverse("improvement:prototype-create", args=[project.pk])
    response = client.post(url, {"title": "", "description": "x"})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    prompted = client.post(url, {"title": "Card", "description": "For Mrs Smith"})
    assert prompted.status_code == 400 and "may identify a patient" in prompted.content.decode()
    assert not Prototype.objects.exists()
