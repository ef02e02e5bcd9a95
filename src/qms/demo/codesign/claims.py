"""The demo's partners' time and expenses (see qms.demo.codesign): claims by Ward 7's patient
partner (`partner`) and the experience-based co-design partners, some approved and paid, some
waiting, one rejected with its reason; approved by the acute division's quality lead
(`quality`). Found again by partner and what they are for, so running the demo twice adds
nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from qms.codesign.models import Claim, ClaimKind, Involvement
from qms.codesign.selectors import claims as selectors
from qms.codesign.services import claims as services
from qms.people.models import Person

APPROVER = "quality"


@dataclass(frozen=True)
class DemoClaim:
    partner: str  # a username, or "@<unit code>" for that unit's first partner
    kind: str
    days_ago: int
    activity: str
    hours: str | None = None
    amount: str | None = None
    outcome: str = ""  # "", "approved", "paid" or "rejected: <reason>"
    involvement: str = ""  # the start of the partner's involvement it belongs to


CLAIMS = (
    DemoClaim(
        "partner",
        ClaimKind.TIME,
        120,
        "Night-time falls bundle design workshop",
        hours="3",
        outcome="paid",
        involvement="Designed the night-time bundle",
    ),
    DemoClaim(
        "partner",
        ClaimKind.EXPENSE,
        120,
        "Return bus fare to the design workshop",
        amount="4.60",
        outcome="paid",
    ),
    DemoClaim(
        "partner",
        ClaimKind.TIME,
        40,
        "Studying the third PDSA cycle with the team",
        hours="2",
        outcome="approved",
        involvement="Studied the third PDSA cycle",
    ),
    DemoClaim(
        "partner",
        ClaimKind.EXPENSE,
        40,
        "Taxi to the hospital for the study meeting",
        amount="38.00",
        outcome="rejected: A return bus fare is £4.60; please claim that, or ask us to book "
        "transport before the meeting.",
    ),
    DemoClaim(
        "partner",
        ClaimKind.TIME,
        10,
        "Falls prevention network session at night-time care",
        hours="2.5",
    ),
    DemoClaim("partner", ClaimKind.EXPENSE, 10, "Parking at the hospital", amount="4.50"),
    DemoClaim(
        "@ward-21",
        ClaimKind.TIME,
        150,
        "Care planning meeting co-design sessions",
        hours="6",
        outcome="paid",
    ),
    DemoClaim(
        "@ward-21",
        ClaimKind.EXPENSE,
        150,
        "Carer's costs while at the co-design sessions",
        amount="45.00",
        outcome="approved",
    ),
    DemoClaim(
        "@ld-community",
        ClaimKind.TIME,
        110,
        "Easy-read invitation design",
        hours="4",
        outcome="approved",
    ),
)


def build(*, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    approver = Person.objects.filter(username=APPROVER).first()
    for spec in CLAIMS:
        partner = _partner(spec.partner)
        if (
            partner is None
            or Claim.objects.filter(partner=partner, activity=spec.activity).exists()
        ):
            continue
        units = selectors.partner_units(partner)
        if not units:
            continue
        occurred_on = today - dt.timedelta(days=spec.days_ago)
        if not services.claimable_on(occurred_on):
            continue  # a demo dated long ago: the claim is past the 12 months claims take
        involvement = (
            Involvement.objects.filter(
                partner=partner, contribution__startswith=spec.involvement
            ).first()
            if spec.involvement
            else None
        )
        claim = services.claim_record(
            by=partner,
            partner=partner,
            kind=spec.kind,
            occurred_on=occurred_on,
            activity=spec.activity,
            unit=None if involvement else units[0],
            involvement=involvement,
            hours=spec.hours,
            amount=spec.amount,
        )
        _decide(claim, spec, approver, today)
    return {"partner claims": Claim.objects.count()}


def _partner(name: str) -> Person | None:
    if not name.startswith("@"):
        return Person.objects.filter(username=name).first()
    return (
        Person.objects.filter(memberships__unit__code=name[1:], memberships__role="partner")
        .order_by("username")
        .first()
    )


def _decide(claim: Claim, spec: DemoClaim, approver: Person | None, today: dt.date) -> None:
    if not spec.outcome:
        return
    by = approver if approver is not None and selectors.may_approve(approver, claim) else None
    if spec.outcome.startswith("rejected"):
        reason = spec.outcome.split(": ", 1)[1]
        services.claim_decide(by=by, claim=claim, approve=False, reason=reason)
        return
    services.claim_decide(by=by, claim=claim, approve=True)
    if spec.outcome == "paid":
        paid_on = min(today, claim.occurred_on + dt.timedelta(days=21))
        services.claim_mark_paid(by=by, claim=claim, paid_on=paid_on)
