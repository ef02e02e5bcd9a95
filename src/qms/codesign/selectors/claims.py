"""Reads of claims: which claims a person reads (a partner their own only; the organisers and
claim approvers of a unit its partners' claims), the units a partner claims in, and totals by
partner, unit and month."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from qms.codesign import roles
from qms.codesign.models import Claim, ClaimStatus, Involvement
from qms.people import access
from qms.people.models import Membership, ObjectGrant, Person, Unit
from qms.people.roles import Role

__all__ = [
    "CLAIM_MANAGERS",
    "claim_readable",
    "claim_totals",
    "claims_visible_to",
    "hourly_rate",
    "may_approve",
    "may_claim_for",
    "partner_units",
]

# Who reads and records a unit's partners' claims: its organisers and claim approvers.
CLAIM_MANAGERS = roles.ORGANISERS | roles.CLAIM_APPROVERS


def hourly_rate() -> Decimal:
    """The hourly rate for partners' time in force now (settings.QMS_PARTNER_HOURLY_RATE)."""
    return Decimal(str(settings.QMS_PARTNER_HOURLY_RATE)).quantize(Decimal("0.01"))


def claims_visible_to(user) -> QuerySet[Claim]:
    """The claims the user reads: their own, and those of units where they organise or approve
    claims (and below). Nobody else's, whatever their role: payment is personal."""
    if not user.is_authenticated or not user.is_active:
        return Claim.objects.none()
    managed = access.in_units_with_role(user, Claim.objects.all(), CLAIM_MANAGERS)
    return Claim.objects.filter(Q(partner=user) | Q(pk__in=managed.values("pk")))


def claim_readable(user, claim: Claim) -> bool:
    return claim.partner_id == user.pk or access.can(user, claim.unit, CLAIM_MANAGERS)


def may_approve(user, claim: Claim) -> bool:
    """Claim approvers of its unit, never on their own claim."""
    return claim.partner_id != user.pk and access.can(user, claim.unit, roles.CLAIM_APPROVERS)


def may_claim_for(user, partner: Person, unit: Unit) -> bool:
    """Whether the user records a claim for `partner` in `unit`: the partner themselves, or an
    organiser of the unit on their behalf."""
    return partner.pk == user.pk or access.can(user, unit, roles.ORGANISERS)


def partner_units(partner: Person) -> list[Unit]:
    """The units a partner claims in: where they hold the partner role, where the work they
    are given the partner role on lives (a partner on one project only), and where work they
    were involved in lives."""
    members = set(
        Membership.objects.filter(person=partner, role=Role.PARTNER).values_list(
            "unit_id", flat=True
        )
    )
    unit_ids = set(Involvement.objects.filter(partner=partner).values_list("unit_id", flat=True))
    grants = ObjectGrant.objects.filter(person=partner, role=Role.PARTNER).prefetch_related(
        "subject"
    )
    unit_ids |= {access.unit_of(grant.subject).pk for grant in grants if grant.subject is not None}
    # Their own units first: where they are a partner of the team, not only of one record.
    units = Unit.objects.filter(pk__in=unit_ids | members).order_by("path")
    return sorted(units, key=lambda unit: unit.pk not in members)


def claim_totals(claims: QuerySet[Claim]) -> dict[str, list[dict]]:
    """Totals of the claims given (not rejected) by partner, by unit and by month: hours,
    pounds and how many. Three queries."""
    counted = claims.exclude(status=ClaimStatus.REJECTED).order_by()
    measures = {"hours": Sum("hours"), "amount": Sum("amount"), "claims": Count("pk")}
    return {
        name: [_exact(row) for row in rows]
        for name, rows in _grouped_totals(counted, measures).items()
    }


def _exact(row: dict) -> dict:
    """Sums of money and hours as exact pence and minutes (SQLite sums decimals as floats)."""
    for name in ("hours", "amount"):
        if row[name] is not None:
            row[name] = Decimal(str(row[name])).quantize(Decimal("0.01"))
    return row


def _grouped_totals(counted, measures) -> dict[str, list[dict]]:
    return {
        "partner": list(
            counted.values("partner_id", "partner__display_name", "partner__username")
            .annotate(**measures)
            .order_by("partner__display_name", "partner_id")
        ),
        "unit": list(
            counted.values("unit_id", "unit__name").annotate(**measures).order_by("unit__name")
        ),
        "month": list(
            counted.annotate(month=TruncMonth("occurred_on"))
            .values("month")
            .annotate(**measures)
            .order_by("-month")
        ),
    }
