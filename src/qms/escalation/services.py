"""Every write of escalations, for any record its app registered (qms.escalation.registry).

A record sits in its own unit until it is escalated; then it sits in the unit it was last
escalated to (`subject_unit`). Whoever handles records of its kind there may escalate it to the
unit above, which is told; the unit above answers: accept (it owns it now), return it to the
team with advice, resolve it, or escalate it further. What an answer does to the record itself
(a signal is acknowledged on return, closed on resolve) is the record's app's business
(`on_escalate`, `on_decision`). All authorised through qms.people.access; `by=None` is the system.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from qms.escalation import registry
from qms.escalation.models import ANSWERED, Escalation, EscalationStatus
from qms.notifications.models import NotificationKind
from qms.notifications.services import notify
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Membership, Person, Unit
from qms.people.roles import Role

DECISIONS = {
    "accept": EscalationStatus.ACCEPTED,
    "return": EscalationStatus.RETURNED,
    "resolve": EscalationStatus.RESOLVED,
    "escalate": EscalationStatus.ESCALATED,
}


def chain_of(subject):
    """The record's escalations, oldest first."""
    return Escalation.objects.filter(
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
    ).order_by("created_at", "pk")


def subject_unit(subject, *, chain: list[Escalation] | None = None) -> Unit:
    """Where the record sits now: its own unit, the unit it was last escalated to, or, when
    that unit returned it, the unit it came from. Give the `chain` (oldest first) when it is
    already loaded, to save the query."""
    if chain is None:
        latest = chain_of(subject).select_related("from_unit", "to_unit").last()
    else:
        latest = chain[-1] if chain else None
    if latest is None:
        return access.unit_of(subject)
    return latest.from_unit if latest.status == EscalationStatus.RETURNED else latest.to_unit


def may_handle(user, subject, *, chain: list[Escalation] | None = None) -> bool:
    """Whether the user may act on the record (escalate it) where it sits now: through their
    role in that unit, or a grant on the record while it is still in its own unit."""
    handlers = registry.registered(type(subject)).handlers
    unit = subject_unit(subject, chain=chain)
    if unit.pk == access.unit_of(subject).pk:
        return access.can(user, subject, handlers)
    return access.can(user, unit, handlers)


def may_escalate(user, subject, *, chain: list[Escalation] | None = None) -> bool:
    """Whether the user may escalate the record now: they handle it where it sits, its app
    allows it (a closed signal is not escalated) and there is a unit above."""
    if not may_handle(user, subject, chain=chain):
        return False
    try:
        registry.registered(type(subject)).check(subject)
    except ValidationError:
        return False
    return subject_unit(subject, chain=chain).parent_id is not None


def model_of(escalation: Escalation):
    """The model of the escalated record (content types are cached: no query)."""
    return ContentType.objects.get_for_id(escalation.content_type_id).model_class()


def may_respond(user, escalation: Escalation) -> bool:
    """Whether the user may answer the escalation: a responder in the unit it reached."""
    responders = registry.registered(model_of(escalation)).responders
    return access.can(user, escalation.to_unit, responders)


@transaction.atomic
def escalate(*, by: Person | None, subject, reason: str) -> Escalation:
    """Pass the record up to the parent of the unit that holds it, because it is outside that
    unit's control. The unit above is told (its leads, and the board's executives when it is
    the top); the chain stays visible on both."""
    kind = registry.registered(type(subject))
    # Locked before reading where it sits: two people escalating it at once would otherwise
    # both find it in their unit and send it up twice. The second now finds it above.
    subject.refresh_from_db(from_queryset=type(subject).objects.select_for_update())
    unit = subject_unit(subject)
    if by is not None and not may_handle(by, subject):
        refuse_escalating(by, subject, unit)
    kind.check(subject)
    if unit.parent_id is None:
        raise ValidationError(f"{unit} is the top of the organisation: there is no one above.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the team cannot fix this itself."})
    above = unit.parent
    earlier = chain_of(subject).select_for_update().filter(to_unit=unit)
    for step in earlier.exclude(status__in=[EscalationStatus.RESOLVED, EscalationStatus.RETURNED]):
        step.status, step.responded_by = EscalationStatus.ESCALATED, by
        step.response = step.response or f"Escalated further to {above}"
        record_by(step, by, "Escalated further")
        step.save()
    escalation = Escalation(
        subject=subject, from_unit=unit, to_unit=above, reason=reason.strip(), created_by=by
    )
    record_by(escalation, by)
    escalation.save()
    kind.on_escalate(subject, by=by, escalation=escalation)
    notify(
        escalation_recipients(above),
        kind=NotificationKind.ESCALATION,
        text=f"Escalated from {unit.name}: {kind.title(subject)} — {reason.strip()}",
        subject=subject,
    )
    return escalation


@transaction.atomic
def refuse_escalating(by: Person, subject, unit: Unit):
    """Why `by` may not escalate the record: someone escalated it from their unit a moment
    before (they clicked at the same time; say so), or they do not handle it where it is."""
    latest = chain_of(subject).select_related("from_unit").last()
    if latest is not None and latest.to_unit_id == unit.pk:
        handlers = registry.registered(type(subject)).handlers
        came_from = latest.from_unit
        own = came_from.pk == access.unit_of(subject).pk
        if access.can(by, subject if own else came_from, handlers):
            raise ValidationError(f"This was escalated to {unit} already.")
    raise PermissionDenied(f"Your role does not allow you to handle escalations in {unit}.")


@transaction.atomic
def escalation_respond(
    *, by: Person | None, escalation: Escalation, decision: str, response: str
) -> Escalation:
    """The unit above answers: accept it (we own it now), return it to the team (with
    advice), resolve it, or escalate it further (to the unit above it, with the response as
    the reason). The team that escalated is told."""
    subject = escalation.subject
    kind = registry.registered(type(subject))
    access.authorise(by, escalation.to_unit, kind.responders, "answer escalations")
    if decision not in DECISIONS:
        raise ValidationError({"decision": "Choose accept, return, resolve or escalate further."})
    # The record, then the escalation, locked (in the order `escalate` takes them): two people
    # answering at once cannot both act, and what the answer does to the record starts from
    # the record as it is now (a team closing its issue meanwhile keeps its own note).
    subject.refresh_from_db(from_queryset=type(subject).objects.select_for_update())
    current = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if current.status in ANSWERED:
        raise ValidationError("This escalation has already been answered.")
    if not response.strip():
        raise ValidationError({"response": "Write a response for the team."})
    if decision == "escalate":
        escalate(by=by, subject=subject, reason=response)
        escalation.refresh_from_db()
        return escalation
    escalation.response, escalation.responded_by = response.strip(), by
    escalation.status = DECISIONS[decision]
    record_by(escalation, by, escalation.get_status_display())
    escalation.save()
    kind.on_decision(subject, by=by, escalation=escalation, decision=decision)
    notify(
        nearest_handlers(escalation.from_unit),
        kind=NotificationKind.ESCALATION,
        text=f"{escalation.to_unit.name} {escalation.get_status_display().lower()}: "
        f"{kind.title(subject)} — {response.strip()}",
        subject=subject,
    )
    return escalation


def nearest_handlers(unit: Unit) -> list[Person]:
    """The team and quality leads of the unit or, when it has none, of the nearest unit above
    (their role reaches down): whoever can answer for the unit."""
    leads = Membership.objects.filter(
        unit_id__in=unit.ancestor_ids, role__in=[Role.TEAM_LEAD, Role.QUALITY_LEAD]
    ).select_related("person", "unit")
    by_depth: dict[int, list[Person]] = defaultdict(list)
    for membership in leads:
        if membership.person.is_active:
            by_depth[membership.unit.depth].append(membership.person)
    if not by_depth:
        return []
    return list({person.pk: person for person in by_depth[max(by_depth)]}.values())


def escalation_recipients(unit: Unit) -> list[Person]:
    """Who hears of an escalation into `unit`: its nearest team and quality leads and, when it
    reaches the top of the organisation, the board's executives too (a board often has no
    lead of its own, and what reaches it is the board's business)."""
    people = {person.pk: person for person in nearest_handlers(unit)}
    if unit.parent_id is None:
        executives = Membership.objects.filter(
            unit=unit, role=Role.EXECUTIVE, person__is_active=True
        ).select_related("person")
        people |= {m.person.pk: m.person for m in executives}
    return list(people.values())
