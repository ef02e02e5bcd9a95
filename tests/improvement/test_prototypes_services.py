"""Prototypes' services: create, edit, drop and take up again, and becoming a change idea with
its first PDSA cycle in one step, all or nothing; only the team."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from improvement import diagram_support as support
from improvement.diagram_support import aim_of, make_project
from qms.improvement import services
from qms.improvement.models import (
    DriverNode,
    NodeKind,
    PdsaCycle,
    Prototype,
    PrototypeStatus,
)

project, teammate, coach, team_partner = support.FIXTURES

CYCLE = {
    "title": "Cards on two bays",
    "objective": "See whether staff use the card",
    "starts_on": dt.date(2026, 12, 7),
    "ends_on": dt.date(2026, 12, 20),
    "predictions": [("Will staff read it?", "Most will, in the first week")],
}


@pytest.fixture
def driver(project):
    return services.node_add(
        by=None, parent=aim_of(project), kind=NodeKind.PRIMARY, text="Safe mobility"
    )


@pytest.fixture
def prototype(project):
    return services.prototype_create(
        by=None, project=project, title="Bedside card", description="A card by each bed."
    )


def test_it_creates_and_edits_a_prototype_with_history(project, lead):
    prototype = services.prototype_create(
        by=lead, project=project, title="  Bedside card ", description="A card\nby each bed."
    )
    assert (prototype.title, prototype.description) == ("Bedside card", "A card\nby each bed.")
    assert prototype.status == PrototypeStatus.OPEN and prototype.created_by == lead
    services.prototype_update(by=lead, prototype=prototype, title="Card", description="Smaller")
    prototype.refresh_from_db()
    assert prototype.title == "Card"
    assert [h.history_change_reason for h in prototype.history.all()] == ["Edited", "Created"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "", "description": "x"}, "title"),
        ({"title": "x" * 201, "description": "x"}, "title"),
        ({"title": "x", "description": " "}, "description"),
        ({"title": "x", "description": "NHS 943 476 5919"}, "description"),
        ({"title": 5, "description": "x"}, "title"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(project, fields, field):
    with pytest.raises(ValidationError) as caught:
        services.prototype_create(by=None, project=project, **fields)
    assert field in caught.value.message_dict
    assert not Prototype.objects.exists()


def test_it_drops_and_takes_up_a_prototype(prototype, lead):
    services.prototype_drop(by=lead, prototype=prototype, reason="Too fiddly")
    prototype.refresh_from_db()
    assert prototype.status == PrototypeStatus.DROPPED
    assert prototype.history.first().history_change_reason == "Dropped: Too fiddly"
    with pytest.raises(ValidationError):
        services.prototype_drop(by=lead, prototype=prototype)
    services.prototype_reopen(by=lead, prototype=prototype)
    prototype.refresh_from_db()
    assert prototype.status == PrototypeStatus.OPEN
    with pytest.raises(ValidationError):
        services.prototype_reopen(by=lead, prototype=prototype)


def test_it_makes_a_prototype_a_change_idea_with_its_first_cycle(prototype, driver, teammate):
    node, cycle = services.prototype_to_change_idea(
        by=teammate, prototype=prototype, parent=driver, text="Bedside falls card", cycle=CYCLE
    )
    assert (node.kind, node.parent, node.text) == (
        NodeKind.CHANGE_IDEA,
        driver,
        "Bedside falls card",
    )
    assert (cycle.change_idea, cycle.number, cycle.title) == (node, 1, "Cards on two bays")
    assert [(p.question, p.prediction) for p in cycle.predictions.all()] == CYCLE["predictions"]
    prototype.refresh_from_db()
    assert prototype.status == PrototypeStatus.BECAME_CHANGE_IDEA
    assert prototype.change_idea == node
    with pytest.raises(ValidationError):  # once only
        services.prototype_to_change_idea(
            by=teammate, prototype=prototype, parent=driver, text="Again", cycle=CYCLE
        )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cycle": {**CYCLE, "ends_on": dt.date(2026, 12, 1)}}, "ends_on"),
        ({"cycle": {**CYCLE, "title": ""}}, "title"),
        ({"text": ""}, "text"),
        ({"parent": "aim"}, "parent"),
    ],
)
def test_it_leaves_nothing_behind_when_any_part_is_wrong(project, prototype, driver, change, field):
    arguments = {"prototype": prototype, "parent": driver, "text": "Card", "cycle": CYCLE}
    arguments.update(change)
    if arguments["parent"] == "aim":
        arguments["parent"] = aim_of(project)
    with pytest.raises(ValidationError) as caught:
        services.prototype_to_change_idea(by=None, **arguments)
    assert field in caught.value.message_dict
    assert not DriverNode.objects.filter(kind=NodeKind.CHANGE_IDEA).exists()
    assert not PdsaCycle.objects.exists()
    prototype.refresh_from_db()
    assert prototype.status == PrototypeStatus.OPEN


def test_it_refuses_a_driver_of_another_project(org, prototype):
    other = make_project(org["ward"], title="Other")
    elsewhere = services.node_add(
        by=None, parent=aim_of(other), kind=NodeKind.PRIMARY, text="Theirs"
    )
    with pytest.raises(ValidationError) as caught:
        services.prototype_to_change_idea(
            by=None, prototype=prototype, parent=elsewhere, text="Card", cycle=CYCLE
        )
    assert "parent" in caught.value.message_dict
    assert not DriverNode.objects.filter(kind=NodeKind.CHANGE_IDEA).exists()


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_refuses_people_not_on_the_team(request, project, prototype, driver, who):
    person = request.getfixturevalue(who)
    calls = [
        lambda: services.prototype_create(by=person, project=project, title="t", description="d"),
        lambda: services.prototype_update(
            by=person, prototype=prototype, title="t", description="d"
        ),
        lambda: services.prototype_drop(by=person, prototype=prototype),
        lambda: services.prototype_to_change_idea(
            by=person, prototype=prototype, parent=driver, text="Card", cycle=CYCLE
        ),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    prototype.refresh_from_db()
    assert (prototype.title, prototype.status) == ("Bedside card", PrototypeStatus.OPEN)


@pytest.mark.parametrize("who", ["lead", "teammate", "coach", "team_partner"])
def test_it_lets_the_team_work_on_prototypes(request, project, driver, who):
    person = request.getfixturevalue(who)
    prototype = services.prototype_create(by=person, project=project, title="t", description="d")
    services.prototype_update(by=person, prototype=prototype, title="t2", description="d2")
    services.prototype_drop(by=person, prototype=prototype)
    services.prototype_reopen(by=person, prototype=prototype)
    node, _ = services.prototype_to_change_idea(
        by=person, prototype=prototype, parent=driver, text="Card", cycle=CYCLE
    )
    assert node.prototypes.get() == prototype
