"""Reads shaped for the organisation pages."""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from qms.people import access
from qms.people.models import ApiKey, Membership, ObjectGrant, Person, Unit
from qms.people.roles import LISTING_ORDER, MEMBERSHIP_MANAGERS, Role


@dataclass
class TreeNode:
    unit: Unit
    children: list["TreeNode"] = field(default_factory=list)


def unit_tree(user) -> list[TreeNode]:
    """The units the user can see, as a forest: each root is a unit whose parent is hidden."""
    units = list(access.units_visible_to(user).order_by("path"))
    nodes = {unit.pk: TreeNode(unit) for unit in units}
    roots = []
    for unit in units:
        parent = nodes.get(unit.parent_id)
        (parent.children if parent else roots).append(nodes[unit.pk])
    for node in nodes.values():
        node.children.sort(key=lambda child: child.unit.name)
    return roots


@dataclass
class WorkingUnits:
    """The navigation's unit switcher: the units the person holds a role in (a few, however
    large the organisation) and the current one, which may be any unit they can see (picked
    from the unit tree)."""

    units: list[Unit]
    current: Unit | None


def working_units(user) -> WorkingUnits:
    """One query, whatever the number of units the person can see."""
    units = Unit.objects.filter(Q(memberships__person=user) | Q(pk=user.current_unit_id))
    units = [unit for unit in units.distinct().order_by("path") if access.can_see_unit(user, unit)]
    current = next((unit for unit in units if unit.pk == user.current_unit_id), None)
    # Their first unit when none was chosen or the chosen one is out of reach now.
    return WorkingUnits(units, current or (units[0] if units else None))


def own_memberships(user) -> list[Membership]:
    """The person's own roles, by unit in tree order."""
    return list(user.memberships.select_related("unit").order_by("unit__path"))


@dataclass(frozen=True)
class OwnRoles:
    """Home's "Your units and roles": roles in units, and roles on single records (a partner
    added to one issue finds it here)."""

    memberships: list[Membership]
    grants: list[ObjectGrant]


def own_roles(user) -> OwnRoles:
    return OwnRoles(own_memberships(user), person_grants_visible_to(user, user))


def visible_ancestors(user, unit: Unit) -> list[Unit]:
    """The units above this one that the user may see, from the top down (for breadcrumbs)."""
    above = Unit.objects.filter(pk__in=unit.ancestor_ids[:-1]).order_by("path")
    return [ancestor for ancestor in above if access.can_see_unit(user, ancestor)]


def _listing_key(membership: Membership):
    return (LISTING_ORDER[membership.role], membership.person.display_name)


def unit_members(unit: Unit) -> list[Membership]:
    """Memberships held directly in this unit, leads first and partners last."""
    memberships = (
        Membership.objects.filter(unit=unit)
        .select_related("person")
        .prefetch_related("person__memberships__unit")  # for access.can_see_person
    )
    return sorted(memberships, key=_listing_key)


def unit_contacts(unit: Unit, *, include_unit: bool) -> list[Membership]:
    """Leads, quality leads and coaches of the unit (when asked) and of the units above it:
    who a team, or a partner working with it, turns to. Nearest unit first."""
    unit_ids = unit.ancestor_ids if include_unit else unit.ancestor_ids[:-1]
    memberships = (
        Membership.objects.filter(
            unit_id__in=unit_ids, role__in=MEMBERSHIP_MANAGERS | {Role.IMPROVEMENT_COACH}
        )
        .exclude(role=Role.SYSTEM_ADMINISTRATOR)
        .select_related("person", "unit")
        .prefetch_related("person__memberships__unit")  # for access.can_see_person
    )
    return sorted(memberships, key=lambda m: (-len(m.unit.path), *_listing_key(m)))


def sub_units(user, unit: Unit) -> list[Unit]:
    children = unit.children.order_by("name")
    return [child for child in children if access.can_see_unit(user, child)]


def manager_can_add(manager: Person, person: Person) -> bool:
    """Whether the manager may place this person in a unit: an active account they can see, or
    a new account not yet in any unit (someone has to place it). Other units' partners and staff
    of other boards are not theirs to add."""
    if not person.is_active:
        return False
    if access.is_system_administrator(manager):
        return True
    return not person.memberships.all() or access.can_see_person(manager, person)


def record_grants(record) -> list[ObjectGrant]:
    """The roles given on one record, with their people, in the order people are listed."""
    content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
    grants = ObjectGrant.objects.filter(content_type=content_type, object_id=record.pk)
    grants = grants.select_related("person", "granted_by").prefetch_related(
        "person__memberships__unit"  # for access.can_see_person
    )
    return sorted(grants, key=lambda g: (LISTING_ORDER[g.role], g.person.display_name, g.person.pk))


def person_memberships_visible_to(viewer, person: Person) -> list[Membership]:
    """The person's memberships in units the viewer can see."""
    memberships = person.memberships.select_related("unit").order_by("unit__path")
    return [m for m in memberships if access.can_see_unit(viewer, m.unit)]


def person_grants_visible_to(viewer, person: Person) -> list[ObjectGrant]:
    """The person's roles on single records that the viewer can see, each with its record."""
    grants = person.grants.select_related("content_type").prefetch_related("subject")
    return [g for g in grants if g.subject is not None and access.roles_on(viewer, g.subject)]


def unit_api_keys(unit: Unit) -> list:
    """The keys made in the unit, live first then revoked, newest first, with who made and
    revoked them."""
    return list(
        ApiKey.objects.filter(unit=unit)
        .select_related("created_by", "revoked_by")
        .order_by("revoked_at", "-created_at")
    )
