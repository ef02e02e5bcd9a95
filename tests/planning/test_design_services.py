"""Designs: who may write them, their steps (add, change, move, remove, limits, bad input) and
their becoming a change package."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from planning.designres_support import *  # noqa: F403
from qms.improvement.models import ChangePackage
from qms.planning import services
from qms.planning.models import Design, DesignStep
from qms.stats.flows import MAX_STEPS


@pytest.fixture
def design(priority, lead):
    return services.design_create(
        by=lead,
        priority=priority,
        title="Night safety huddle",
        kind="process",
        purpose="Fewer falls at night.",
        evidence="NICE CG161 (2013).",
        technology="Bed sensors.",
    )


def _steps(design, state, *names, by=None):
    return [services.design_step_add(by=by, design=design, state=state, name=n) for n in names]


def _order(design, state):
    return list(
        DesignStep.objects.filter(design=design, state=state)
        .order_by("position")
        .values_list("name", "position")
    )


def test_it_creates_a_design_and_marks_the_priority_as_needing_one(design, priority):
    priority.refresh_from_db()
    assert priority.needs_design
    assert design.history.first().history_change_reason == "Created"


@pytest.mark.parametrize("who", ["lead", "quality_lead", "granted_partner"])
def test_it_lets_scorers_and_the_priority_s_working_group_design(request, priority, who):
    person = request.getfixturevalue(who)
    design = services.design_create(by=person, priority=priority, title="X", kind="system")
    assert design.pk


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_refuses_others(request, priority, who):
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.design_create(by=person, priority=priority, title="X", kind="system")
    assert not Design.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "", "kind": "process"}, "title"),
        ({"title": "x" * 201, "kind": "process"}, "title"),
        ({"title": "X", "kind": "spaceship"}, "kind"),
        ({"title": "X", "kind": "process", "purpose": 5}, "purpose"),
    ],
)
def test_it_refuses_bad_fields_naming_the_field(priority, lead, fields, field):
    with pytest.raises(ValidationError) as error:
        services.design_create(by=lead, priority=priority, **fields)
    assert field in error.value.message_dict


def test_it_adds_steps_at_the_end_of_each_process(design, lead):
    _steps(design, "current", "A", "B", by=lead)
    _steps(design, "future", "C", by=lead)
    assert _order(design, "current") == [("A", 1), ("B", 2)]
    assert _order(design, "future") == [("C", 1)]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "A", "kind": "loop"}, "kind"),
        ({"name": "A", "minutes": -1}, "minutes"),
        ({"name": "A", "minutes": 10**12}, "minutes"),
        ({"name": "A", "minutes": "NaN"}, "minutes"),
        ({"name": "A", "minutes": "ten"}, "minutes"),
        ({"name": "A", "notes": "x" * 501}, "notes"),
        ({"name": "A", "state": "past"}, "state"),
    ],
)
def test_it_refuses_bad_steps_naming_the_field(design, lead, fields, field):
    fields = {"state": "current", **fields}
    with pytest.raises(ValidationError) as error:
        services.design_step_add(by=lead, design=design, **fields)
    assert field in error.value.message_dict
    assert not DesignStep.objects.exists()


def test_it_refuses_more_than_the_most_steps_a_process_may_have(design):
    DesignStep.objects.bulk_create(
        DesignStep(design=design, state="future", position=i + 1, name=f"S{i}")
        for i in range(MAX_STEPS)
    )
    with pytest.raises(ValidationError) as error:
        services.design_step_add(by=None, design=design, state="future", name="One more")
    assert "at most 100 steps" in str(error.value)
    # The other process is not full.
    services.design_step_add(by=None, design=design, state="current", name="First")


def test_it_moves_a_step_up_and_down_and_not_past_the_ends(design, lead):
    a, b, c = _steps(design, "current", "A", "B", "C")
    services.design_step_move(by=lead, step=c, direction="up")
    assert _order(design, "current") == [("A", 1), ("C", 2), ("B", 3)]
    services.design_step_move(by=lead, step=a, direction="down")
    assert _order(design, "current") == [("C", 1), ("A", 2), ("B", 3)]
    b.refresh_from_db()
    with pytest.raises(ValidationError):
        services.design_step_move(by=lead, step=b, direction="down")
    with pytest.raises(ValidationError):
        services.design_step_move(by=lead, step=b, direction="sideways")


def test_it_removes_a_step_and_closes_the_gap(design, lead):
    a, b, c = _steps(design, "current", "A", "B", "C")
    services.design_step_remove(by=lead, step=b)
    assert _order(design, "current") == [("A", 1), ("C", 2)]


def test_it_changes_a_step(design, lead):
    (a,) = _steps(design, "current", "A")
    services.design_step_update(by=lead, step=a, name="Triage", kind="decision", minutes=5)
    a.refresh_from_db()
    assert (a.name, a.kind, a.minutes) == ("Triage", "decision", 5)


def test_it_refuses_a_member_changing_steps(design, member):
    (a,) = _steps(design, "current", "A")
    with pytest.raises(PermissionDenied):
        services.design_step_update(by=member, step=a, name="B")
    with pytest.raises(PermissionDenied):
        services.design_step_remove(by=member, step=a)


def test_it_refuses_a_package_when_the_priority_is_not_a_project(design, lead):
    _steps(design, "future", "A")
    with pytest.raises(ValidationError) as error:
        services.design_to_package(by=lead, design=design)
    assert "not a project yet" in str(error.value)
    assert not ChangePackage.objects.exists()


def test_it_refuses_a_package_without_a_future_process(design, lead, with_project):
    with pytest.raises(ValidationError):
        services.design_to_package(by=lead, design=design)


def test_it_turns_the_design_into_a_draft_change_package_of_the_project(design, lead, with_project):
    services.design_step_add(
        by=lead, design=design, state="future", name="Huddle", actor="Nurse", minutes=10
    )
    services.design_step_add(by=lead, design=design, state="future", name="Safe?", kind="decision")
    package = services.design_to_package(by=lead, design=design)
    design.refresh_from_db()
    assert design.package == package
    assert package.project == with_project.project
    assert package.status == "draft"
    assert package.how_to == "1. Huddle (Nurse, about 10 minutes)\n2. Decide: Safe?"
    assert package.evidence == "NICE CG161 (2013)."
    assert "Fewer falls at night." in package.summary
    with pytest.raises(ValidationError):
        services.design_to_package(by=lead, design=design)


def test_it_needs_the_project_s_leads_for_the_package(design, granted_partner, with_project):
    services.design_step_add(by=None, design=design, state="future", name="Huddle")
    with pytest.raises(PermissionDenied):
        services.design_to_package(by=granted_partner, design=design)
    design.refresh_from_db()
    assert design.package is None
