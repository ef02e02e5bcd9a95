"""Reads shaped for the organisation pages."""

from dataclasses import dataclass, field

from qms.people import permissions
from qms.people.models import Membership, Person, Unit
from qms.people.roles import MEMBERSHIP_MANAGERS, Role


@dataclass
class TreeNode:
    unit: Unit
    children: list["TreeNode"] = field(default_factory=list)


def unit_tree(user) -> list[TreeNode]:
    """The units the user can see, as a forest: each root is a unit whose parent is hidden."""
    units = list(permissions.units_visible_to(user).order_by("path"))
    nodes = {unit.pk: TreeNode(unit) for unit in units}
    roots = []
    for unit in units:
        parent = nodes.get(unit.parent_id)
        (parent.children if parent else roots).append(nodes[unit.pk])
    for node in nodes.values():
        node.children.sort(key=lambda child: child.unit.name)
    return roots


def visible_ancestors(user, unit: Unit) -> list[Unit]:
    """The units above this one that the user may see, from the top down (for breadcrumbs)."""
    above = Unit.objects.filter(pk__in=unit.ancestor_ids[:-1]).order_by("path")
    return [ancestor for ancestor in above if permissions.can_see_unit(user, ancestor)]


def unit_members(unit: Unit) -> list[Membership]:
    """Memberships held directly in this unit."""
    return list(
        Membership.objects.filter(unit=unit)
        .select_related("person")
        .order_by("role", "person__display_name")
    )


def unit_leadership_above(unit: Unit) -> list[Membership]:
    """Leads, coaches and quality leads of the units above: who a team turns to."""
    return list(
        Membership.objects.filter(
            unit_id__in=unit.ancestor_ids[:-1],
            role__in=MEMBERSHIP_MANAGERS | {Role.IMPROVEMENT_COACH},
        )
        .exclude(role=Role.SYSTEM_ADMINISTRATOR)
        .select_related("person", "unit")
        .order_by("unit__path", "role")
    )


def sub_units(user, unit: Unit) -> list[Unit]:
    children = unit.children.order_by("name")
    return [child for child in children if permissions.can_see_unit(user, child)]


@dataclass(frozen=True)
class HistoryEntry:
    when: object
    who: str
    record: str
    action: str
    changes: list[tuple[str, str, str]]
    reason: str


_ACTIONS = {"+": "created", "~": "changed", "-": "removed"}


def _entries(records, describe) -> list[HistoryEntry]:
    entries = []
    for record in records:
        changes = []
        if record.history_type == "~" and record.prev_record is not None:
            delta = record.diff_against(record.prev_record)
            for change in delta.changes:
                label = record.instance_type._meta.get_field(change.field).verbose_name
                changes.append((str(label), str(change.old), str(change.new)))
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=str(record.history_user) if record.history_user else "System",
                record=describe(record),
                action=_ACTIONS[record.history_type],
                changes=changes,
                reason=record.history_change_reason or "",
            )
        )
    return entries


def unit_history(unit: Unit, limit: int = 50) -> list[HistoryEntry]:
    """Who changed this unit and its memberships, when and how; newest first."""
    unit_records = unit.history.select_related("history_user")[:limit]
    membership_records = (
        Membership.history.filter(unit_id=unit.pk)
        .select_related("history_user", "person")
        .order_by("-history_date")[:limit]
    )
    entries = _entries(unit_records, lambda r: f"Unit “{r.name}”") + _entries(
        membership_records,
        lambda r: f"{r.person} as {r.get_role_display()}",
    )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


def person_memberships_visible_to(viewer, person: Person) -> list[Membership]:
    """The person's memberships in units the viewer can see."""
    memberships = person.memberships.select_related("unit").order_by("unit__path")
    return [m for m in memberships if permissions.can_see_unit(viewer, m.unit)]
