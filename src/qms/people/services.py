"""Every write to the organisation goes through these functions: atomic, validated, and
recorded in history with the person who made the change (`by`; None for the system itself)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from qms.people import permissions
from qms.people.models import AlertEmail, Membership, Person, ProfessionalGroup, Unit, UnitKind
from qms.people.roles import Role


def _record_by(instance, by: Person | None, reason: str = "") -> None:
    """Tell django-simple-history who made this change and why."""
    instance._history_user = by
    # Always set, so a reason given for an earlier change is not carried over to this one.
    instance._change_reason = reason


@transaction.atomic
def unit_create(
    *,
    by: Person | None,
    name: str,
    code: str,
    kind: str,
    parent: Unit | None = None,
    description: str = "",
) -> Unit:
    """Create a unit under `parent` (or a new root) and give it its place in the tree."""
    if kind not in UnitKind.values:
        raise ValidationError({"kind": f"Unknown unit type {kind!r}."})
    unit = Unit(name=name, code=code, kind=kind, parent=parent, description=description)
    unit.full_clean(exclude=["path"])
    _record_by(unit, by)
    unit.save()
    # The path holds the unit's own id, which exists only after the first save.
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    Unit.objects.filter(pk=unit.pk).update(path=unit.path)
    return unit


@transaction.atomic
def unit_update(*, by: Person | None, unit: Unit, reason: str = "", **changes) -> Unit:
    """Change a unit's name, code, type or description (moving it is a separate decision)."""
    allowed = {"name", "code", "kind", "description"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))} here.")
    for field, value in changes.items():
        setattr(unit, field, value)
    unit.full_clean(exclude=["path"])
    _record_by(unit, by, reason)
    unit.save()
    return unit


@transaction.atomic
def person_create(
    *,
    by: Person | None,
    username: str,
    display_name: str,
    email: str = "",
    job_title: str = "",
    professional_group: str = "",
    password: str | None = None,
) -> Person:
    """Create an account. Without a password the person sets one through password reset."""
    if professional_group and professional_group not in ProfessionalGroup.values:
        raise ValidationError({"professional_group": "Unknown professional group."})
    person = Person(
        username=username,
        display_name=display_name,
        email=email,
        job_title=job_title,
        professional_group=professional_group,
    )
    if password:
        person.set_password(password)
    else:
        person.set_unusable_password()
    person.full_clean(exclude=["password"])
    person.save()
    return person


def person_set_current_unit(*, person: Person, unit: Unit) -> None:
    """Remember the unit the person works in now; pages open on it next time too."""
    if not permissions.can_see_unit(person, unit):
        raise PermissionDenied("You have no role in that unit.")
    Person.objects.filter(pk=person.pk).update(current_unit=unit)
    person.current_unit = unit


def person_set_alert_email(*, person: Person, choice: str) -> None:
    """How signals reach the person's e-mail: at once, in a daily digest, or not at all."""
    if choice not in AlertEmail.values:
        raise ValidationError({"alert_email": "Choose one of the options."})
    Person.objects.filter(pk=person.pk).update(alert_email=choice)
    person.alert_email = choice


@transaction.atomic
def membership_add(*, by: Person | None, person: Person, unit: Unit, role: str) -> Membership:
    """Give `person` the role `role` in `unit`. `by` must be allowed to grant it there."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if by is not None and not permissions.can_grant(by, unit, role):
        raise PermissionDenied("You may not grant this role in this unit.")
    if Membership.objects.filter(person=person, unit=unit, role=role).exists():
        raise ValidationError(
            {"role": f"{person} already holds the role {Role(role).label} in {unit}."}
        )
    membership = Membership(person=person, unit=unit, role=role)
    _record_by(membership, by)
    membership.save()
    if role == Role.SYSTEM_ADMINISTRATOR:
        _sync_system_administrator_flags(person)
    permissions.forget_memberships(person)
    return membership


@transaction.atomic
def membership_remove(*, by: Person | None, membership: Membership, reason: str = "") -> None:
    """End a membership. The history keeps who held it, until when, and who ended it."""
    if by is not None and not permissions.can_grant(by, membership.unit, membership.role):
        raise PermissionDenied("You may not remove this role in this unit.")
    _record_by(membership, by, reason)
    membership.delete()
    if membership.role == Role.SYSTEM_ADMINISTRATOR:
        _sync_system_administrator_flags(membership.person)
    permissions.forget_memberships(membership.person)


def _sync_system_administrator_flags(person: Person) -> None:
    """The system administrator role is what opens the Django admin, which reads Django's own
    superuser and staff flags: keep them equal to holding the role."""
    holds = person.memberships.filter(role=Role.SYSTEM_ADMINISTRATOR).exists()
    Person.objects.filter(pk=person.pk).update(is_superuser=holds, is_staff=holds)
    person.is_superuser = person.is_staff = holds
