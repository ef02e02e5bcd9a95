"""Every write to the organisation goes through these functions: atomic, validated, and
recorded in history with the person who made the change.

Each service checks that `by` may do what it does (qms.people.access) and raises
PermissionDenied when not, so views, the admin and commands are covered alike. `by=None` means
the system itself (the demo loader, a command run by the operator, a migration): no person to
check, and history records no one. See DEVELOPERS.md.
"""

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from qms.people import access
from qms.people.history import record_by
from qms.people.models import (
    ExternalIdentity,
    Membership,
    ObjectGrant,
    Person,
    ProfessionalGroup,
    Unit,
    UnitKind,
)
from qms.people.roles import MEMBERSHIP_MANAGERS, Role


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
    if by is not None and not access.can_create_unit(by, parent):
        raise PermissionDenied("You may not add a unit here.")
    if kind not in UnitKind.values:
        raise ValidationError({"kind": f"Unknown unit type {kind!r}."})
    unit = Unit(name=name, code=code, kind=kind, parent=parent, description=description)
    unit.full_clean(exclude=["path"])
    record_by(unit, by)
    unit.save()
    # The path holds the unit's own id, which exists only after the first save.
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    Unit.objects.filter(pk=unit.pk).update(path=unit.path)
    return unit


@transaction.atomic
def unit_update(*, by: Person | None, unit: Unit, reason: str = "", **changes) -> Unit:
    """Change a unit's name, code, type or description (moving it is a separate decision)."""
    if by is not None and not access.can_change_unit(by, unit):
        raise PermissionDenied("You may not change this unit.")
    allowed = {"name", "code", "kind", "description"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))} here.")
    for field, value in changes.items():
        setattr(unit, field, value)
    unit.full_clean(exclude=["path"])
    record_by(unit, by, reason)
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
    if by is not None and not access.can_manage_accounts(by):
        raise PermissionDenied("Only system administrators create accounts.")
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


PERSON_FIELDS = {
    "username", "display_name", "first_name", "last_name", "email", "job_title",
    "professional_group", "is_active",
}  # fmt: skip


@transaction.atomic
def person_update(*, by: Person | None, person: Person, **changes) -> Person:
    """Change an account's details or close it (is_active). Admin access is not among them: it
    follows the system administrator role (membership_add and membership_remove)."""
    if by is not None and not access.can_manage_accounts(by):
        raise PermissionDenied("Only system administrators change accounts.")
    unknown = set(changes) - PERSON_FIELDS
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))} here.")
    if changes.get("professional_group") and (
        changes["professional_group"] not in ProfessionalGroup.values
    ):
        raise ValidationError({"professional_group": "Unknown professional group."})
    for field, value in changes.items():
        setattr(person, field, value)
    person.full_clean(exclude=["password"])
    person.save()
    return person


@transaction.atomic
def person_set_current_unit(*, person: Person, unit: Unit) -> None:
    """Remember the unit the person works in now; pages open on it next time too."""
    if not access.can_see_unit(person, unit):
        raise PermissionDenied("You have no role in that unit.")
    Person.objects.filter(pk=person.pk).update(current_unit=unit)
    person.current_unit = unit


@transaction.atomic
def membership_add(*, by: Person | None, person: Person, unit: Unit, role: str) -> Membership:
    """Give `person` the role `role` in `unit`. `by` must be allowed to grant it there."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if by is not None and not access.can_grant(by, unit, role):
        raise PermissionDenied("You may not grant this role in this unit.")
    already = ValidationError(
        {"role": f"{person} already holds the role {Role(role).label} in {unit}."}
    )
    if Membership.objects.filter(person=person, unit=unit, role=role).exists():
        raise already
    membership = Membership(person=person, unit=unit, role=role)
    record_by(membership, by)
    try:  # another lead may have added the same role since the check above
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise already from None
    if role == Role.SYSTEM_ADMINISTRATOR:
        _sync_system_administrator_flags(person)
    access.forget_memberships(person)
    return membership


@transaction.atomic
def membership_remove(*, by: Person | None, membership: Membership, reason: str = "") -> None:
    """End a membership. The history keeps who held it, until when, and who ended it."""
    if by is not None and not access.can_grant(by, membership.unit, membership.role):
        raise PermissionDenied("You may not remove this role in this unit.")
    record_by(membership, by, reason)
    membership.delete()
    if membership.role == Role.SYSTEM_ADMINISTRATOR:
        _sync_system_administrator_flags(membership.person)
    access.forget_memberships(membership.person)


@transaction.atomic
def membership_change(
    *,
    by: Person | None,
    membership: Membership,
    reason: str = "",
    person: Person | None = None,
    unit: Unit | None = None,
    role: str | None = None,
) -> Membership:
    """Move a membership to another person, unit or role. `by` must be allowed both to remove
    what it was and to grant what it becomes; admin access follows the system administrator
    role for the person who loses it and the one who gains it."""
    before = Membership.objects.select_related("person", "unit").get(pk=membership.pk)
    after_person = person or before.person
    after_unit = unit or before.unit
    after_role = role or before.role
    if after_role not in Role.values:
        raise ValidationError({"role": f"Unknown role {after_role!r}."})
    if by is not None and not (
        access.can_grant(by, before.unit, before.role)
        and access.can_grant(by, after_unit, after_role)
    ):
        raise PermissionDenied("You may not change this membership.")
    clash = Membership.objects.filter(person=after_person, unit=after_unit, role=after_role)
    if clash.exclude(pk=before.pk).exists():
        held = Role(after_role).label
        raise ValidationError(
            {"role": f"{after_person} already holds the role {held} in {after_unit}."}
        )
    membership.person, membership.unit, membership.role = after_person, after_unit, after_role
    record_by(membership, by, reason)
    membership.save()
    for affected in {before.person, after_person}:
        _sync_system_administrator_flags(affected)
        access.forget_memberships(affected)
    return membership


@transaction.atomic
def grant_give(
    *, by: Person | None, record, person: Person, role: str, managers: Iterable[str] | None = None
) -> ObjectGrant:
    """Give `person` the role `role` on one record (and what declares it its `access_parent`),
    without a role in the record's unit: a patient partner on one project, a coach on one
    measure. `by` must manage memberships in the record's unit, or, when an area's service
    passes `managers`, hold one of those roles on the record itself (through its unit or a
    grant on it: a project's own lead manages its team). System administration is a role in
    units only, never on a record."""
    if not access.accepts_grants(record):
        raise ValidationError(f"Roles cannot be given on a {record._meta.verbose_name}.")
    _authorise_grants(by, record, managers, "give roles on records")
    if role not in access.GRANTABLE_ROLES:
        raise ValidationError({"role": f"{role!r} is not a role that can be given on a record."})
    if not person.is_active:
        raise ValidationError({"person": f"{person}'s account is closed."})
    content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
    held = ObjectGrant.objects.filter(
        person=person, content_type=content_type, object_id=record.pk, role=role
    )
    already = ValidationError(
        {"role": f"{person} already holds the role {Role(role).label} on {record}."}
    )
    if held.exists():
        raise already
    grant = ObjectGrant(
        person=person, content_type=content_type, object_id=record.pk, role=role, granted_by=by
    )
    record_by(grant, by)
    try:  # another lead may have given the same role since the check above
        with transaction.atomic():
            grant.save()
    except IntegrityError:
        raise already from None
    _forget_grants(person, by)
    return grant


@transaction.atomic
def grant_remove(
    *,
    by: Person | None,
    grant: ObjectGrant,
    reason: str = "",
    managers: Iterable[str] | None = None,
) -> None:
    """Take a role on a record away. The history keeps who held it, until when, who ended it
    and why. A grant whose record is gone is removed by a system administrator. `managers` as
    for `grant_give`."""
    record = grant.subject
    if record is None:
        if by is not None and not access.is_system_administrator(by):
            raise PermissionDenied("Your role does not allow you to remove this role.")
    else:
        _authorise_grants(by, record, managers, "remove roles on records")
    # Locked: of two leads removing it at once, the second finds it gone and records nothing.
    if not ObjectGrant.objects.select_for_update().filter(pk=grant.pk).exists():
        return
    record_by(grant, by, reason)
    grant.delete()
    _forget_grants(grant.person, by)


def _authorise_grants(by: Person | None, record, managers: Iterable[str] | None, action: str):
    if managers is None:
        access.authorise(by, access.unit_of(record), MEMBERSHIP_MANAGERS, action)
    else:
        access.authorise(by, record, managers, action)


def _forget_grants(person: Person, by: Person | None) -> None:
    """A person's grants are read once per request: drop that reading from the person's object,
    and from the requester's when they changed their own (another object for the same row)."""
    access.forget_memberships(person)
    if by is not None and by.pk == person.pk:
        access.forget_memberships(by)


def _sync_system_administrator_flags(person: Person) -> None:
    """The system administrator role is what opens the Django admin, which reads Django's own
    superuser and staff flags: keep them equal to holding the role."""
    holds = person.memberships.filter(role=Role.SYSTEM_ADMINISTRATOR).exists()
    Person.objects.filter(pk=person.pk).update(is_superuser=holds, is_staff=holds)
    person.is_superuser = person.is_staff = holds


class SignInRefused(Exception):
    """Single sign-on found no account it may sign this person in to. The message says why, in
    words for the person at the log-in page."""


@dataclass(frozen=True)
class ExternalClaims:
    """What an identity provider vouched for about the person signing in."""

    issuer: str
    subject: str
    email: str = ""
    email_verified: bool = False
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@transaction.atomic
def external_identity_sign_in(
    *,
    claims: ExternalClaims,
    provider: str,
    create_accounts: bool,
    allowed_domains: Collection[str] = (),
) -> Person:
    """The account an identity provider's sign-in opens, linking it on the first one.

    A known issuer and subject opens its person. Otherwise a confirmed e-mail address finds an
    existing account (any case), which is linked; or, when `create_accounts`, a new account is
    made with no role (it sees nothing until a lead gives it one). With `allowed_domains`, only
    confirmed addresses in those domains sign in. A closed account is refused. The person's name
    and e-mail are brought up to date from the claims. Raises SignInRefused saying why;
    `provider` names the provider in those messages ("NHSmail").
    """
    email = claims.email.strip()
    confirmed = bool(email and claims.email_verified)
    if allowed_domains:
        domain = email.rpartition("@")[2].lower()
        if not confirmed:
            raise SignInRefused(
                f"{provider} did not confirm an e-mail address for you, and this QMS accepts "
                "only confirmed addresses in its organisations' domains."
            )
        if domain not in allowed_domains:
            raise SignInRefused(
                f"Your {provider} address, {email}, is not in a domain this QMS accepts "
                f"({', '.join(sorted(allowed_domains))}). Ask your QMS system administrator "
                "for an account."
            )
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("person")
        .filter(issuer=claims.issuer, subject=claims.subject)
        .first()
    )
    if identity is None:
        identity = _external_identity_link(claims, provider, create_accounts)
    person = identity.person
    if not person.is_active:
        raise SignInRefused(
            "Your QMS account is closed. Ask your QMS system administrator if you need it again."
        )
    _person_refresh_from(person, claims)
    ExternalIdentity.objects.filter(pk=identity.pk).update(last_sign_in_at=timezone.now())
    return person


@transaction.atomic
def external_identity_remove(*, by: Person | None, identity: ExternalIdentity) -> None:
    """Unlink a person from their identity at the provider (a mistaken link, an account handed
    over). Only system administrators do this."""
    if by is not None and not access.is_system_administrator(by):
        raise PermissionDenied("Only system administrators unlink single sign-on.")
    ExternalIdentity.objects.filter(pk=identity.pk).delete()


def _external_identity_link(
    claims: ExternalClaims, provider: str, create_accounts: bool
) -> ExternalIdentity:
    """The first sign-in of this issuer and subject: link it to the account with its confirmed
    e-mail address, or to a new account."""
    email = claims.email.strip()
    if not (email and claims.email_verified):
        raise SignInRefused(
            f"{provider} did not confirm your e-mail address, so QMS cannot tell which account "
            "is yours. Ask your QMS system administrator."
        )
    # An API key's own account (people.ApiKey.principal) is never anyone's to sign in to.
    matches = list(Person.objects.filter(email__iexact=email, api_key__isnull=True)[:2])
    if len(matches) > 1:
        raise SignInRefused(
            f"More than one QMS account has the address {email}. Ask your QMS system "
            "administrator to link yours."
        )
    if matches:
        person = matches[0]
        # An e-mail match is weaker proof than the password it would replace: whoever can get
        # an address into the provider's directory (a mistyped new starter, a reused shared
        # mailbox) would hold the account. For most accounts that risk buys convenience; for
        # a system administrator (every unit, the admin) it is too much, and partners' accounts
        # are local by design (invited by e-mail, outside the organisation's directory). So
        # these keep their passwords, and the local form stays on the log-in page for them.
        if _is_system_administrator(person) or _is_partner_account(person):
            raise SignInRefused(
                f"The QMS account for {email} signs in with its user name and password: use "
                f"the form below rather than {provider}."
            )
        if not person.is_active:
            raise SignInRefused(
                "Your QMS account is closed. Ask your QMS system administrator if you need it "
                "again."
            )
    elif not create_accounts:
        raise SignInRefused(
            f"There is no QMS account for {email}, and this QMS does not make accounts at "
            "first sign-in. Ask your QMS system administrator for one."
        )
    else:
        person = _person_create_from(claims)
    identity = ExternalIdentity(person=person, issuer=claims.issuer, subject=claims.subject)
    try:  # the same person's sign-in in another tab may have linked it a moment ago
        with transaction.atomic():
            identity.save()
    except IntegrityError:
        identity = ExternalIdentity.objects.select_related("person").get(
            issuer=claims.issuer, subject=claims.subject
        )
    return identity


def _person_create_from(claims: ExternalClaims) -> Person:
    email = claims.email.strip()
    # The address as user name, in the characters Django's user names allow.
    username = re.sub(r"[^\w.@+-]", "-", email.lower())[:150]
    if Person.objects.filter(username__iexact=username).exists():
        username = f"{username[:140]}-{get_random_string(6).lower()}"
    person = Person(
        username=username,
        email=email,
        display_name=_display_name(claims) or email,
        first_name=claims.first_name[:150],
        last_name=claims.last_name[:150],
    )
    # Signs in through the provider only; a password can be set later by reset if wanted.
    person.set_unusable_password()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # made a moment ago by the same person's sign-in in another tab
        raise SignInRefused("Your account was being made a moment ago: sign in again.") from None
    return person


def _person_refresh_from(person: Person, claims: ExternalClaims) -> None:
    """The provider's directory is where names and addresses are kept up to date."""
    changes: dict[str, str] = {}
    name = _display_name(claims)
    if name and name != person.display_name:
        changes["display_name"] = name
    for field in ("first_name", "last_name"):
        value = getattr(claims, field)[:150]
        if value and value != getattr(person, field):
            changes[field] = value
    email = claims.email.strip()
    if (
        email
        and claims.email_verified
        and email != person.email
        and not Person.objects.filter(email__iexact=email).exclude(pk=person.pk).exists()
    ):
        changes["email"] = email
    if changes:
        Person.objects.filter(pk=person.pk).update(**changes)
        for field, value in changes.items():
            setattr(person, field, value)


def _display_name(claims: ExternalClaims) -> str:
    name = " ".join(claims.display_name.split())
    if not name:
        name = " ".join(f"{claims.first_name} {claims.last_name}".split())
    return name[:150]


def _is_system_administrator(person: Person) -> bool:
    return person.is_superuser or person.memberships.filter(role=Role.SYSTEM_ADMINISTRATOR).exists()


def _is_partner_account(person: Person) -> bool:
    """A patient or carer partner's account: made for the public (partners' invitations set
    this group), or holding the partner role and no staff role."""
    if person.professional_group == ProfessionalGroup.PUBLIC:
        return True
    roles = set(person.memberships.values_list("role", flat=True))
    roles |= set(person.grants.values_list("role", flat=True))
    return Role.PARTNER in roles and not (roles - {Role.PARTNER})
