"""The demo's partners (see qms.demo.codesign): Margaret Lindsay, the demo's `partner` (already on
Ward 7's falls project and the falls network), looked after by Ward 7; two more partners invited
through the service by the people who organise the work: one to plan the Emergency Department's
child-friendly wait (a priority), one to review Ward 7's falls measure. Idempotent: each is found
by e-mail address before anything is made."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction

from qms.codesign.models import ContactPreference, PartnerInvitation, PartnerProfile
from qms.codesign.services import partners as services
from qms.people.models import Person, Unit


@dataclass(frozen=True)
class DemoInvitation:
    display_name: str
    email: str
    contact_by: str
    by: str  # the organiser's username
    model: str  # "app.model" of the work
    unit: str  # the work's unit code
    field: str  # the field naming the work
    name: str


INVITATIONS = (
    DemoInvitation(
        "Elaine Murray",
        "elaine.murray@partners.example",
        ContactPreference.PHONE,
        "quality",
        "planning.priority",
        "ed",
        "title",
        "A child-friendly wait in the Emergency Department",
    ),
    DemoInvitation(
        "Tom Gallacher",
        "tom.gallacher@partners.example",
        ContactPreference.EMAIL,
        "lead",
        "control.measure",
        "ward-7",
        "name",
        "Inpatient falls per 1,000 occupied bed days",
    ),
)


def _invite(spec: DemoInvitation) -> bool:
    if PartnerInvitation.objects.filter(profile__person__email__iexact=spec.email).exists():
        return False
    by = Person.objects.filter(username=spec.by).first()
    model = apps.get_model(spec.model)
    work = model._default_manager.filter(unit__code=spec.unit, **{spec.field: spec.name}).first()
    if by is None or work is None:
        return False  # the demo organisation changed: leave this one out
    with transaction.atomic():
        invitation = services.partner_invite(
            by=by,
            display_name=spec.display_name,
            email=spec.email,
            contact_by=spec.contact_by,
            record=work,
        )
        # The demo people share one password, so each can be tried (qms.demo.organisation);
        # with a password set, no link to set one is sent.
        demo = Person.objects.filter(username="partner").values_list("password", flat=True)
        Person.objects.filter(pk=invitation.profile.person_id).update(password=demo.first())
    return True


def build(*, today: dt.date | None = None) -> dict[str, int]:
    margaret = Person.objects.filter(username="partner").first()
    ward = Unit.objects.filter(code="ward-7").first()
    lead = Person.objects.filter(username="lead").first()
    if margaret and ward and not PartnerProfile.objects.filter(person=margaret).exists():
        services.partner_register(by=lead, person=margaret, unit=ward)
    for spec in INVITATIONS:
        _invite(spec)
    return {"partners with a profile": PartnerProfile.objects.count()}
