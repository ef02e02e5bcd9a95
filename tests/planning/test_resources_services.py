"""Capacity, a priority's resources, responsibilities (RACI), commitments against capacity
with over-commitment, and the balance of effort."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from planning.designres_support import *  # noqa: F403
from qms.improvement import services as improvement_services
from qms.improvement.models import Stage
from qms.notifications.models import Notification
from qms.planning import selectors, services
from qms.planning.models import PriorityStatus, Responsibility, UnitCapacity


def _project(unit, lead, hours, budget=None, stage=Stage.TESTING, title="P"):
    return improvement_services.project_create(
        by=None,
        unit=unit,
        title=title,
        problem="p",
        aim="a",
        stage=stage,
        protected_hours=hours,
        budget=budget,
        lead=lead,
    )


# Capacity ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lead", "quality_lead", "admin"])
def test_it_lets_leaders_set_a_unit_s_capacity(request, org, who):
    person = request.getfixturevalue(who)
    capacity = services.capacity_set(
        by=person, unit=org["ward"], protected_hours="12.5", budget=3000
    )
    assert capacity.protected_hours == Decimal("12.5")
    assert capacity.budget == Decimal("3000.00")


@pytest.mark.parametrize("who", ["member", "partner", "outsider", "granted_partner"])
def test_it_refuses_others_setting_capacity(request, org, who):
    with pytest.raises(PermissionDenied):
        services.capacity_set(by=request.getfixturevalue(who), unit=org["ward"], budget=1)
    assert not UnitCapacity.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"protected_hours": "-1"}, "protected_hours"),
        ({"protected_hours": "NaN"}, "protected_hours"),
        ({"budget": "Infinity"}, "budget"),
        ({"budget": "10000000000"}, "budget"),
        ({"planning_hours": "lots"}, "planning_hours"),
        ({"control_hours": 10**9}, "control_hours"),
    ],
)
def test_it_refuses_bad_figures_naming_the_field(org, fields, field):
    with pytest.raises(ValidationError) as error:
        services.capacity_set(by=None, unit=org["ward"], **fields)
    assert field in error.value.message_dict
    assert not UnitCapacity.objects.exists()


# A priority's resources -------------------------------------------------------------------------


def test_it_sets_a_priority_s_resources(priority, lead):
    services.priority_resources_set(by=lead, priority=priority, protected_hours="4", budget="250")
    priority.refresh_from_db()
    assert (priority.protected_hours, priority.budget) == (Decimal("4.0"), Decimal("250.00"))


@pytest.mark.parametrize("who", ["member", "granted_partner", "outsider"])
def test_it_refuses_others_setting_a_priority_s_resources(request, priority, who):
    with pytest.raises(PermissionDenied):
        services.priority_resources_set(
            by=request.getfixturevalue(who), priority=priority, protected_hours=1
        )


def test_it_refuses_negative_resources(priority, lead):
    with pytest.raises(ValidationError) as error:
        services.priority_resources_set(by=lead, priority=priority, protected_hours=-2)
    assert "protected_hours" in error.value.message_dict


# Responsibilities -------------------------------------------------------------------------------


def test_it_gives_a_responsibility_and_tells_the_person(priority, lead, member):
    r = services.responsibility_add(by=lead, priority=priority, person=member, raci="R")
    assert r.get_raci_display() == "Responsible"
    note = Notification.objects.get(person=member)
    assert "responsible" in note.text
    assert note.link == f"/plan/priorities/{priority.pk}/roles/"


def test_it_allows_one_accountable_person_at_most(priority, lead, member):
    services.responsibility_add(by=lead, priority=priority, person=lead, raci="A")
    with pytest.raises(ValidationError) as error:
        services.responsibility_add(by=lead, priority=priority, person=member, raci="A")
    assert "raci" in error.value.message_dict
    assert Responsibility.objects.filter(raci="A").count() == 1


def test_it_refuses_the_same_responsibility_twice(priority, lead, member):
    services.responsibility_add(by=lead, priority=priority, person=member, raci="C")
    with pytest.raises(ValidationError):
        services.responsibility_add(by=lead, priority=priority, person=member, raci="C")


def test_it_refuses_a_person_who_cannot_see_the_priority(priority, lead, outsider, partner):
    for person in (outsider, partner):
        with pytest.raises(ValidationError) as error:
            services.responsibility_add(by=lead, priority=priority, person=person, raci="I")
        assert "person" in error.value.message_dict


def test_it_accepts_a_partner_given_a_role_on_the_priority(priority, lead, granted_partner):
    services.responsibility_add(by=lead, priority=priority, person=granted_partner, raci="C")


@pytest.mark.parametrize("who", ["member", "granted_partner", "outsider"])
def test_it_refuses_others_giving_responsibilities(request, priority, lead, who):
    with pytest.raises(PermissionDenied):
        services.responsibility_add(
            by=request.getfixturevalue(who), priority=priority, person=lead, raci="R"
        )


def test_it_refuses_an_unknown_raci_or_neither_or_both_records(priority, project, lead):
    with pytest.raises(ValidationError):
        services.responsibility_add(by=lead, priority=priority, person=lead, raci="X")
    with pytest.raises(ValidationError):
        services.responsibility_add(by=lead, person=lead, raci="R")
    with pytest.raises(ValidationError):
        services.responsibility_add(
            by=lead, priority=priority, project=project, person=lead, raci="R"
        )


def test_it_lets_a_project_s_leads_set_its_responsibilities(project, lead, member):
    services.responsibility_add(by=lead, project=project, person=member, raci="R")
    with pytest.raises(PermissionDenied):
        services.responsibility_add(by=member, project=project, person=lead, raci="A")
    assert [r.person for r in selectors.responsibilities_of(project)] == [member]


def test_it_removes_a_responsibility(priority, lead, member):
    r = services.responsibility_add(by=lead, priority=priority, person=member, raci="I")
    with pytest.raises(PermissionDenied):
        services.responsibility_remove(by=member, responsibility=r)
    services.responsibility_remove(by=lead, responsibility=r)
    assert not Responsibility.objects.exists()


def test_it_lists_accountable_first(priority, lead, member):
    services.responsibility_add(by=lead, priority=priority, person=member, raci="I")
    services.responsibility_add(by=lead, priority=priority, person=lead, raci="A")
    assert [r.raci for r in selectors.responsibilities_of(priority)] == ["A", "I"]


def test_it_offers_the_unit_s_staff_and_the_granted_people(
    priority, lead, member, granted_partner, outsider, partner
):
    people = set(selectors.people_for_roles(priority))
    assert {lead, member, granted_partner} <= people
    assert outsider not in people
    assert partner not in people


# Commitments and over-commitment ----------------------------------------------------------------


@pytest.fixture
def built(org, lead):
    """Ward 7: capacity 10 hours and £1,000; a candidate priority of 4 hours and £300, an
    approved one of 3 hours, a parked one of 50 (not counted), one that became a project (its
    own hours not counted); open projects of 5 hours (£900) and a closed one of 40 (not
    counted). Ward 8: no capacity, a project of 2 hours."""
    ward = org["ward"]
    services.capacity_set(
        by=None,
        unit=ward,
        protected_hours=10,
        budget=1000,
        planning_hours=2,
        control_hours=3,
        assurance_hours=None,
    )
    make_priority(ward, "Candidate", protected_hours=4, budget=300)  # noqa: F405
    make_priority(ward, "Approved", protected_hours=3, status=PriorityStatus.APPROVED)  # noqa: F405
    make_priority(ward, "Parked", protected_hours=50, status=PriorityStatus.PARKED)  # noqa: F405
    became = _project(ward, lead, 5, 900, title="Open")
    make_priority(  # noqa: F405
        ward, "Became", protected_hours=20, status=PriorityStatus.APPROVED, project=became
    )
    _project(ward, lead, 40, 5000, stage=Stage.CLOSED, title="Closed")
    _project(org["other_ward"], lead, 2, title="Elsewhere")
    return org


def test_it_adds_up_commitments_and_shows_over_commitment(built, lead):
    c = selectors.commitments(lead, built["ward"])
    (row,) = c.rows
    assert row.priority_hours == Decimal("7.0")
    assert row.project_hours == Decimal("5.0")
    assert row.hours == Decimal("12.0")
    assert row.hours_over == Decimal("2.0")
    assert row.budget == Decimal("1200.00")
    assert row.budget_over == Decimal("200.00")
    assert row.status == "Over-committed: 2.0 hours a week over, £200.00 over budget"
    assert [p.title for p in c.priorities.object_list] == ["Candidate", "Approved"]
    assert [p.title for p in c.projects.object_list] == ["Open"]


def test_it_shows_each_unit_and_says_which_have_no_capacity(built, quality_lead):
    c = selectors.commitments(quality_lead, built["service"])
    by_unit = {row.unit.code: row for row in c.rows}
    assert set(by_unit) == {"service", "ward", "other-ward"}
    assert by_unit["other-ward"].status == "No capacity set"
    assert by_unit["other-ward"].hours == Decimal("2.0")
    assert {row.unit.code for row in c.without_capacity} == {"service", "other-ward"}
    assert c.total.hours == Decimal("14.0")
    assert c.total.capacity_hours == Decimal("10.0")


def test_it_reads_within_capacity_when_it_is(org, lead):
    services.capacity_set(by=None, unit=org["ward"], protected_hours=10)
    make_priority(org["ward"], protected_hours=10)  # noqa: F405
    (row,) = selectors.commitments(lead, org["ward"]).rows
    assert not row.over
    assert row.status == "Within capacity"


# Balance ----------------------------------------------------------------------------------------


def test_it_balances_effort_between_the_four_activities(built, lead):
    b = selectors.balance(lead, built["ward"])
    (row,) = b.rows
    # Planning: 2 standing + 7 of priorities not yet projects; control 3; improvement 5.
    assert row.hours == {
        "planning": Decimal("9.0"),
        "control": Decimal("3.0"),
        "improvement": Decimal("5.0"),
        "assurance": Decimal("0"),
    }
    assert b.reading == (
        "Most effort goes to planning: 9.0 of 17.0 hours a week (53%). "
        "Nothing is recorded for assurance."
    )
    assert b.spec_json and '"hours": 9.0' in b.spec_json


def test_it_balances_a_unit_and_the_units_below_it(built, quality_lead):
    b = selectors.balance(quality_lead, built["division"])
    assert {row.unit.code for row in b.rows} == {"division", "ward", "other-ward"}
    assert b.total.hours["improvement"] == Decimal("7.0")
    assert b.total.total == Decimal("19.0")


def test_it_says_when_nothing_is_recorded(org, lead):
    b = selectors.balance(lead, org["ward"])
    assert b.spec_json is None
    assert b.reading.startswith("No effort is recorded yet")
