"""Writes of claims: a partner (or an organiser on their behalf) records time or an expense;
the unit's claim approvers approve or reject it with a reason and mark it paid. Every write
authorises `by`, is atomic and keeps history; two approvers at once, one decision wins."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from qms.codesign.models import (
    MAX_CLAIM_GBP,
    MAX_HOURS_IN_A_DAY,
    Claim,
    ClaimKind,
    ClaimStatus,
    Involvement,
)
from qms.codesign.selectors import claims as selectors
from qms.notifications.models import NotificationKind
from qms.notifications.services import notify
from qms.people.history import record_by
from qms.people.models import Person, Unit
from qms.web.screening import refusals

__all__ = ["claim_decide", "claim_mark_paid", "claim_record", "claimable_on"]

_PENNY = Decimal("0.01")
# Claims are for work done recently enough for the finance team to pay.
OLDEST_CLAIM_DAYS = 366


def _decimal(value, name: str, label: str) -> Decimal:
    if value in (None, ""):
        raise ValidationError({name: [f"{label} is required."]})
    try:
        number = Decimal(str(value).strip().lstrip("£"))
    except (InvalidOperation, ValueError):
        raise ValidationError({name: [f"{label} must be a number."]}) from None
    if not number.is_finite():
        raise ValidationError({name: [f"{label} must be a number."]})
    return number


def _amount(value) -> Decimal:
    amount = _decimal(value, "amount", "The amount")
    if amount <= 0:
        raise ValidationError({"amount": ["The amount must be more than £0."]})
    if amount > MAX_CLAIM_GBP:
        raise ValidationError({"amount": [f"The amount cannot be more than £{MAX_CLAIM_GBP:,}."]})
    return amount.quantize(_PENNY)


def _hours(value, partner: Person, occurred_on: dt.date) -> Decimal:
    hours = _decimal(value, "hours", "Hours")
    if hours <= 0:
        raise ValidationError({"hours": ["Hours must be more than 0."]})
    already = Claim.objects.filter(
        partner=partner, kind=ClaimKind.TIME, occurred_on=occurred_on
    ).exclude(status=ClaimStatus.REJECTED).aggregate(total=Sum("hours"))["total"] or Decimal(0)
    if hours + already > MAX_HOURS_IN_A_DAY:
        raise ValidationError(
            {"hours": [f"No more than 24 hours in a day: {already} already claimed that day."]}
        )
    return hours.quantize(_PENNY)


def claimable_on(day: dt.date) -> bool:
    """Whether a claim may be made for work on `day`: in the last 12 months, not in the
    future."""
    today = timezone.localdate()
    return today - dt.timedelta(days=OLDEST_CLAIM_DAYS) <= day <= today


def _date(value) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationError({"occurred_on": ["Give the date as a date."]})
    if value > timezone.localdate():
        raise ValidationError({"occurred_on": ["The date cannot be in the future."]})
    if not claimable_on(value):
        raise ValidationError({"occurred_on": ["Claims are for the last 12 months only."]})
    return value


@transaction.atomic
def claim_record(
    *,
    by: Person | None,
    partner: Person,
    kind: str,
    occurred_on: dt.date,
    activity: str,
    unit: Unit | None = None,
    involvement: Involvement | None = None,
    hours=None,
    amount=None,
) -> Claim:
    """Record a partner's time (hours, paid at the hourly rate in force) or expense (an amount
    in pounds, at most £10,000) for approval. The partner records their own, or an organiser of
    the unit on their behalf. The unit is the involvement's when one is linked (it must be the
    partner's), otherwise one the partner takes part in."""
    if kind not in ClaimKind.values:
        raise ValidationError({"kind": ["Choose time or an expense."]})
    if involvement is not None:
        if involvement.partner_id != partner.pk:
            raise ValidationError({"involvement": ["Link the partner's own involvement."]})
        unit = involvement.unit
    if unit is None or unit not in selectors.partner_units(partner):
        raise ValidationError({"unit": [f"Choose a unit {partner} takes part in."]})
    if by is not None and not selectors.may_claim_for(by, partner, unit):
        raise PermissionDenied("Only the partner, or an organiser of the unit, records a claim.")
    activity = (activity or "").strip() if isinstance(activity, str) else ""
    if not activity:
        raise ValidationError({"activity": ["Say what the claim is for."]})
    if len(activity) > 300:
        raise ValidationError({"activity": ["What it is for is too long: at most 300 characters."]})
    occurred_on = _date(occurred_on)
    # Two claims for the same partner's day are checked one after the other.
    Person.objects.select_for_update().filter(pk=partner.pk).first()
    claim = Claim(
        partner=partner,
        unit=unit,
        kind=kind,
        occurred_on=occurred_on,
        activity=activity,
        involvement=involvement,
        submitted_by=by,
    )
    if kind == ClaimKind.TIME:
        claim.hours = _hours(hours, partner, occurred_on)
        claim.hourly_rate = selectors.hourly_rate()
        claim.amount = (claim.hours * claim.hourly_rate).quantize(_PENNY)
        if claim.amount > MAX_CLAIM_GBP:
            raise ValidationError({"hours": [f"The claim cannot be more than £{MAX_CLAIM_GBP:,}."]})
    else:
        claim.amount = _amount(amount)
    record_by(claim, by, "Claimed" if by == partner else "Claimed on the partner's behalf")
    claim.save()
    return claim


def _locked(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("unit").get(pk=claim.pk)


@transaction.atomic
def claim_decide(*, by: Person | None, claim: Claim, approve: bool, reason: str = "") -> Claim:
    """Approve or reject a claim waiting for approval (a rejection says why): the unit's claim
    approvers, never on their own claim. Two approvers at once: the first decision stands and
    the second is told it was decided."""
    locked = _locked(claim)
    if by is not None and not selectors.may_approve(by, locked):
        raise PermissionDenied("Only the unit's claim approvers decide claims.")
    if locked.status != ClaimStatus.SUBMITTED:
        raise ValidationError(
            {"status": [f"This claim has already been decided: {locked.get_status_display()}."]}
        )
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not approve and not reason:
        raise ValidationError({"reason": ["Say why the claim is rejected."]})
    if len(reason) > 500:
        raise ValidationError({"reason": ["The reason is too long: at most 500 characters."]})
    # The partner is told the reason: it is screened like any text they read.
    problems = refusals(reason, label="The reason")
    if problems:
        raise ValidationError({"reason": problems})
    locked.status = ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED
    locked.decision_reason = reason
    locked.decided_by = by
    locked.decided_at = timezone.now()
    record_by(
        locked, by, ("Approved" if approve else "Rejected") + (f": {reason}" if reason else "")
    )
    locked.save()
    _tell_partner(locked, "approved" if approve else f"rejected: {reason}")
    return locked


def _tell_partner(claim: Claim, what: str) -> None:
    notify(
        [claim.partner],
        kind=NotificationKind.PARTNERS,
        text=f"Your claim “{claim.activity[:100]}” (£{claim.amount}) was {what}"[:300],
        subject=claim,
    )


@transaction.atomic
def claim_mark_paid(*, by: Person | None, claim: Claim, paid_on: dt.date | None = None) -> Claim:
    """Mark an approved claim paid (on `paid_on`, today by default): the claim approvers."""
    locked = _locked(claim)
    if by is not None and not selectors.may_approve(by, locked):
        raise PermissionDenied("Only the unit's claim approvers mark claims paid.")
    if locked.status != ClaimStatus.APPROVED:
        raise ValidationError({"status": ["Only an approved claim is marked paid."]})
    paid_on = paid_on or timezone.localdate()
    if not isinstance(paid_on, dt.date) or paid_on > timezone.localdate():
        raise ValidationError({"paid_on": ["The date paid cannot be in the future."]})
    if paid_on < locked.occurred_on:
        raise ValidationError({"paid_on": ["The date paid cannot be before the claim's date."]})
    locked.status = ClaimStatus.PAID
    locked.paid_on = paid_on
    record_by(locked, by, "Paid")
    locked.save()
    _tell_partner(locked, f"paid on {paid_on:%d %B %Y}")
    return locked
