"""The driver diagram's services: the kind rules, positions kept contiguous, the aim fixed,
no loops, history, and who may change it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_measure

from improvement import diagram_support as support
from improvement.diagram_support import aim_of, make_project, positions_are_contiguous, tree
from qms.improvement import services
from qms.improvement.models import DriverNode, NodeKind, PdsaCycle

project, teammate, coach, team_partner = support.FIXTURES

PRIMARY, SECONDARY, IDEA = NodeKind.PRIMARY, NodeKind.SECONDARY, NodeKind.CHANGE_IDEA


def add(parent, kind, text, position=None, by=None):
    return services.node_add(by=by, parent=parent, kind=kind, text=text, position=position)


@pytest.fixture
def diagram(project):
    """aim > [Mobility > [Footwear > [Socks, Aids]], Assessment > [Huddle]]"""
    aim = aim_of(project)
    mobility = add(aim, PRIMARY, "Mobility")
    assessment = add(aim, PRIMARY, "Assessment")
    footwear = add(mobility, SECONDARY, "Footwear")
    socks = add(footwear, IDEA, "Socks")
    aids = add(footwear, IDEA, "Aids")
    huddle = add(assessment, IDEA, "Huddle")
    return {
        "aim": aim,
        "mobility": mobility,
        "assessment": assessment,
        "footwear": footwear,
        "socks": socks,
        "aids": aids,
        "huddle": huddle,
    }


def test_it_adds_nodes_in_order_and_at_a_position(project, diagram):
    add(diagram["aim"], PRIMARY, "Staffing", position=1)
    add(diagram["aim"], PRIMARY, "Environment", position=3)
    aim_text = diagram["aim"].text
    assert tree(project) == (
        aim_text,
        [
            ("Staffing", []),
            ("Mobility", [("Footwear", [("Socks", []), ("Aids", [])])]),
            ("Environment", []),
            ("Assessment", [("Huddle", [])]),
        ],
    )
    assert positions_are_contiguous(project)


@pytest.mark.parametrize(
    ("parent", "kind"),
    [
        ("aim", SECONDARY),
        ("aim", IDEA),
        ("mobility", PRIMARY),
        ("footwear", SECONDARY),
        ("socks", IDEA),
        ("mobility", NodeKind.AIM),
        ("mobility", "nonsense"),
    ],
)
def test_it_refuses_a_kind_of_node_its_parent_cannot_take(diagram, parent, kind):
    with pytest.raises(ValidationError) as caught:
        add(diagram[parent], kind, "Wrong place")
    assert "kind" in caught.value.message_dict
    assert not DriverNode.objects.filter(text="Wrong place").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Give the text"),
        ("   ", "Give the text"),
        ("x" * 301, "longer than 300"),
        ("NHS 943 476 5919", "NHS or CHI number"),
        ("bell\x07", "control characters"),
    ],
)
def test_it_refuses_bad_text_naming_the_field(diagram, text, message):
    with pytest.raises(ValidationError) as caught:
        add(diagram["aim"], PRIMARY, text)
    assert message in " ".join(caught.value.message_dict["text"])
    assert DriverNode.objects.filter(parent=diagram["aim"]).count() == 2


def test_it_refuses_a_position_outside_the_siblings(diagram):
    for position in (0, 4, "first"):
        with pytest.raises(ValidationError) as caught:
            add(diagram["aim"], PRIMARY, "Staffing", position=position)
        assert "position" in caught.value.message_dict
    assert positions_are_contiguous(diagram["aim"].project)


def test_it_renames_a_node_with_history(diagram, lead):
    services.node_rename(by=lead, node=diagram["socks"], text="  Non-slip   socks ")
    socks = DriverNode.objects.get(pk=diagram["socks"].pk)
    assert socks.text == "Non-slip socks"
    latest = socks.history.first()
    assert (latest.history_user, latest.history_change_reason) == (lead, "Renamed")


def test_it_keeps_the_aim_from_the_charter(diagram):
    with pytest.raises(ValidationError):
        services.node_rename(by=None, node=diagram["aim"], text="Something else")
    with pytest.raises(ValidationError):
        services.node_move(by=None, node=diagram["aim"], parent=diagram["mobility"], position=1)
    with pytest.raises(ValidationError):
        services.node_remove(by=None, node=diagram["aim"])
    assert DriverNode.objects.filter(pk=diagram["aim"].pk, parent=None).exists()


def test_it_moves_a_node_with_its_children_and_renumbers_both_sides(project, diagram, lead):
    services.node_move(by=lead, node=diagram["footwear"], parent=diagram["assessment"], position=1)
    assert tree(project) == (
        diagram["aim"].text,
        [
            ("Mobility", []),
            ("Assessment", [("Footwear", [("Socks", []), ("Aids", [])]), ("Huddle", [])]),
        ],
    )
    assert positions_are_contiguous(project)
    moved = DriverNode.objects.get(pk=diagram["footwear"].pk)
    assert moved.history.first().history_change_reason == "Moved"


def test_it_reorders_siblings(project, diagram):
    services.node_move(by=None, node=diagram["aids"], parent=diagram["footwear"], position=1)
    services.node_move(by=None, node=diagram["assessment"], parent=diagram["aim"], position=1)
    assert tree(project) == (
        diagram["aim"].text,
        [
            ("Assessment", [("Huddle", [])]),
            ("Mobility", [("Footwear", [("Aids", []), ("Socks", [])])]),
        ],
    )
    assert positions_are_contiguous(project)


def test_it_moves_a_change_idea_from_a_secondary_to_a_primary_driver(project, diagram):
    services.node_move(by=None, node=diagram["socks"], parent=diagram["mobility"], position=2)
    assert tree(project)[1][0] == ("Mobility", [("Footwear", [("Aids", [])]), ("Socks", [])])


@pytest.mark.parametrize(
    ("node", "parent"),
    [
        ("mobility", "mobility"),  # under itself
        ("mobility", "footwear"),  # under its own child
        ("footwear", "socks"),  # under its own grandchild (and a change idea)
        ("footwear", "aim"),  # a secondary driver cannot sit under the aim
        ("socks", "aim"),
        ("mobility", "assessment"),  # a primary driver cannot sit under a primary driver
    ],
)
def test_it_refuses_a_move_that_breaks_the_tree(project, diagram, node, parent):
    before = tree(project)
    with pytest.raises(ValidationError) as caught:
        services.node_move(by=None, node=diagram[node], parent=diagram[parent], position=1)
    assert "parent" in caught.value.message_dict
    assert tree(project) == before


def test_it_refuses_a_parent_from_another_project(org, diagram):
    other = make_project(org["ward"], title="Other")
    with pytest.raises(ValidationError):
        services.node_move(by=None, node=diagram["mobility"], parent=aim_of(other), position=1)
    assert DriverNode.objects.get(pk=diagram["mobility"].pk).parent_id == diagram["aim"].pk


def test_it_refuses_a_position_past_the_end_when_moving(project, diagram):
    with pytest.raises(ValidationError):
        services.node_move(by=None, node=diagram["socks"], parent=diagram["footwear"], position=3)
    with pytest.raises(ValidationError):
        services.node_move(by=None, node=diagram["socks"], parent=diagram["mobility"], position=3)
    assert positions_are_contiguous(project)


def _cycle(change_idea, number=1):
    return PdsaCycle.objects.create(
        project=change_idea.project,
        change_idea=change_idea,
        number=number,
        title=f"Try {number}",
        objective="See",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 1, 31),
    )


def test_it_removes_a_node_with_everything_under_it(project, diagram, lead):
    _cycle(diagram["socks"])
    _cycle(diagram["huddle"])
    removed = services.node_remove(by=lead, node=diagram["mobility"])
    assert removed == 4
    assert tree(project) == (diagram["aim"].text, [("Assessment", [("Huddle", [])])])
    assert positions_are_contiguous(project)
    assert list(PdsaCycle.objects.values_list("change_idea__text", flat=True)) == ["Huddle"]
    gone = DriverNode.history.filter(id=diagram["socks"].pk, history_type="-").get()
    assert gone.history_user == lead
    assert gone.history_change_reason == "Removed with “Mobility”"


def test_it_links_measures_of_the_unit_to_a_node(org, project, diagram, lead):
    ward_measure = make_measure(org["ward"], "falls-ward")
    services.node_measures_set(by=lead, node=diagram["socks"], measures=[ward_measure])
    assert list(diagram["socks"].measures.all()) == [ward_measure]
    services.node_measures_set(by=lead, node=diagram["socks"], measures=[])
    assert not diagram["socks"].measures.exists()


def test_it_refuses_measures_of_other_units(org, diagram):
    elsewhere = make_measure(org["elsewhere"], "falls-elsewhere")
    for measures in ([elsewhere], [elsewhere.pk], ["x"]):
        with pytest.raises(ValidationError) as caught:
            services.node_measures_set(by=None, node=diagram["socks"], measures=measures)
        assert "measures" in caught.value.message_dict
    assert not diagram["socks"].measures.exists()


@pytest.mark.parametrize("who", ["lead", "teammate", "coach", "team_partner"])
def test_it_lets_the_team_change_the_diagram(request, diagram, who):
    person = request.getfixturevalue(who)
    node = add(diagram["aim"], PRIMARY, "Staffing", by=person)
    services.node_rename(by=person, node=node, text="Staff")
    services.node_move(by=person, node=node, parent=diagram["aim"], position=1)
    services.node_measures_set(by=person, node=node, measures=[])
    assert services.node_remove(by=person, node=node) == 1


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_refuses_people_not_on_the_team(request, project, diagram, who):
    person = request.getfixturevalue(who)
    before = tree(project)
    with pytest.raises(PermissionDenied):
        add(diagram["aim"], PRIMARY, "Staffing", by=person)
    with pytest.raises(PermissionDenied):
        services.node_rename(by=person, node=diagram["socks"], text="Mine")
    with pytest.raises(PermissionDenied):
        services.node_move(by=person, node=diagram["socks"], parent=diagram["footwear"], position=1)
    with pytest.raises(PermissionDenied):
        services.node_measures_set(by=person, node=diagram["socks"], measures=[])
    with pytest.raises(PermissionDenied):
        services.node_remove(by=person, node=diagram["socks"])
    assert tree(project) == before
