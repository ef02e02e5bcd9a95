"""Writes of protected time: hours planned and used for quality work, per person per month,
recorded by the person or a lead or coach of a unit they work in. Atomic, with history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qms.capability.models import ProtectedTime
from qms.capability.selectors.records import staff_paths
from qms.capability.services.records import EARLIEST, _authorise, save_one_per
from qms.people.models import Person

__all__ = ["FAR_BELOW", "MAX_HOURS", "far_below", "time_record"]

# Used is "far below" planned when under half of it: then the record says why, so a board
# reading the summary sees what took the time away (rota pressure, sickness, winter).
FAR_BELOW = Decimal("0.5")
# A month has at most 744 hours; no one plans all of them, but nothing larger is a month.
MAX_HOURS = Decimal("744")
# Planning reaches a year ahead.
MONTHS_AHEAD = 12


def far_below(planned, used) -> bool:
    return used is not None and planned and used < planned * FAR_BELOW


def _hours(errors: dict, field: str, value, *, required: bool) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors[field] = f"Give the hours {field}."
        return None
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = f"Give the hours {field} as a number."
        return None
    if not hours.is_finite() or hours < 0 or hours > MAX_HOURS:
        errors[field] = f"Give the hours {field} as a number from 0 to {MAX_HOURS}."
        return None
    return hours.quantize(Decimal("0.1"))


def _month(errors: dict, value, today: dt.date) -> dt.date | None:
    if not isinstance(value, dt.date):
        errors["month"] = "Give the month."
        return None
    month = value.replace(day=1)
    last = today.replace(day=1)
    for _ in range(MONTHS_AHEAD):
        last = (last + dt.timedelta(days=32)).replace(day=1)
    if month > last:
        errors["month"] = f"Plan at most {MONTHS_AHEAD} months ahead."
    elif month < EARLIEST:
        errors["month"] = f"The month is before {EARLIEST:%Y}."
    return month


@transaction.atomic
def time_record(
    *,
    by: Person | None,
    person: Person,
    month: dt.date,
    planned,
    used=None,
    reason: str = "",
) -> ProtectedTime:
    """Record the hours of protected time the person has planned for a month, and (once
    known) used. Used far below planned (`FAR_BELOW`) needs a reason; time not yet come
    cannot have been used."""
    _authorise(by, person, "record protected time", staff_paths(person))
    today = timezone.localdate()
    errors: dict[str, str] = {}
    month = _month(errors, month, today)
    planned = _hours(errors, "planned", planned, required=True)
    used = _hours(errors, "used", used, required=False)
    reason = (reason or "").strip()
    if len(reason) > 2000:
        errors["reason"] = "The reason is longer than 2,000 characters."
    if month is not None and used is not None and month > today:
        errors["used"] = "This month has not begun: record the hours used once it has."
    if planned is not None and far_below(planned, used) and not reason:
        errors["reason"] = "Used is less than half of planned: say why, in a few words."
    if errors:
        raise ValidationError(errors)
    fields = {"planned": planned, "used": used, "reason": reason, "recorded_by": by}
    return save_one_per(
        ProtectedTime, {"person": person, "month": month}, fields, by=by, reason="Recorded"
    )
