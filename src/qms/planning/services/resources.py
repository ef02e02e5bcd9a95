"""Quality planning's writes: a unit's capacity for quality work, a priority's protected hours
and budget, and the responsibilities (RACI) on priorities and projects.

Who may: a unit's capacity is set by its leaders (`roles.CAPACITY_EDITORS`); a priority's
resources and responsibilities by its scorers (`roles.SCORERS`, in its unit or given on the
priority; a partner in its working group sees them but does not change them); a project's
responsibilities by its leads (improvement's `may_lead`). `by=None` is the system (the demo,
commands) and is not checked.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from qms.improvement import selectors as improvement_selectors
from qms.notifications.models import NotificationKind
from qms.notifications.services import notify
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Person, Unit
from qms.planning import roles
from qms.planning.models import Priority, Raci, Responsibility, UnitCapacity

__all__ = [
    "BUDGET_MAX",
    "CAPACITY_FIELDS",
    "HOURS_MAX",
    "capacity_set",
    "may_assign_roles",
    "may_see_record",
    "priority_resources_set",
    "responsibility_add",
    "responsibility_remove",
]

CAPACITY_FIELDS = (
    "protected_hours",
    "budget",
    "planning_hours",
    "control_hours",
    "assurance_hours",
)
# Hours a week and pounds: beyond these a figure is a typing slip (a week has 168 hours; the
# largest board protects well under 100,000 staff hours a week).
HOURS_MAX = Decimal("100000")
BUDGET_MAX = Decimal("1000000000")
_LABELS = {
    "protected_hours": "Protected hours",
    "budget": "Budget",
    "planning_hours": "Planning hours",
    "control_hours": "Control hours",
    "assurance_hours": "Assurance hours",
}
NOTE_MAX = Responsibility._meta.get_field("note").max_length


def _amount(value, field: str) -> Decimal | None:
    """A non-negative number of hours (one decimal) or pounds (two), or None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError({field: [f"{_LABELS[field]} must be a number."]})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [f"{_LABELS[field]} must be a number."]}) from None
    if not number.is_finite():
        raise ValidationError({field: [f"{_LABELS[field]} must be a number."]})
    if number < 0:
        raise ValidationError({field: [f"{_LABELS[field]} cannot be negative."]})
    most = BUDGET_MAX if field == "budget" else HOURS_MAX
    if number > most:
        raise ValidationError({field: [f"{_LABELS[field]} must be at most {most:,}."]})
    places = Decimal("0.01") if field == "budget" else Decimal("0.1")
    return number.quantize(places)


@transaction.atomic
def capacity_set(*, by: Person | None, unit: Unit, **fields) -> UnitCapacity:
    """Set what the unit can give to quality work: protected hours a week and budget, and the
    standing hours a week it spends on planning, control and assurance (`CAPACITY_FIELDS`;
    blank for not known). Fields not given are left as they were."""
    access.authorise(by, unit, roles.CAPACITY_EDITORS, "set the capacity for quality work")
    unknown = set(fields) - set(CAPACITY_FIELDS)
    if unknown:
        raise ValidationError(f"A unit's capacity has no {', '.join(sorted(unknown))}.")
    values = {name: _amount(value, name) for name, value in fields.items()}
    capacity, _ = UnitCapacity.objects.select_for_update().get_or_create(unit=unit)
    for name, value in values.items():
        setattr(capacity, name, value)
    capacity.updated_by = by
    record_by(capacity, by, "Capacity set")
    capacity.save()
    return capacity


def may_assign_roles(person: Person | None, record) -> bool:
    """Whether `person` sets the responsibilities (and, for a priority, the resources) of the
    priority or project: its scorers for a priority, its leads for a project."""
    if person is None:
        return True
    if isinstance(record, Priority):
        return access.can(person, record, roles.SCORERS)
    return improvement_selectors.may_lead(person, record)


def _authorise(by: Person | None, record, action: str) -> None:
    if not may_assign_roles(by, record):
        raise PermissionDenied(f"Your role does not allow you to {action}.")


@transaction.atomic
def priority_resources_set(
    *, by: Person | None, priority: Priority, protected_hours=None, budget=None
) -> Priority:
    """Set the staff hours a week protected for the priority and its budget (blank for not
    known), committed against its unit's capacity until it becomes a project."""
    _authorise(by, priority, "set the resources of this priority")
    hours = _amount(protected_hours, "protected_hours")
    money = _amount(budget, "budget")
    priority.refresh_from_db(from_queryset=Priority.objects.select_for_update())
    priority.protected_hours, priority.budget = hours, money
    record_by(priority, by, "Resources set")
    priority.save(update_fields=["protected_hours", "budget"])
    return priority


def may_see_record(person: Person, record) -> bool:
    """Whether `person` sees the priority or project: staff of its unit (or a unit above), or
    anyone given a role on it. Only they are given a responsibility for it."""
    if access.roles_in(person, access.unit_of(record)) & roles.VIEWERS:
        return True
    return bool(access.granted_roles(person, record))


def _record(priority, project):
    if (priority is None) == (project is None):
        raise ValidationError("Name a priority or a project, not both.")
    return priority if priority is not None else project


def _roles_url(record) -> str:
    if isinstance(record, Priority):
        return reverse("planning:priority-roles", args=[record.pk])
    return reverse("planning:project-roles", args=[record.pk])


@transaction.atomic
def responsibility_add(
    *,
    by: Person | None,
    person: Person,
    raci: str,
    priority: Priority | None = None,
    project=None,
    note: str = "",
) -> Responsibility:
    """Give `person` a responsibility (responsible, accountable, consulted or informed) for a
    priority or a project. The person must see the record; a record has one accountable
    person at most; the person is told in their inbox."""
    record = _record(priority, project)
    _authorise(by, record, "set the responsibilities here")
    if raci not in Raci.values:
        raise ValidationError({"raci": ["Choose responsible, accountable, consulted or informed."]})
    if not isinstance(person, Person) or not person.is_active:
        raise ValidationError({"person": ["Choose a person whose account is open."]})
    if not may_see_record(person, record):
        raise ValidationError(
            {"person": [f"{person} cannot see this record: give them a role on it first."]}
        )
    note = (note or "").strip() if isinstance(note, str) or note is None else None
    if note is None or len(note) > NOTE_MAX:
        raise ValidationError({"note": [f"The note is text of at most {NOTE_MAX} characters."]})
    # One accountable at most: two people adding one at once queue on the record's row.
    type(record).objects.select_for_update().get(pk=record.pk)
    held = Responsibility.objects.filter(priority=priority, project=project)
    if raci == Raci.ACCOUNTABLE:
        other = held.filter(raci=Raci.ACCOUNTABLE).select_related("person").first()
        if other is not None:
            raise ValidationError(
                {"raci": [f"{other.person} is accountable already: one person is accountable."]}
            )
    if held.filter(person=person, raci=raci).exists():
        raise ValidationError({"person": [f"{person} is {Raci(raci).label.lower()} here already."]})
    responsibility = Responsibility(
        priority=priority, project=project, person=person, raci=raci, note=note, created_by=by
    )
    record_by(responsibility, by, "Added")
    responsibility.save()
    notify(
        [person],
        kind=NotificationKind.PLANNING,
        text=f"You are {Raci(raci).label.lower()} for “{record}”.",
        subject=record,
        link=_roles_url(record),
    )
    return responsibility


@transaction.atomic
def responsibility_remove(*, by: Person | None, responsibility: Responsibility) -> None:
    """Take a responsibility away (the history keeps it)."""
    record = responsibility.priority or responsibility.project
    _authorise(by, record, "set the responsibilities here")
    record_by(responsibility, by, "Removed")
    responsibility.delete()
