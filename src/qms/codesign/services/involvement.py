"""Writes of involvement: logging partners' involvement in a piece of work (its organisers, or
whoever may change it), a partner logging their own for an organiser to confirm, and confirming
or declining it. Every write authorises `by`, is atomic and keeps history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qms.codesign import roles
from qms.codesign.models import Involvement, InvolvementStatus, Level
from qms.codesign.selectors import involvement as selectors
from qms.notifications.models import NotificationKind
from qms.notifications.services import notify
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Person
from qms.people.roles import Role
from qms.web.screening import refusals

__all__ = ["involvement_decide", "involvement_log"]

# Nobody logs involvement from before the organisation kept records of it.
EARLIEST = dt.date(2000, 1, 1)
_TEXT_MAX = {"contribution": 2000, "difference": 2000, "group_name": 200}


def _text(value, name: str, label: str, *, required: bool = False) -> str:
    value = "" if value is None else value
    if not isinstance(value, str):
        raise ValidationError({name: [f"{label} must be text."]})
    value = value.strip()
    if required and not value:
        raise ValidationError({name: [f"{label} is required."]})
    if len(value) > _TEXT_MAX[name]:
        raise ValidationError(
            {name: [f"{label} is too long: at most {_TEXT_MAX[name]:,} characters."]}
        )
    return value


def _level(value) -> Level:
    try:
        return Level(int(value))
    except (TypeError, ValueError):
        raise ValidationError({"level": ["Choose a rung of the ladder."]}) from None


def _date(value) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationError({"occurred_on": ["Give the date as a date."]})
    if value > timezone.localdate():
        raise ValidationError({"occurred_on": ["The date cannot be in the future."]})
    if value < EARLIEST:
        raise ValidationError({"occurred_on": [f"The date cannot be before {EARLIEST:%Y}."]})
    return value


def _hours(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": ["Hours must be a number."]}) from None
    if not hours.is_finite() or hours < 0 or hours > 24:
        raise ValidationError({"hours": ["Hours must be between 0 and 24."]})
    return hours.quantize(Decimal("0.01"))


def _group_size(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        size = int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            {"group_size": ["The number of people must be a whole number."]}
        ) from None
    if not 1 <= size <= 100_000:
        raise ValidationError(
            {"group_size": ["The number of people must be between 1 and 100,000."]}
        )
    return size


@transaction.atomic
def involvement_log(
    *,
    by: Person | None,
    work,
    level,
    occurred_on: dt.date,
    contribution: str,
    partner: Person | None = None,
    group_name: str = "",
    group_size=None,
    shaped_decision: bool = False,
    difference: str = "",
    hours=None,
) -> Involvement:
    """Log partners' involvement in `work` (a registered kind of record) at a rung of the
    ladder. An organiser of the work logs it confirmed, for a partner on the work (who must hold
    the partner role on it or its unit) or for a group counted without names. A partner on the
    work logs their own, waiting for an organiser to confirm it."""
    kind = selectors.work_kind_of(work)
    if kind is None:
        raise ValidationError({"work": ["Involvement is not logged against this kind of record."]})
    organiser = by is None or selectors.may_log(by, work)
    if not organiser:
        if not selectors.may_log_own(by, work):
            raise PermissionDenied("Only the work's organisers and its partners log involvement.")
        if partner is not None and partner != by:
            raise PermissionDenied("A partner logs their own involvement only.")
        partner, group_name, group_size = by, "", None
    group_name = _text(group_name, "group_name", "The group")
    group_size = _group_size(group_size)
    if partner is None and not group_name:
        raise ValidationError({"partner": ["Name a partner on this work, or a group."]})
    if partner is not None:
        if group_name or group_size:
            raise ValidationError({"group_name": ["Name a partner or a group, not both."]})
        on_work = Role.PARTNER in access.roles_on(partner, work)
        if not on_work or not selectors.may_read_work(partner, work):
            raise ValidationError({"partner": [f"{partner} is not a partner on this work."]})
    involvement = Involvement(
        unit=access.unit_of(work),
        area=kind.area,
        work=work,
        partner=partner,
        group_name=group_name,
        group_size=group_size,
        level=_level(level),
        occurred_on=_date(occurred_on),
        contribution=_text(contribution, "contribution", "What they contributed", required=True),
        shaped_decision=bool(shaped_decision),
        difference=_text(difference, "difference", "What difference it made"),
        hours=_hours(hours),
        status=InvolvementStatus.CONFIRMED if organiser else InvolvementStatus.PROPOSED,
        logged_by=by,
        confirmed_by=by if organiser else None,
    )
    record_by(involvement, by, "Logged" if organiser else "Logged by the partner, to confirm")
    involvement.save()
    if not organiser:
        notify(
            _organisers_of(work),
            kind=NotificationKind.PARTNERS,
            text=f"{by} logged their part in “{str(work)[:120]}” for you to confirm.",
            subject=involvement,
        )
    return involvement


def _organisers_of(work) -> list[Person]:
    """Who hears of a partner's own entry: the work's lead when it has one, and the organisers
    holding their role in the work's own unit (not every lead above it)."""
    unit = access.unit_of(work)
    people = list(
        Person.objects.filter(
            memberships__unit=unit, memberships__role__in=roles.ORGANISERS
        ).distinct()
    )
    lead = getattr(work, "lead", None)
    if isinstance(lead, Person):
        people.append(lead)
    return people


@transaction.atomic
def involvement_decide(
    *, by: Person | None, involvement: Involvement, confirm: bool, reason: str = ""
) -> Involvement:
    """Confirm (it then counts on the ladder) or decline a partner's own entry: the work's
    organisers. Deciding twice is refused; two organisers at once, one decision wins."""
    locked = Involvement.objects.select_for_update().get(pk=involvement.pk)
    work = locked.work
    if work is None:
        raise ValidationError({"work": ["The work this was logged against no longer exists."]})
    if by is not None and not selectors.may_log(by, work):
        raise PermissionDenied("Only the work's organisers confirm involvement.")
    if locked.status != InvolvementStatus.PROPOSED:
        raise ValidationError({"status": ["This has already been decided."]})
    reason = (reason or "").strip()[:300]
    # The reason shows in the entry's history, which the partner reads: screened like their text.
    problems = refusals(reason, label="The reason")
    if problems:
        raise ValidationError({"reason": problems})
    locked.status = InvolvementStatus.CONFIRMED if confirm else InvolvementStatus.DECLINED
    locked.confirmed_by = by
    record_by(
        locked,
        by,
        ("Confirmed" if confirm else "Not confirmed") + (f": {reason}" if reason else ""),
    )
    locked.save()
    return locked
