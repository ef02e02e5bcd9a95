"""Vision and aims' services: who may write, the cascade's rules (a parent above, never below
or beside, no loops), links to measures and projects, retiring, notifications."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_measure, make_person

from planning.aims_support import *  # noqa: F403
from planning.aims_support import DUE, STATEMENT
from qms.notifications.models import Notification
from qms.people.roles import Role
from qms.planning import selectors, services
from qms.planning.models import Aim, Vision


def _aim(by, unit, **fields):
    return services.aim_create(
        by=by,
        unit=unit,
        **{"statement": STATEMENT, "target": "30% fewer", "due_on": DUE, **fields},
    )


# The vision ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lead", "quality_lead", "executive", "admin"])
def test_it_lets_aim_setters_state_the_vision(request, org, who):
    by = request.getfixturevalue(who)
    unit = org["board"] if who in ("executive", "admin") else org["ward"]
    vision = services.vision_set(by=by, unit=unit, vision="Safe, kind care.", purpose="To care.")
    assert Vision.objects.get(unit=unit).vision == "Safe, kind care."
    assert vision.history.first().history_user == by


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_refuses_the_vision_to_others(request, org, who):
    with pytest.raises(PermissionDenied):
        services.vision_set(by=request.getfixturevalue(who), unit=org["ward"], vision="Mine.")
    assert not Vision.objects.exists()


def test_it_refuses_a_lead_the_vision_of_a_unit_above(org, lead):
    with pytest.raises(PermissionDenied):
        services.vision_set(by=lead, unit=org["division"], vision="Ours.")


def test_it_needs_a_vision_and_restates_it_in_place(org, lead):
    with pytest.raises(ValidationError) as error:
        services.vision_set(by=lead, unit=org["ward"], vision="   ")
    assert "vision" in error.value.message_dict
    services.vision_set(by=lead, unit=org["ward"], vision="First.")
    services.vision_set(by=lead, unit=org["ward"], vision="Second.")
    assert Vision.objects.get().vision == "Second."
    assert Vision.history.count() == 2


# Who may set aims ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "unit", "allowed"),
    [
        ("lead", "ward", True),
        ("lead", "other_ward", False),
        ("lead", "division", False),
        ("member", "ward", False),
        ("partner", "ward", False),
        ("quality_lead", "ward", True),
        ("quality_lead", "division", True),
        ("quality_lead", "board", False),
        ("executive", "board", True),
        ("executive", "ward", True),
        ("outsider", "ward", False),
        ("admin", "division", True),
    ],
)
def test_it_lets_only_aim_setters_set_aims(request, org, who, unit, allowed):
    by = request.getfixturevalue(who)
    if allowed:
        aim = _aim(by, org[unit])
        assert aim.created_by == by and aim.history.first().history_user == by
    else:
        with pytest.raises(PermissionDenied):
            _aim(by, org[unit])
        assert not Aim.objects.exists()


# The cascade's rules -------------------------------------------------------------------------


def test_it_lets_an_aim_serve_an_aim_above_or_of_its_own_unit(org, lead, division_aim):
    assert _aim(lead, org["ward"], parent=division_aim).parent == division_aim
    same = _aim(lead, org["ward"])
    assert _aim(lead, org["ward"], parent=same).parent == same


@pytest.mark.parametrize("where", ["other_service", "other_ward", "elsewhere"])
def test_it_refuses_a_parent_below_beside_or_of_another_board(org, quality_lead, where):
    parent = _aim(None, org[where])
    for unit in ("division", "service"):
        with pytest.raises(ValidationError) as error:
            _aim(None, org[unit], parent=parent)
        assert "parent" in error.value.message_dict
    assert Aim.objects.count() == 1


def test_it_refuses_a_parent_of_a_unit_below(org, quality_lead):
    below = _aim(None, org["ward"])
    with pytest.raises(ValidationError) as error:
        _aim(quality_lead, org["division"], parent=below)
    assert "unit above" in error.value.message_dict["parent"][0]


def test_it_refuses_a_loop(org, lead):
    first = _aim(lead, org["ward"])
    second = _aim(lead, org["ward"], parent=first)
    third = _aim(lead, org["ward"], parent=second)
    # The first aim may not serve itself, nor the aims that serve it (directly or further down).
    for parent in (first, second, third):
        with pytest.raises(ValidationError) as error:
            services.aim_update(by=lead, aim=first, parent=parent)
        assert "parent" in error.value.message_dict
    first.refresh_from_db()
    assert first.parent is None


def test_it_refuses_a_retired_parent(org, lead, division_aim, quality_lead):
    services.aim_retire(by=quality_lead, aim=division_aim, reason="Met")
    division_aim.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        _aim(lead, org["ward"], parent=division_aim)
    assert "retired" in error.value.message_dict["parent"][0]


@pytest.mark.parametrize(
    ("due", "ok"),
    [
        (dt.date(1, 1, 1), False),
        (dt.date(1989, 12, 31), False),
        (dt.date(9999, 12, 31), False),
        (dt.date(2030, 1, 1), True),
    ],
)
def test_it_refuses_due_dates_out_of_reach(org, lead, due, ok):
    if ok:
        assert _aim(lead, org["ward"], due_on=due).due_on == due
    else:
        with pytest.raises(ValidationError) as error:
            _aim(lead, org["ward"], due_on=due)
        assert "due_on" in error.value.message_dict
        assert not Aim.objects.exists()


def test_it_names_every_missing_field(org, lead):
    with pytest.raises(ValidationError) as error:
        services.aim_create(by=lead, unit=org["ward"], statement=" ", target="", due_on=None)
    assert {"statement", "target", "due_on"} <= set(error.value.message_dict)


# Measures and projects -----------------------------------------------------------------------


def test_it_links_measures_and_projects_of_the_unit_and_below(
    org, quality_lead, ward_measure, ward_project
):
    aim = _aim(quality_lead, org["division"], measures=[ward_measure], projects=[ward_project])
    assert list(aim.measures.all()) == [ward_measure]
    assert list(aim.projects.all()) == [ward_project]
    services.aim_unlink_measure(by=quality_lead, aim=aim, measure=ward_measure)
    services.aim_unlink_project(by=quality_lead, aim=aim, project=ward_project)
    assert not aim.measures.exists() and not aim.projects.exists()
    services.aim_link_measure(by=quality_lead, aim=aim, measure=ward_measure)
    with pytest.raises(ValidationError):
        services.aim_link_measure(by=quality_lead, aim=aim, measure=ward_measure)
    assert aim.measures.count() == 1


def test_it_refuses_a_measure_of_a_unit_above_or_beside(org, lead, ward_measure):
    aim = _aim(lead, org["ward"])
    beside = make_measure(org["other_ward"], "beside")
    with pytest.raises(PermissionDenied):  # the lead does not see the other ward's measures
        services.aim_link_measure(by=lead, aim=aim, measure=beside)
    above = make_measure(org["division"], "above")
    with pytest.raises((PermissionDenied, ValidationError)):
        services.aim_link_measure(by=lead, aim=aim, measure=above)
    with pytest.raises(ValidationError):  # the system sees it, but it is not below the aim
        services.aim_link_measure(by=None, aim=aim, measure=beside)
    assert not aim.measures.exists()


def test_it_refuses_a_measure_of_another_board_in_one_go(org, lead, ward_measure):
    other = make_measure(org["elsewhere"], "elsewhere")
    with pytest.raises(PermissionDenied):
        _aim(lead, org["ward"], measures=[ward_measure, other])
    assert not Aim.objects.exists()


def test_it_lets_only_aim_setters_link(org, lead, member, ward_measure):
    aim = _aim(lead, org["ward"])
    with pytest.raises(PermissionDenied):
        services.aim_link_measure(by=member, aim=aim, measure=ward_measure)
    assert not aim.measures.exists()


# Changing and retiring -----------------------------------------------------------------------


def test_it_tells_the_setters_of_child_aims_when_the_parent_changes(
    org, lead, quality_lead, division_aim, ward_aim
):
    services.aim_update(by=quality_lead, aim=division_aim, target="40% fewer", reason="Raised")
    note = Notification.objects.get(person=lead)
    assert note.kind == "planning" and "changed" in note.text
    assert note.link == division_aim.get_absolute_url()
    assert division_aim.history.first().history_change_reason == "Raised"


def test_it_tells_no_one_of_a_change_that_changes_nothing(org, lead, quality_lead, ward_aim):
    division_aim = ward_aim.parent
    services.aim_update(by=quality_lead, aim=division_aim, target=division_aim.target)
    assert not Notification.objects.exists()


def test_it_retires_an_aim_with_its_reason_and_tells_the_children(
    org, lead, quality_lead, division_aim, ward_aim
):
    services.aim_retire(by=quality_lead, aim=division_aim, reason="Replaced by a new aim")
    division_aim.refresh_from_db()
    assert not division_aim.is_active
    assert "retired" in Notification.objects.get(person=lead).text
    page = selectors.aim_page(division_aim, quality_lead)
    assert page.retired_reason == "Replaced by a new aim"
    with pytest.raises(ValidationError):
        services.aim_update(by=quality_lead, aim=division_aim, target="x")


def test_it_needs_a_reason_to_retire(org, lead, ward_aim):
    with pytest.raises(ValidationError) as error:
        services.aim_retire(by=lead, aim=ward_aim, reason=" ")
    assert "reason" in error.value.message_dict
    ward_aim.refresh_from_db()
    assert ward_aim.is_active


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_refuses_others_changing_or_retiring(request, org, ward_aim, who):
    by = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.aim_update(by=by, aim=ward_aim, target="x")
    with pytest.raises(PermissionDenied):
        services.aim_retire(by=by, aim=ward_aim, reason="x")
    ward_aim.refresh_from_db()
    assert ward_aim.is_active and ward_aim.target == "Under 3 a month"


def test_it_refuses_a_lead_changing_the_aim_of_the_division(org, lead, division_aim):
    with pytest.raises(PermissionDenied):
        services.aim_update(by=lead, aim=division_aim, target="x")


# Selectors for the other parts ---------------------------------------------------------------


def test_it_lists_unserved_aims_of_the_unit_and_below(
    org, quality_lead, board_aim, division_aim, ward_aim, ward_measure
):
    assert selectors.unserved_aims(quality_lead, org["division"]) == [ward_aim]
    services.aim_link_measure(by=None, aim=ward_aim, measure=ward_measure)
    assert selectors.unserved_aims(quality_lead, org["division"]) == []
    services.aim_retire(by=None, aim=ward_aim, reason="Done")
    # The division's aim has no active child now: nothing serves it.
    assert selectors.unserved_aims(quality_lead, org["division"]) == [division_aim]


def test_it_offers_aims_of_the_unit_and_above(org, lead, board_aim, division_aim, ward_aim):
    beside = _aim(None, org["other_ward"])
    choices = list(selectors.aims_of(lead, org["ward"]))
    assert set(choices) == {board_aim, division_aim, ward_aim}
    assert beside not in choices
    outsider = make_person("stranger", (Role.TEAM_LEAD, org["elsewhere"]))
    assert list(selectors.aims_of(outsider, org["ward"])) == []


def test_it_never_offers_an_aim_its_own_descendants_as_parents(org, lead, division_aim, ward_aim):
    below = _aim(lead, org["ward"], parent=ward_aim)
    choices = selectors.parent_choices(lead, org["ward"], ward_aim)
    assert ward_aim not in choices and below not in choices and division_aim in choices
