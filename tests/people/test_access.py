"""qms.people.access: who sees which units and people, and who may change memberships.

The organisation of tests/conftest.py:

board > division > service > ward (lead, member, partner) and other_ward; division > other_service;
quality_lead in division; outsider leads another board (elsewhere); admin is a superuser.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from helpers import make_measure, make_person

from qms.control import services as control_services
from qms.control.models import Measure, Observation
from qms.control.roles import MEASURE_EDITORS, VIEWERS
from qms.people import access, services
from qms.people.models import ObjectGrant, Person, Unit
from qms.people.roles import ALL_ROLES, MEMBERSHIP_MANAGERS, Role

ALL_CODES = {"board", "division", "service", "ward", "other-ward", "other-service", "elsewhere"}


def codes(units):
    return {unit.code for unit in units}


def fresh(person):
    """The person as a new request would load them: no memberships cached on the object."""
    return Person.objects.get(pk=person.pk)


# units_visible_to ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("lead", {"ward"}),
        ("member", {"ward"}),
        ("partner", {"ward"}),
        ("quality_lead", {"division", "service", "ward", "other-ward", "other-service"}),
        ("outsider", {"elsewhere"}),
        ("admin", ALL_CODES),
    ],
)
def test_it_shows_each_user_the_units_they_hold_a_role_in_and_all_below(request, who, expected):
    user = request.getfixturevalue(who)
    assert codes(access.units_visible_to(user)) == expected


def test_it_reaches_every_level_of_the_subtree_below_a_role(org):
    board_member = make_person("exec", (Role.EXECUTIVE, org["board"]))
    assert codes(access.units_visible_to(board_member)) == ALL_CODES - {"elsewhere"}


def test_it_shows_an_outsider_nothing_of_the_other_board(outsider, org):
    visible = access.units_visible_to(outsider)
    for code in ALL_CODES - {"elsewhere"}:
        assert not visible.filter(code=code).exists()
        assert not access.can_see_unit(outsider, Unit.objects.get(code=code))


def test_it_shows_an_inactive_user_nothing(member, org):
    Person.objects.filter(pk=member.pk).update(is_active=False)
    inactive = fresh(member)
    assert list(access.units_visible_to(inactive)) == []
    assert access.roles_in(inactive, org["ward"]) == frozenset()


def test_it_shows_an_inactive_superuser_nothing(admin, org):
    Person.objects.filter(pk=admin.pk).update(is_active=False)
    inactive = fresh(admin)
    assert not access.is_system_administrator(inactive)
    assert list(access.units_visible_to(inactive)) == []
    assert access.roles_in(inactive, org["elsewhere"]) == frozenset()


def test_it_shows_an_anonymous_visitor_nothing(org):
    anonymous = AnonymousUser()
    assert list(access.units_visible_to(anonymous)) == []
    assert access.roles_in(anonymous, org["ward"]) == frozenset()


def test_it_shows_someone_without_memberships_nothing(org):
    nobody = make_person("nobody")
    assert list(access.units_visible_to(nobody)) == []


def test_it_shows_a_superuser_every_unit_without_any_membership(org):
    root = make_person("root")
    Person.objects.filter(pk=root.pk).update(is_superuser=True)
    assert codes(access.units_visible_to(fresh(root))) == ALL_CODES


def test_it_does_not_confuse_unit_n_with_unit_n0(org):
    """Paths end in "/", so a role in unit 7 ("/7/") does not reach unit 70 ("/70/")."""
    near = org["elsewhere"]
    lookalike = Unit.objects.create(
        pk=int(f"{near.pk}0"), name="Lookalike", code="lookalike", kind="board"
    )
    Unit.objects.filter(pk=lookalike.pk).update(path=f"/{lookalike.pk}/")
    lookalike.refresh_from_db()
    assert lookalike.path.startswith(near.path.rstrip("/"))  # the trap is real

    outsider = make_person("outsider", (Role.TEAM_LEAD, near))
    assert codes(access.units_visible_to(outsider)) == {"elsewhere"}
    assert access.roles_in(outsider, lookalike) == frozenset()


# roles_in --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "unit", "expected"),
    [
        ("lead", "ward", {Role.TEAM_LEAD}),
        ("lead", "service", set()),
        ("lead", "other_ward", set()),
        ("lead", "board", set()),
        ("quality_lead", "division", {Role.QUALITY_LEAD}),
        ("quality_lead", "ward", {Role.QUALITY_LEAD}),
        ("quality_lead", "other_service", {Role.QUALITY_LEAD}),
        ("quality_lead", "board", set()),
        ("quality_lead", "elsewhere", set()),
        ("partner", "ward", {Role.PARTNER}),
        ("outsider", "ward", set()),
        ("outsider", "elsewhere", {Role.TEAM_LEAD}),
    ],
)
def test_it_inherits_roles_down_the_tree_and_never_up(request, org, who, unit, expected):
    user = request.getfixturevalue(who)
    assert access.roles_in(user, org[unit]) == frozenset(expected)


def test_it_combines_roles_held_at_different_levels(org):
    person = make_person("both", (Role.ANALYST, org["division"]), (Role.TEAM_LEAD, org["ward"]))
    assert access.roles_in(person, org["ward"]) == {Role.ANALYST, Role.TEAM_LEAD}
    assert access.roles_in(person, org["other_ward"]) == {Role.ANALYST}
    assert access.roles_in(person, org["board"]) == frozenset()


def test_it_gives_a_superuser_the_system_administrator_role_everywhere(admin, org):
    # admin's membership is in board only; elsewhere is reached through being a superuser.
    assert access.roles_in(admin, org["elsewhere"]) == {Role.SYSTEM_ADMINISTRATOR}


def test_it_sees_a_new_membership_once_the_cache_is_forgotten(member, org):
    assert not access.can_see_unit(member, org["other_ward"])  # caches the memberships
    services.membership_add(by=None, person=member, unit=org["other_ward"], role=Role.ANALYST)
    assert access.roles_in(member, org["other_ward"]) == {Role.ANALYST}


# visible_unit_or_404 ---------------------------------------------------------------------------


def test_it_returns_a_visible_unit(lead, org):
    assert access.object_or_404(lead, Unit, org["ward"].pk) == org["ward"]
    assert access.object_or_404(lead, Unit, str(org["ward"].pk)) == org["ward"]


@pytest.mark.parametrize(
    ("who", "unit"),
    [("lead", "other_ward"), ("lead", "service"), ("member", "board"), ("outsider", "ward")],
)
def test_it_answers_404_for_a_unit_the_user_cannot_see(request, org, who, unit):
    user = request.getfixturevalue(who)
    with pytest.raises(Http404):
        access.object_or_404(user, Unit, org[unit].pk)


def test_it_answers_404_for_a_unit_that_does_not_exist(admin, org):
    missing = Unit.objects.order_by("-pk").first().pk + 1000
    with pytest.raises(Http404):
        access.object_or_404(admin, Unit, missing)


def test_it_does_not_tell_a_hidden_unit_from_a_missing_one(lead, org):
    missing = Unit.objects.order_by("-pk").first().pk + 1000
    with pytest.raises(Http404) as hidden:
        access.object_or_404(lead, Unit, org["other_ward"].pk)
    with pytest.raises(Http404) as absent:
        access.object_or_404(lead, Unit, missing)
    assert str(hidden.value) == str(absent.value)


@pytest.mark.parametrize(
    "junk", ["abc", "", None, "1.5", "1 OR 1=1", ["1"], {"pk": 1}, "99999999999999999999999"]
)
def test_it_answers_404_for_a_junk_unit_id(admin, org, junk):
    with pytest.raises(Http404):
        access.object_or_404(admin, Unit, junk)


# require_role ----------------------------------------------------------------------------------


def test_it_returns_the_roles_when_one_is_among_those_required(lead, org):
    held = access.require(lead, org["ward"], MEMBERSHIP_MANAGERS)
    assert held == {Role.TEAM_LEAD}


@pytest.mark.parametrize("who", ["member", "partner"])
def test_it_refuses_with_403_a_visible_unit_where_the_role_is_lacking(request, org, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        access.require(user, org["ward"], MEMBERSHIP_MANAGERS)


@pytest.mark.parametrize(("who", "unit"), [("outsider", "ward"), ("lead", "other_ward")])
def test_it_refuses_with_404_a_unit_the_user_cannot_see(request, org, who, unit):
    user = request.getfixturevalue(who)
    with pytest.raises(Http404):
        access.require(user, org[unit], MEMBERSHIP_MANAGERS)


def test_it_accepts_any_role_by_default(partner, org):
    assert access.require(partner, org["ward"]) == {Role.PARTNER}


# can_manage_memberships and can_grant ----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "unit", "expected"),
    [
        ("lead", "ward", True),
        ("lead", "service", False),
        ("lead", "other_ward", False),
        ("member", "ward", False),
        ("partner", "ward", False),
        ("quality_lead", "ward", True),
        ("quality_lead", "division", True),
        ("quality_lead", "board", False),
        ("outsider", "ward", False),
        ("outsider", "elsewhere", True),
        ("admin", "elsewhere", True),
    ],
)
def test_it_lets_only_leads_and_administrators_manage_memberships(
    request, org, who, unit, expected
):
    user = request.getfixturevalue(who)
    assert access.can_manage_memberships(user, org[unit]) is expected


@pytest.mark.parametrize("role", sorted(ALL_ROLES - {Role.SYSTEM_ADMINISTRATOR}))
def test_it_lets_a_lead_grant_every_other_role_in_their_unit(lead, org, role):
    assert access.can_grant(lead, org["ward"], role)
    assert not access.can_grant(lead, org["other_ward"], role)


@pytest.mark.parametrize(
    ("who", "expected"),
    [("lead", False), ("quality_lead", False), ("member", False), ("admin", True)],
)
def test_it_lets_only_system_administrators_grant_system_administrator(request, org, who, expected):
    user = request.getfixturevalue(who)
    assert access.can_grant(user, org["ward"], Role.SYSTEM_ADMINISTRATOR) is expected


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_lets_no_one_without_a_managing_role_grant(request, org, who):
    user = request.getfixturevalue(who)
    assert not access.can_grant(user, org["ward"], Role.TEAM_MEMBER)


# can_see_person --------------------------------------------------------------------------------


@pytest.fixture
def sibling(org):
    """Staff in the next ward: same service, a different branch."""
    return make_person("sibling", (Role.TEAM_MEMBER, org["other_ward"]))


@pytest.mark.parametrize(
    ("viewer", "person", "expected"),
    [
        # yourself
        ("member", "member", True),
        ("partner", "partner", True),
        ("outsider", "outsider", True),
        # staff colleagues in the unit
        ("member", "lead", True),
        ("lead", "member", True),
        # along the branch: the leads above, and those they lead
        ("member", "quality_lead", True),
        ("quality_lead", "member", True),
        ("quality_lead", "sibling", True),
        # not across to another branch
        ("member", "sibling", False),
        ("sibling", "member", False),
        ("lead", "sibling", False),
        # partners: only the managers of their unit
        ("member", "partner", False),
        ("sibling", "partner", False),
        ("lead", "partner", True),
        ("quality_lead", "partner", True),
        ("partner", "member", False),
        ("partner", "lead", False),
        # another board
        ("outsider", "member", False),
        ("outsider", "lead", False),
        ("outsider", "partner", False),
        ("member", "outsider", False),
        # system administrators
        ("admin", "partner", True),
        ("admin", "outsider", True),
    ],
)
def test_it_shows_a_person_only_to_those_who_may_see_them(request, viewer, person, expected):
    assert (
        access.can_see_person(request.getfixturevalue(viewer), request.getfixturevalue(person))
        is expected
    )


def test_it_shows_no_one_to_an_anonymous_visitor(member):
    assert not access.can_see_person(AnonymousUser(), member)


def test_it_hides_someone_without_any_membership_from_staff(lead, org):
    newcomer = make_person("newcomer")
    assert not access.can_see_person(lead, newcomer)


def test_it_hides_colleagues_from_an_inactive_user(member, lead):
    Person.objects.filter(pk=member.pk).update(is_active=False)
    assert not access.can_see_person(fresh(member), lead)


def test_it_hides_a_partner_from_staff_even_when_the_partner_works_elsewhere(member, org):
    dual = make_person("dual", (Role.PARTNER, org["ward"]), (Role.TEAM_MEMBER, org["elsewhere"]))
    assert not access.can_see_person(member, dual)


# can_see_people_of -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "unit", "expected"),
    [
        ("member", "ward", True),
        ("lead", "ward", True),
        ("quality_lead", "ward", True),
        ("admin", "ward", True),
        ("partner", "ward", False),
        ("outsider", "ward", False),
        ("member", "other_ward", False),
    ],
)
def test_it_shows_the_people_of_a_unit_to_staff_only(request, org, who, unit, expected):
    user = request.getfixturevalue(who)
    assert access.can_see_people_of(user, org[unit]) is expected


# Any record: roles_on, grants, require, object_or_404, authorise, visible, in_subtree -----------


def _grant(person, record, role):
    return ObjectGrant.objects.create(person=person, subject=record, role=role)


@pytest.fixture
def measures(org):
    """One measure in each of the ward, the other ward, the other service and the other board."""
    return {
        name: make_measure(org[name], name.replace("_", "-"))
        for name in ("ward", "other_ward", "other_service", "elsewhere")
    }


@pytest.mark.parametrize(
    ("who", "where", "expected"),
    [
        ("lead", "ward", {Role.TEAM_LEAD}),
        ("partner", "ward", {Role.PARTNER}),
        ("quality_lead", "ward", {Role.QUALITY_LEAD}),  # from the division, two levels up
        ("quality_lead", "other_service", {Role.QUALITY_LEAD}),
        ("lead", "other_ward", set()),  # never sideways
        ("outsider", "ward", set()),
        ("admin", "elsewhere", {Role.SYSTEM_ADMINISTRATOR}),
    ],
)
def test_it_gives_roles_on_a_record_through_its_unit_and_the_units_above(
    request, measures, who, where, expected
):
    user = request.getfixturevalue(who)
    assert access.roles_on(user, measures[where]) == frozenset(expected)


def test_it_gives_a_granted_role_on_that_record_only(org, measures, visitor):
    _grant(visitor, measures["ward"], Role.IMPROVEMENT_COACH)
    visitor = fresh(visitor)
    assert access.roles_on(visitor, measures["ward"]) == {Role.IMPROVEMENT_COACH}
    assert access.roles_on(visitor, measures["other_ward"]) == frozenset()
    assert access.roles_in(visitor, org["ward"]) == frozenset()  # nothing of the unit around it
    assert list(access.units_visible_to(visitor)) == []


def test_it_adds_a_grant_to_the_roles_held_through_the_unit(measures, member):
    _grant(member, measures["ward"], Role.ANALYST)
    assert access.roles_on(fresh(member), measures["ward"]) == {Role.TEAM_MEMBER, Role.ANALYST}


def test_it_gives_nothing_to_an_inactive_person_with_a_grant(measures, visitor):
    _grant(visitor, measures["ward"], Role.TEAM_MEMBER)
    Person.objects.filter(pk=visitor.pk).update(is_active=False)
    assert access.roles_on(fresh(visitor), measures["ward"]) == frozenset()


def test_it_reads_grants_once_per_request_until_told_to_forget(
    measures, visitor, django_assert_num_queries
):
    visitor = fresh(visitor)
    access.roles_on(visitor, measures["ward"])
    _grant(visitor, measures["ward"], Role.TEAM_MEMBER)
    with django_assert_num_queries(0):
        assert access.roles_on(visitor, measures["ward"]) == frozenset()
    access.forget_memberships(visitor)
    assert access.roles_on(visitor, measures["ward"]) == {Role.TEAM_MEMBER}


@pytest.fixture
def observation_under_measure(monkeypatch, measures):
    """Observations declared as records living under their measure (`access_unit` and
    `access_parent`), as a project's PDSA cycles will live under their project."""
    monkeypatch.setattr(
        Observation, "access_unit", property(lambda self: self.measure.unit), raising=False
    )
    monkeypatch.setattr(
        Observation, "access_parent", property(lambda self: self.measure), raising=False
    )
    rows = [
        control_services.ObservationInput(
            measure=measures["ward"], period=dt.date(2024, 1, 1), value=3.0
        )
    ]
    control_services.observations_save(by=None, rows=rows, refresh=False)
    return Observation.objects.get(measure=measures["ward"])


def test_it_reaches_a_record_through_the_grant_on_its_parent(
    observation_under_measure, measures, visitor, member
):
    _grant(visitor, measures["ward"], Role.TEAM_MEMBER)
    assert access.roles_on(fresh(visitor), observation_under_measure) == {Role.TEAM_MEMBER}
    assert access.roles_on(member, observation_under_measure) == {Role.TEAM_MEMBER}
    assert access.unit_of(observation_under_measure) == measures["ward"].unit


def test_it_does_not_reach_a_parent_through_a_grant_on_its_child(
    observation_under_measure, measures, visitor
):
    _grant(visitor, observation_under_measure, Role.TEAM_MEMBER)
    visitor = fresh(visitor)
    assert access.roles_on(visitor, observation_under_measure) == {Role.TEAM_MEMBER}
    assert access.roles_on(visitor, measures["ward"]) == frozenset()


def test_it_answers_404_for_a_record_unseen_and_403_for_one_seen_without_the_role(
    measures, member, partner, outsider
):
    pk = measures["ward"].pk
    assert access.object_or_404(member, Measure, pk, VIEWERS) == measures["ward"]
    with pytest.raises(PermissionDenied):
        access.object_or_404(member, Measure, pk, MEASURE_EDITORS)
    with pytest.raises(PermissionDenied):
        access.object_or_404(partner, Measure, pk, VIEWERS)
    with pytest.raises(Http404):
        access.object_or_404(outsider, Measure, pk, VIEWERS)
    with pytest.raises(Http404):
        access.object_or_404(member, Measure, measures["other_ward"].pk, VIEWERS)


@pytest.mark.parametrize("junk", ["abc", None, ["1"], "99999999999999999999999", 10**6])
def test_it_answers_404_for_a_record_that_does_not_exist(measures, admin, junk):
    with pytest.raises(Http404):
        access.object_or_404(admin, Measure, junk)


def test_it_finds_a_record_in_the_queryset_given_only(measures, lead):
    inactive = Measure.objects.filter(is_active=False)
    with pytest.raises(Http404):
        access.object_or_404(lead, inactive, measures["ward"].pk)


def test_it_lets_a_granted_person_open_that_record_and_nothing_else_of_its_unit(
    measures, visitor, org
):
    _grant(visitor, measures["ward"], Role.TEAM_MEMBER)
    visitor = fresh(visitor)
    assert access.object_or_404(visitor, Measure, measures["ward"].pk, VIEWERS)
    with pytest.raises(Http404):
        access.object_or_404(visitor, Measure, measures["other_ward"].pk)
    with pytest.raises(Http404):
        access.object_or_404(visitor, Unit, org["ward"].pk)


def test_it_answers_403_for_a_grant_without_the_role_needed(measures, visitor):
    _grant(visitor, measures["ward"], Role.PARTNER)
    with pytest.raises(PermissionDenied):
        access.require(fresh(visitor), measures["ward"], VIEWERS)


def test_it_authorises_the_system_without_a_check(measures):
    access.authorise(None, measures["elsewhere"], MEASURE_EDITORS, "change measures")


def test_it_refuses_a_service_naming_the_action_and_the_unit(measures, member):
    with pytest.raises(PermissionDenied, match="change measures in Ward 7"):
        access.authorise(member, measures["ward"], MEASURE_EDITORS, "change measures")
    access.authorise(member, measures["ward"], VIEWERS, "see measures")


def test_it_authorises_a_person_through_a_grant(measures, visitor):
    _grant(visitor, measures["ward"], Role.ANALYST)
    access.authorise(fresh(visitor), measures["ward"], MEASURE_EDITORS, "change measures")


def codes_of(queryset):
    return {measure.code for measure in queryset}


@pytest.mark.parametrize(
    ("who", "roles", "expected"),
    [
        ("lead", VIEWERS, {"ward"}),
        ("member", MEASURE_EDITORS, set()),
        ("partner", VIEWERS, set()),
        ("partner", ALL_ROLES, {"ward"}),
        ("quality_lead", VIEWERS, {"ward", "other-ward", "other-service"}),
        ("outsider", VIEWERS, {"elsewhere"}),
        ("admin", VIEWERS, {"ward", "other-ward", "other-service", "elsewhere"}),
        # A system administrator reaches everything only where that role is asked for.
        ("admin", {Role.PARTNER}, set()),
    ],
)
def test_it_filters_a_queryset_to_the_rows_a_user_holds_a_role_on(
    request, measures, who, roles, expected
):
    user = request.getfixturevalue(who)
    assert codes_of(access.visible(user, Measure.objects.all(), roles)) == expected


def test_it_includes_the_rows_granted_with_a_role_asked_for_and_nothing_else(
    measures, visitor, member
):
    _grant(visitor, measures["other_ward"], Role.TEAM_MEMBER)
    _grant(visitor, measures["other_service"], Role.PARTNER)
    _grant(member, measures["other_ward"], Role.TEAM_MEMBER)
    everything = Measure.objects.all()
    assert codes_of(access.visible(fresh(visitor), everything, VIEWERS)) == {"other-ward"}
    assert codes_of(access.visible(fresh(visitor), everything)) == {"other-ward", "other-service"}
    assert codes_of(access.visible(fresh(member), everything, VIEWERS)) == {"ward", "other-ward"}
    # A grant on a unit's record is not a grant on the unit.
    assert list(access.visible(fresh(visitor), Unit.objects.all(), unit_field=None)) == []


def test_it_leaves_grants_aside_for_work_done_unit_by_unit(measures, visitor, lead):
    _grant(visitor, measures["ward"], Role.TEAM_MEMBER)
    everything = Measure.objects.all()
    assert list(access.in_units_with_role(fresh(visitor), everything, VIEWERS)) == []
    assert codes_of(access.in_units_with_role(lead, everything, VIEWERS)) == {"ward"}


def test_it_filters_a_queryset_to_a_unit_and_the_units_below(measures, org):
    everything = Measure.objects.all()
    assert codes_of(access.in_subtree(everything, org["service"])) == {"ward", "other-ward"}
    assert codes_of(access.in_subtree(everything, org["ward"])) == {"ward"}
    assert codes_of(access.in_subtree(everything, org["division"])) == {
        "ward",
        "other-ward",
        "other-service",
    }


def test_it_answers_whether_a_user_may_with_can(measures, member, partner):
    assert access.can(member, measures["ward"], VIEWERS)
    assert not access.can(member, measures["ward"], MEASURE_EDITORS)
    assert not access.can(partner, measures["ward"], VIEWERS)
