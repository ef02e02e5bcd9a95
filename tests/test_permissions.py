"""qms.people.access: who sees which units and people, and who may change memberships.

The organisation of tests/conftest.py:

board > division > service > ward (lead, member, partner) and other_ward; division > other_service;
quality_lead in division; outsider leads another board (elsewhere); admin is a superuser.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from helpers import make_person

from qms.people import access, services
from qms.people.models import Person, Unit
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
    assert access.visible_unit_or_404(lead, org["ward"].pk) == org["ward"]
    assert access.visible_unit_or_404(lead, str(org["ward"].pk)) == org["ward"]


@pytest.mark.parametrize(
    ("who", "unit"),
    [("lead", "other_ward"), ("lead", "service"), ("member", "board"), ("outsider", "ward")],
)
def test_it_answers_404_for_a_unit_the_user_cannot_see(request, org, who, unit):
    user = request.getfixturevalue(who)
    with pytest.raises(Http404):
        access.visible_unit_or_404(user, org[unit].pk)


def test_it_answers_404_for_a_unit_that_does_not_exist(admin, org):
    missing = Unit.objects.order_by("-pk").first().pk + 1000
    with pytest.raises(Http404):
        access.visible_unit_or_404(admin, missing)


def test_it_does_not_tell_a_hidden_unit_from_a_missing_one(lead, org):
    missing = Unit.objects.order_by("-pk").first().pk + 1000
    with pytest.raises(Http404) as hidden:
        access.visible_unit_or_404(lead, org["other_ward"].pk)
    with pytest.raises(Http404) as absent:
        access.visible_unit_or_404(lead, missing)
    assert str(hidden.value) == str(absent.value)


@pytest.mark.parametrize(
    "junk", ["abc", "", None, "1.5", "1 OR 1=1", ["1"], {"pk": 1}, "99999999999999999999999"]
)
def test_it_answers_404_for_a_junk_unit_id(admin, org, junk):
    with pytest.raises(Http404):
        access.visible_unit_or_404(admin, junk)


# require_role ----------------------------------------------------------------------------------


def test_it_returns_the_roles_when_one_is_among_those_required(lead, org):
    held = access.require_role(lead, org["ward"], MEMBERSHIP_MANAGERS)
    assert held == {Role.TEAM_LEAD}


@pytest.mark.parametrize("who", ["member", "partner"])
def test_it_refuses_with_403_a_visible_unit_where_the_role_is_lacking(request, org, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        access.require_role(user, org["ward"], MEMBERSHIP_MANAGERS)


@pytest.mark.parametrize(("who", "unit"), [("outsider", "ward"), ("lead", "other_ward")])
def test_it_refuses_with_404_a_unit_the_user_cannot_see(request, org, who, unit):
    user = request.getfixturevalue(who)
    with pytest.raises(Http404):
        access.require_role(user, org[unit], MEMBERSHIP_MANAGERS)


def test_it_accepts_any_role_by_default(partner, org):
    assert access.require_role(partner, org["ward"]) == {Role.PARTNER}


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
