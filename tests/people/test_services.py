"""qms.people.services: every write to the organisation, validated, atomic and in history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_person

from qms.core.history import history_of
from qms.people import access, services
from qms.people.forms import MembershipRemoveForm
from qms.people.models import Membership, ObjectGrant, Person, Unit
from qms.people.roles import Role


def codes(units):
    return {unit.code for unit in units}


# unit_create -----------------------------------------------------------------------------------


def test_it_gives_a_new_unit_its_path_of_ids_from_the_root(org):
    board, division, service, ward = (org[k] for k in ("board", "division", "service", "ward"))
    assert board.path == f"/{board.pk}/"
    assert ward.path == f"/{board.pk}/{division.pk}/{service.pk}/{ward.pk}/"
    ward.refresh_from_db()  # the path is stored, not only set on the object
    assert ward.path == f"/{board.pk}/{division.pk}/{service.pk}/{ward.pk}/"
    assert ward.ancestor_ids == [board.pk, division.pk, service.pk, ward.pk]
    assert (board.depth, ward.depth) == (0, 3)


def test_it_finds_a_subtree_with_one_prefix_query(org):
    subtree = Unit.objects.filter(path__startswith=org["service"].path)
    assert codes(subtree) == {"service", "ward", "other-ward"}
    division = Unit.objects.filter(path__startswith=org["division"].path)
    assert codes(division) == {"division", "service", "ward", "other-ward", "other-service"}


def test_it_puts_a_unit_made_later_into_the_subtree_of_its_parent(org, lead):
    bay = services.unit_create(by=lead, name="Bay A", code="bay-a", kind="team", parent=org["ward"])
    assert bay.path == f"{org['ward'].path}{bay.pk}/"
    assert "bay-a" in codes(Unit.objects.filter(path__startswith=org["service"].path))
    assert "bay-a" not in codes(Unit.objects.filter(path__startswith=org["other_ward"].path))
    # and a role in the ward reaches it
    assert access.roles_in(lead, bay) == {Role.TEAM_LEAD}


def test_it_records_who_created_a_unit(org, lead):
    bay = services.unit_create(by=lead, name="Bay A", code="bay-a", kind="team", parent=org["ward"])
    record = bay.history.get()
    assert (record.history_type, record.history_user) == ("+", lead)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "Castle", "code": "castle", "kind": "castle"}, "kind"),
        ({"name": "Copy", "code": "ward", "kind": "ward"}, "code"),
        ({"name": "", "code": "nameless", "kind": "ward"}, "name"),
        ({"name": "Bad code", "code": "not a slug!", "kind": "ward"}, "code"),
    ],
)
def test_it_refuses_a_bad_unit_and_saves_nothing(org, fields, field):
    before = Unit.objects.count(), Unit.history.count()
    with pytest.raises(ValidationError) as error:
        services.unit_create(by=None, parent=org["service"], **fields)
    assert field in error.value.message_dict
    assert (Unit.objects.count(), Unit.history.count()) == before


# unit_update -----------------------------------------------------------------------------------


def test_it_records_who_changed_a_unit_how_and_why(org, lead):
    ward = org["ward"]
    services.unit_update(by=lead, unit=ward, reason="Renamed after the merger", name="Ward 7A")
    ward.refresh_from_db()
    assert ward.name == "Ward 7A"
    record = ward.history.latest()
    assert record.history_type == "~"
    assert record.history_user == lead
    assert record.history_change_reason == "Renamed after the merger"
    assert record.name == "Ward 7A"
    assert record.prev_record.name == "Ward 7"

    entry = history_of(ward)[0]
    assert entry.who == str(lead)
    assert entry.summary == "Unit changed"
    assert entry.changes == [("name", "Ward 7", "Ward 7A")]
    assert entry.reason == "Renamed after the merger"


@pytest.mark.parametrize(
    "changes",
    [{"path": "/1/"}, {"parent": None}, {"created_at": None}, {"name": "Ok", "colour": "red"}],
)
def test_it_refuses_to_change_fields_it_does_not_own(org, lead, changes):
    ward = org["ward"]
    before = ward.history.count()
    with pytest.raises(ValidationError) as error:
        services.unit_update(by=lead, unit=ward, **changes)
    unknown = sorted(set(changes) - {"name"})
    assert all(name in str(error.value) for name in unknown)
    ward.refresh_from_db()
    assert (ward.name, ward.parent, ward.history.count()) == ("Ward 7", org["service"], before)


def test_it_refuses_an_invalid_change_and_saves_nothing(org, lead):
    ward = org["ward"]
    before = ward.history.count()
    with pytest.raises(ValidationError) as error:
        services.unit_update(by=lead, unit=ward, kind="castle")
    assert "kind" in error.value.message_dict
    ward.refresh_from_db()
    assert (ward.kind, ward.history.count()) == ("ward", before)


def test_it_does_not_carry_a_reason_over_to_the_next_change(org, lead):
    ward = org["ward"]
    services.unit_update(by=lead, unit=ward, reason="Renamed after the merger", name="Ward 7A")
    services.unit_update(by=lead, unit=ward, description="28 beds")
    assert not ward.history.latest().history_change_reason


# membership_add --------------------------------------------------------------------------------


@pytest.fixture
def newcomer(org):
    return make_person("newcomer", job_title="Healthcare support worker")


def test_it_adds_a_membership_and_records_who_added_it(org, lead, newcomer):
    membership = services.membership_add(
        by=lead, person=newcomer, unit=org["ward"], role=Role.TEAM_MEMBER
    )
    assert Membership.objects.filter(pk=membership.pk, person=newcomer, unit=org["ward"]).exists()
    record = membership.history.get()
    assert (record.history_type, record.history_user) == ("+", lead)
    # the new member sees the unit at once, through the same object
    assert access.roles_in(newcomer, org["ward"]) == {Role.TEAM_MEMBER}


def test_it_lets_a_lead_above_add_someone_in_a_unit_below(org, quality_lead, newcomer):
    services.membership_add(
        by=quality_lead, person=newcomer, unit=org["other_ward"], role=Role.TEAM_LEAD
    )
    assert newcomer.memberships.get().unit == org["other_ward"]


@pytest.mark.parametrize("role", ["wizard", "", "TEAM_MEMBER", "team member"])
def test_it_refuses_an_unknown_role(org, lead, newcomer, role):
    with pytest.raises(ValidationError) as error:
        services.membership_add(by=lead, person=newcomer, unit=org["ward"], role=role)
    assert "role" in error.value.message_dict
    assert not Membership.objects.filter(person=newcomer).exists()


def test_it_refuses_a_role_already_held(org, lead, member):
    before = Membership.history.count()
    with pytest.raises(ValidationError) as error:
        services.membership_add(by=lead, person=member, unit=org["ward"], role=Role.TEAM_MEMBER)
    assert "already holds" in error.value.message_dict["role"][0]
    assert member.memberships.count() == 1
    assert Membership.history.count() == before


def test_it_allows_a_second_role_in_the_same_unit(org, lead, member):
    services.membership_add(by=lead, person=member, unit=org["ward"], role=Role.ANALYST)
    assert set(member.memberships.values_list("role", flat=True)) == {
        Role.TEAM_MEMBER,
        Role.ANALYST,
    }


@pytest.mark.parametrize(
    ("who", "unit", "role"),
    [
        ("lead", "ward", Role.SYSTEM_ADMINISTRATOR),
        ("quality_lead", "ward", Role.SYSTEM_ADMINISTRATOR),
        ("outsider", "ward", Role.TEAM_MEMBER),
        ("lead", "other_ward", Role.TEAM_MEMBER),
        ("lead", "service", Role.TEAM_MEMBER),
        ("member", "ward", Role.TEAM_MEMBER),
        ("partner", "ward", Role.PARTNER),
    ],
)
def test_it_refuses_a_grant_the_granter_may_not_make(request, org, newcomer, who, unit, role):
    granter = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.membership_add(by=granter, person=newcomer, unit=org[unit], role=role)
    assert not Membership.objects.filter(person=newcomer).exists()


def test_it_lets_a_system_administrator_grant_system_administrator(org, admin, newcomer):
    services.membership_add(
        by=admin, person=newcomer, unit=org["ward"], role=Role.SYSTEM_ADMINISTRATOR
    )
    assert newcomer.memberships.get().role == Role.SYSTEM_ADMINISTRATOR


# membership_remove -----------------------------------------------------------------------------


def test_it_removes_a_membership_and_keeps_its_history(org, lead, member):
    membership = member.memberships.get()
    membership_id = membership.pk
    services.membership_remove(by=lead, membership=membership, reason="Moved to Ward 8")
    assert not Membership.objects.filter(pk=membership_id).exists()
    record = Membership.history.filter(id=membership_id).latest()
    assert record.history_type == "-"
    assert record.history_user == lead
    assert record.history_change_reason == "Moved to Ward 8"
    assert (record.person, record.unit, record.role) == (member, org["ward"], Role.TEAM_MEMBER)

    entry = history_of(org["ward"])[0]
    assert (entry.who, entry.reason) == (str(lead), "Moved to Ward 8")
    assert entry.summary == f"Removed {member} as Team member"


def test_it_takes_the_roles_away_at_once(org, lead, member):
    assert access.can_see_unit(member, org["ward"])
    services.membership_remove(by=lead, membership=member.memberships.get())
    assert not access.can_see_unit(Person.objects.get(pk=member.pk), org["ward"])


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_refuses_a_removal_by_someone_who_does_not_manage_the_unit(request, org, lead, who):
    remover = request.getfixturevalue(who)
    membership = lead.memberships.get()
    with pytest.raises(PermissionDenied):
        services.membership_remove(by=remover, membership=membership, reason="Coup")
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_it_refuses_a_lead_removing_a_system_administrator(org, lead, admin):
    membership = services.membership_add(
        by=admin, person=admin, unit=org["ward"], role=Role.SYSTEM_ADMINISTRATOR
    )
    with pytest.raises(PermissionDenied):
        services.membership_remove(by=lead, membership=membership)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_it_can_keep_every_reason_the_remove_form_accepts():
    accepted = MembershipRemoveForm.base_fields["reason"].max_length
    for model in (Membership, Unit):
        column = model.history.model._meta.get_field("history_change_reason")
        assert column.max_length is None or column.max_length >= accepted


# person_create and person_set_current_unit -----------------------------------------------------


def test_it_creates_a_person_who_sets_a_password_by_reset(db):
    person = services.person_create(
        by=None, username="nadia", display_name="Nadia Rahman", professional_group="nursing"
    )
    person.refresh_from_db()
    assert person.display_name == "Nadia Rahman"
    assert person.get_professional_group_display() == "Nursing and midwifery"
    assert not person.has_usable_password()


def test_it_refuses_an_unknown_professional_group_and_saves_nothing(db):
    with pytest.raises(ValidationError) as error:
        services.person_create(
            by=None, username="nadia", display_name="Nadia", professional_group="wizardry"
        )
    assert "professional_group" in error.value.message_dict
    assert not Person.objects.filter(username="nadia").exists()
    assert Person.objects.count() == 0


def test_it_refuses_a_user_name_already_taken(member):
    with pytest.raises(ValidationError) as error:
        services.person_create(by=None, username="member", display_name="Another")
    assert "username" in error.value.message_dict
    assert Person.objects.filter(username="member").count() == 1


def test_it_remembers_the_current_unit(org, quality_lead):
    services.person_set_current_unit(person=quality_lead, unit=org["other_ward"])
    assert Person.objects.get(pk=quality_lead.pk).current_unit == org["other_ward"]


def test_it_refuses_a_current_unit_the_person_cannot_see(org, lead):
    with pytest.raises(PermissionDenied):
        services.person_set_current_unit(person=lead, unit=org["other_ward"])
    assert Person.objects.get(pk=lead.pk).current_unit is None


def test_the_system_administrator_role_opens_the_admin_and_removing_it_closes_it(org, admin):
    colleague = make_person("colleague", (Role.TEAM_MEMBER, org["ward"]))
    assert not access.is_system_administrator(colleague)
    granted = services.membership_add(
        by=admin, person=colleague, unit=org["board"], role=Role.SYSTEM_ADMINISTRATOR
    )
    colleague.refresh_from_db()
    assert colleague.is_superuser and colleague.is_staff
    services.membership_remove(by=admin, membership=granted)
    colleague.refresh_from_db()
    assert not (colleague.is_superuser or colleague.is_staff)


# Who may: every service checks `by` itself -------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("lead", True), ("quality_lead", True), ("admin", True), ("member", False),
     ("partner", False), ("outsider", False)],
)  # fmt: skip
def test_it_lets_only_those_who_manage_a_unit_add_or_change_units_in_it(request, org, who, allowed):
    by = request.getfixturevalue(who)
    if allowed:
        services.unit_create(by=by, name="Bay A", code="bay-a", kind="team", parent=org["ward"])
        services.unit_update(by=by, unit=org["ward"], name="Ward 7A")
    else:
        with pytest.raises(PermissionDenied):
            services.unit_create(by=by, name="Bay A", code="bay-a", kind="team", parent=org["ward"])
        with pytest.raises(PermissionDenied):
            services.unit_update(by=by, unit=org["ward"], name="Ward 7A")
    assert Unit.objects.filter(code="bay-a").exists() is allowed
    assert Unit.objects.get(pk=org["ward"].pk).name == ("Ward 7A" if allowed else "Ward 7")


@pytest.mark.parametrize(("who", "allowed"), [("admin", True), ("lead", False)])
def test_it_lets_only_system_administrators_add_a_whole_organisation(request, org, who, allowed):
    by = request.getfixturevalue(who)
    if allowed:
        services.unit_create(by=by, name="New Board", code="new-board", kind="board")
    else:
        with pytest.raises(PermissionDenied):
            services.unit_create(by=by, name="New Board", code="new-board", kind="board")
    assert Unit.objects.filter(code="new-board").exists() is allowed


@pytest.mark.parametrize(
    ("who", "allowed"), [("admin", True), ("lead", False), ("quality_lead", False)]
)
def test_it_lets_only_system_administrators_make_and_change_accounts(request, member, who, allowed):
    by = request.getfixturevalue(who)
    if allowed:
        services.person_create(by=by, username="newcomer", display_name="New Comer")
        services.person_update(by=by, person=member, job_title="Charge nurse")
    else:
        with pytest.raises(PermissionDenied):
            services.person_create(by=by, username="newcomer", display_name="New Comer")
        with pytest.raises(PermissionDenied):
            services.person_update(by=by, person=member, job_title="Charge nurse")
    assert Person.objects.filter(username="newcomer").exists() is allowed
    expected = "Charge nurse" if allowed else "Staff nurse"
    assert Person.objects.get(pk=member.pk).job_title == expected


def test_it_does_not_let_an_account_change_open_the_admin(admin, member):
    with pytest.raises(ValidationError):
        services.person_update(by=admin, person=member, is_superuser=True)
    assert not Person.objects.get(pk=member.pk).is_superuser


def test_it_takes_admin_access_away_when_the_role_changes(org, admin):
    colleague = make_person("colleague", (Role.SYSTEM_ADMINISTRATOR, org["board"]))
    assert Person.objects.get(pk=colleague.pk).is_superuser
    membership = colleague.memberships.get()
    services.membership_change(
        by=admin, membership=membership, role=Role.ANALYST, reason="Moved to analytics"
    )
    colleague.refresh_from_db()
    assert not (colleague.is_superuser or colleague.is_staff)
    assert membership.history.latest().history_change_reason == "Moved to analytics"
    # and back: the role opens the admin again
    services.membership_change(by=admin, membership=membership, role=Role.SYSTEM_ADMINISTRATOR)
    colleague.refresh_from_db()
    assert colleague.is_superuser and colleague.is_staff


def test_it_moves_admin_access_with_a_membership_given_to_someone_else(org, admin, member):
    colleague = make_person("colleague", (Role.SYSTEM_ADMINISTRATOR, org["board"]))
    services.membership_change(by=admin, membership=colleague.memberships.get(), person=member)
    colleague.refresh_from_db()
    member.refresh_from_db()
    assert not colleague.is_superuser and member.is_superuser


@pytest.mark.parametrize(
    ("change", "allowed"),
    [({"role": Role.TEAM_LEAD}, True),
     ({"role": Role.SYSTEM_ADMINISTRATOR}, False),
     ({"unit": "elsewhere"}, False),
     ({"unit": "other_ward"}, False)],
)  # fmt: skip
def test_it_lets_a_lead_change_a_membership_only_within_what_they_may_grant(
    org, lead, member, change, allowed
):
    if "unit" in change:
        change = {"unit": org[change["unit"]]}
    membership = member.memberships.get()
    if allowed:
        services.membership_change(by=lead, membership=membership, **change)
    else:
        with pytest.raises(PermissionDenied):
            services.membership_change(by=lead, membership=membership, **change)
    stored = Membership.objects.get(pk=membership.pk)
    unchanged = (stored.role, stored.unit) == (Role.TEAM_MEMBER, org["ward"])
    assert unchanged is not allowed


def test_it_refuses_a_lead_changing_a_system_administrators_membership(org, lead, admin):
    here = services.membership_add(
        by=admin, person=admin, unit=org["ward"], role=Role.SYSTEM_ADMINISTRATOR
    )
    with pytest.raises(PermissionDenied):
        services.membership_change(by=lead, membership=here, role=Role.TEAM_MEMBER)
    assert Membership.objects.get(pk=here.pk).role == Role.SYSTEM_ADMINISTRATOR


# grant_give, grant_remove ----------------------------------------------------------------------


def test_it_gives_a_role_on_one_record_with_who_gave_it_in_history(measure, lead, visitor):
    grant = services.grant_give(by=lead, record=measure, person=visitor, role=Role.ANALYST)
    assert (grant.subject, grant.person, grant.role, grant.granted_by) == (
        measure,
        visitor,
        Role.ANALYST,
        lead,
    )
    assert grant.history.get().history_user == lead
    assert access.roles_on(visitor, measure) == {Role.ANALYST}


@pytest.mark.parametrize("who", ["lead", "quality_lead", "admin"])
def test_it_lets_those_who_manage_the_unit_give_a_role_on_its_record(
    request, measure, visitor, who
):
    by = request.getfixturevalue(who)
    services.grant_give(by=by, record=measure, person=visitor, role=Role.TEAM_MEMBER)
    assert ObjectGrant.objects.filter(person=visitor).count() == 1


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_refuses_a_grant_by_someone_who_does_not_manage_the_unit(request, measure, visitor, who):
    by = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match="give roles on records in Ward 7"):
        services.grant_give(by=by, record=measure, person=visitor, role=Role.TEAM_MEMBER)
    assert not ObjectGrant.objects.exists()


def test_it_does_not_let_a_grant_on_a_record_manage_that_record_s_people(
    measure, lead, visitor, newcomer
):
    services.grant_give(by=lead, record=measure, person=visitor, role=Role.TEAM_LEAD)
    with pytest.raises(PermissionDenied):
        services.grant_give(by=visitor, record=measure, person=newcomer, role=Role.TEAM_MEMBER)


@pytest.mark.parametrize("who", ["lead", "admin"])
def test_it_never_gives_system_administration_on_a_record(request, measure, visitor, who):
    by = request.getfixturevalue(who)
    with pytest.raises(ValidationError) as refused:
        services.grant_give(by=by, record=measure, person=visitor, role=Role.SYSTEM_ADMINISTRATOR)
    assert "role" in refused.value.message_dict
    assert not ObjectGrant.objects.exists()


def test_it_refuses_a_grant_already_held_naming_the_role(measure, lead, visitor):
    services.grant_give(by=lead, record=measure, person=visitor, role=Role.ANALYST)
    with pytest.raises(ValidationError) as refused:
        services.grant_give(by=lead, record=measure, person=visitor, role=Role.ANALYST)
    assert "already holds the role Analyst on" in refused.value.message_dict["role"][0]
    assert ObjectGrant.objects.count() == 1


def test_it_refuses_a_grant_to_a_closed_account(measure, lead, visitor):
    Person.objects.filter(pk=visitor.pk).update(is_active=False)
    visitor.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.grant_give(by=lead, record=measure, person=visitor, role=Role.ANALYST)
    assert "person" in refused.value.message_dict


def test_it_refuses_a_grant_on_a_record_that_does_not_take_them(org, lead, member, visitor):
    membership = member.memberships.get()
    with pytest.raises(ValidationError):
        services.grant_give(by=lead, record=membership, person=visitor, role=Role.ANALYST)
    with pytest.raises(ValidationError):
        services.grant_give(by=lead, record=org["ward"], person=visitor, role=Role.ANALYST)


def test_it_shows_the_requester_a_grant_given_to_themselves_at_once(measure, org, quality_lead):
    by = Person.objects.get(pk=quality_lead.pk)
    assert access.roles_on(by, measure) == {Role.QUALITY_LEAD}  # read and kept for the request
    services.grant_give(by=by, record=measure, person=quality_lead, role=Role.ANALYST)
    assert access.roles_on(by, measure) == {Role.QUALITY_LEAD, Role.ANALYST}


def test_it_removes_a_grant_keeping_who_ended_it_and_why(measure, lead, visitor):
    grant = services.grant_give(by=lead, record=measure, person=visitor, role=Role.ANALYST)
    assert access.roles_on(visitor, measure) == {Role.ANALYST}
    services.grant_remove(by=lead, grant=grant, reason="The audit is finished")
    assert not ObjectGrant.objects.exists()
    ended = ObjectGrant.history.filter(history_type="-").get()
    assert (ended.history_user, ended.history_change_reason) == (lead, "The audit is finished")
    assert access.roles_on(visitor, measure) == frozenset()


@pytest.mark.parametrize(
    ("who", "allowed"), [("member", False), ("outsider", False), ("quality_lead", True)]
)
def test_it_lets_only_those_who_manage_the_unit_remove_a_grant(
    request, measure, lead, visitor, who, allowed
):
    grant = services.grant_give(by=lead, record=measure, person=visitor, role=Role.ANALYST)
    by = request.getfixturevalue(who)
    if allowed:
        services.grant_remove(by=by, grant=grant)
    else:
        with pytest.raises(PermissionDenied):
            services.grant_remove(by=by, grant=grant)
    assert ObjectGrant.objects.exists() is not allowed


def test_it_leaves_a_grant_whose_record_is_gone_to_system_administrators(
    measure, lead, admin, visitor
):
    grant = services.grant_give(by=lead, record=measure, person=visitor, role=Role.ANALYST)
    ObjectGrant.objects.filter(pk=grant.pk).update(object_id=measure.pk + 1000)
    grant.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.grant_remove(by=lead, grant=grant)
    services.grant_remove(by=admin, grant=grant)
    assert not ObjectGrant.objects.exists()
