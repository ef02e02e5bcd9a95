"""Writes of partners: inviting a patient, carer or community member into a unit or onto one
piece of work, making their account when they have none (a partner role, professional group
“public”, a link to set their password), adding an existing partner to more work without a
second account, and sending the link again. Every write authorises `by` (the unit's or the
record's organisers), is atomic and keeps history."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from qms.codesign import roles
from qms.codesign.models import ContactPreference, PartnerInvitation, PartnerProfile
from qms.notifications.models import NotificationKind
from qms.notifications.services import notify
from qms.people import access
from qms.people import services as people_services
from qms.people.history import record_by
from qms.people.models import Membership, Person, ProfessionalGroup, Unit
from qms.people.roles import STAFF_ROLES, Role
from qms.web.screening import refusals

NAME_MAX_LENGTH = 150


def _clean_name(display_name: str) -> str:
    """A partner's name as they would like to be called: no numbers (a hospital, NHS or CHI
    number, a date of birth has no place beside it), nothing invisible."""
    name = " ".join((display_name or "").split())
    if not name:
        raise ValidationError({"display_name": "Enter the partner's name."})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"display_name": f"The name is too long (at most {NAME_MAX_LENGTH} characters)."}
        )
    problems = refusals(name, label="The name", multiline=False)
    if any(character.isdigit() for character in name):
        problems.append(
            "The name has numbers in it: enter the name only, never a date of birth or a "
            "hospital, NHS or CHI number"
        )
    if problems:
        raise ValidationError({"display_name": problems})
    return name


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    if not email:
        raise ValidationError({"email": "Enter the partner's e-mail address."})
    if len(email) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"email": f"The e-mail address is too long (at most {NAME_MAX_LENGTH} characters)."}
        )
    return email


def is_staff_account(person: Person) -> bool:
    """Whether the account belongs to staff: a professional group other than the public, or a
    staff role anywhere. Partners' accounts never double as staff accounts, nor the reverse."""
    if person.professional_group and person.professional_group != ProfessionalGroup.PUBLIC:
        return True
    return person.memberships.filter(role__in=STAFF_ROLES).exists()


def _account_for(email: str) -> Person | None:
    """The existing partner account with this e-mail address (or username), None when there is
    none; a ValidationError naming the e-mail when the address is a staff member's, a closed
    account's, or more than one account's."""
    found = list(Person.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))[:2])
    if not found:
        return None
    if len(found) > 1:
        raise ValidationError(
            {"email": "More than one account uses this e-mail address: ask a system "
             "administrator to sort it out first."}
        )  # fmt: skip
    person = found[0]
    if is_staff_account(person):
        raise ValidationError(
            {"email": "This e-mail address belongs to a staff account. A partner needs an "
             "address of their own; staff are given roles on the People pages."}
        )  # fmt: skip
    if not person.is_active:
        raise ValidationError(
            {"email": "The account with this e-mail address is closed: ask a system "
             "administrator to reopen it."}
        )  # fmt: skip
    return person


def _work_unit(unit: Unit | None, record) -> Unit:
    if (unit is None) == (record is None):
        raise ValidationError("Invite a partner into a unit or onto one piece of work.")
    if record is not None and not access.accepts_grants(record):
        raise ValidationError(f"Partners cannot be invited onto a {record._meta.verbose_name}.")
    return unit if unit is not None else access.unit_of(record)


def _give_role(by: Person | None, person: Person, unit: Unit | None, record) -> None:
    if record is not None:
        try:
            people_services.grant_give(
                by=by, record=record, person=person, role=Role.PARTNER, managers=roles.ORGANISERS
            )
        except ValidationError:
            raise ValidationError({"email": f"{person} is already part of {record}."}) from None
        return
    assert unit is not None
    if Membership.objects.filter(person=person, unit=unit, role=Role.PARTNER).exists():
        raise ValidationError({"email": f"{person} is already a partner of {unit}."})
    # Authorised in partner_invite: organisers (improvement coaches too) bring partners into
    # their units, a wider group than those who manage staff memberships. The invitation keeps
    # who did it.
    people_services.membership_add(by=None, person=person, unit=unit, role=Role.PARTNER)


def set_password_link(person: Person) -> str:
    """The link that lets a new partner choose their password (Django's password reset token:
    it stops working once used, or after PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return settings.SITE_URL.rstrip("/") + path


def _work_name(unit: Unit, record) -> str:
    return str(record) if record is not None else str(unit)


def _send_welcome(person: Person, by: Person | None, unit: Unit, record) -> None:
    person.refresh_from_db(fields=["password", "is_active"])
    if person.has_usable_password() or not person.is_active:
        return  # a password set since (the token would not work) or an account closed
    context = {
        "person": person,
        "by": by,
        "work": _work_name(unit, record),
        "unit": unit,
        "link": set_password_link(person),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86_400),
        "site": settings.SITE_URL,
    }
    send_mail(
        "You are invited to take part in QMS",
        render_to_string("codesign/email/invitation.txt", context),
        None,
        [person.email],
    )


@transaction.atomic
def partner_invite(
    *,
    by: Person | None,
    display_name: str,
    email: str,
    contact_by: str = ContactPreference.EMAIL,
    unit: Unit | None = None,
    record=None,
) -> PartnerInvitation:
    """Invite a partner into `unit` (a partner role there) or onto `record`, one piece of work
    that accepts grants (a partner role on it alone). `by` must be an organiser of the unit or
    the record. A new e-mail address makes an account (professional group public, no password:
    the e-mail after the commit carries a link to set one); the address of an existing partner
    adds the work to their account; a staff member's address is refused."""
    work_unit = _work_unit(unit, record)
    access.authorise(by, record if record is not None else work_unit, roles.ORGANISERS,
                     "invite partners")  # fmt: skip
    if contact_by not in ContactPreference.values:
        raise ValidationError({"contact_by": "Choose how the partner would like to be contacted."})
    name, address = _clean_name(display_name), _clean_email(email)
    person = _account_for(address)
    new_account = person is None
    if person is None:
        person = Person(
            username=address.lower(),
            display_name=name,
            email=address,
            job_title="Partner",
            professional_group=ProfessionalGroup.PUBLIC,
        )
        person.set_unusable_password()
        try:
            person.full_clean(exclude=["password"])
        except ValidationError as error:
            raise ValidationError(
                {"email": [m for messages in error.message_dict.values() for m in messages]}
            ) from None
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:
            # Another invitation made the account a moment ago (two organisers, a double click).
            raise ValidationError(
                {"email": "An account with this e-mail address was made a moment ago: look "
                 "for the partner in the list before inviting them again."}
            ) from None  # fmt: skip
    profile = PartnerProfile.objects.filter(person=person).first()
    if profile is None:
        profile = PartnerProfile(person=person, unit=work_unit, contact_by=contact_by,
                                 invited_by=by)  # fmt: skip
        record_by(profile, by, "Invited")
        profile.save()
    _give_role(by, person, unit, record)
    invitation = PartnerInvitation(
        profile=profile,
        unit=work_unit,
        content_type=(
            ContentType.objects.get_for_model(record, for_concrete_model=True)
            if record is not None
            else None
        ),
        object_id=record.pk if record is not None else None,
        new_account=new_account,
        invited_by=by,
    )
    record_by(invitation, by, "Invited")
    invitation.save()
    if new_account or not person.has_usable_password():
        transaction.on_commit(lambda: _send_welcome(person, by, work_unit, record))
    else:
        notify(
            [person],
            kind=NotificationKind.SYSTEM,
            text=f"You have been added to {_work_name(work_unit, record)}.",
            subject=record,
            link=reverse("codesign:home"),
        )
    return invitation


@transaction.atomic
def partner_register(
    *, by: Person | None, person: Person, unit: Unit, contact_by: str = ContactPreference.EMAIL
) -> PartnerProfile:
    """Record an existing partner account as looked after by `unit` (its organisers), without
    giving a role: for partners who had accounts before co-design kept its own records."""
    access.authorise(by, unit, roles.ORGANISERS, "look after partners")
    if is_staff_account(person):
        raise ValidationError({"person": f"{person} has a staff account, not a partner's."})
    if contact_by not in ContactPreference.values:
        raise ValidationError({"contact_by": "Choose how the partner would like to be contacted."})
    if PartnerProfile.objects.filter(person=person).exists():
        raise ValidationError({"person": f"{person} is already looked after by a unit."})
    profile = PartnerProfile(person=person, unit=unit, contact_by=contact_by, invited_by=by)
    record_by(profile, by, "Registered")
    profile.save()
    return profile


@transaction.atomic
def partner_link_resend(*, by: Person | None, profile: PartnerProfile) -> None:
    """Send a partner who has not set a password yet a new link (an old one may have expired:
    Django's own “forgotten password” page ignores accounts without a password)."""
    access.authorise(by, profile.unit, roles.ORGANISERS, "send partners their link")
    person = profile.person
    if person.has_usable_password():
        raise ValidationError(f"{person} has set a password already.")
    if not person.is_active:
        raise PermissionDenied(f"{person}'s account is closed.")
    transaction.on_commit(lambda: _send_welcome(person, by, profile.unit, None))
