"""Two people acting on claims at the same moment: two approvers deciding one claim (one decision
wins, the other is told it was decided), and two claims of one partner's day (never more than 24
hours between them). The race is forced: each, once it has checked, waits (a short while) for
the other. PostgreSQL only: SQLite serialises writers from the start."""

import threading
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from helpers import RACES, make_person, race, wait_after

from qms.codesign.models import Claim, ClaimStatus
from qms.codesign.services import claims as services
from qms.people.roles import Role

pytestmark = RACES


def _race(monkeypatch, calls):
    """Run `calls` at once, each waiting for the others once it has recorded who did it."""
    wait_after(monkeypatch, services, "record_by", threading.Barrier(len(calls)))
    return race(calls)


def test_two_approvers_deciding_one_claim_at_once_make_one_decision(monkeypatch, org):
    partner = make_person("partner", (Role.PARTNER, org["ward"]))
    first = make_person("approver1", (Role.QUALITY_LEAD, org["ward"]))
    second = make_person("approver2", (Role.QUALITY_LEAD, org["division"]))
    claim = services.claim_record(
        by=partner,
        partner=partner,
        unit=org["ward"],
        kind="expense",
        occurred_on=timezone.localdate(),
        activity="Train to the panel",
        amount="23.50",
    )
    results = _race(
        monkeypatch,
        [
            lambda: services.claim_decide(by=first, claim=claim, approve=True),
            lambda: services.claim_decide(by=second, claim=claim, approve=False, reason="No"),
        ],
    )
    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["Claim", "ValidationError"], results
    refused = next(r for r in results if isinstance(r, ValidationError))
    assert "already been decided" in str(refused)
    won = next(r for r in results if isinstance(r, Claim))
    claim.refresh_from_db()
    assert claim.status == won.status != ClaimStatus.SUBMITTED
    assert claim.history.count() == 2  # claimed, then one decision


def test_two_claims_of_one_day_at_once_never_pass_24_hours(monkeypatch, org):
    partner = make_person("partner", (Role.PARTNER, org["ward"]))
    lead = make_person("lead", (Role.TEAM_LEAD, org["ward"]))
    day = timezone.localdate()

    def claim(by):
        return services.claim_record(
            by=by,
            partner=partner,
            unit=org["ward"],
            kind="time",
            occurred_on=day,
            activity="Co-design workshop",
            hours="20",
        )

    results = _race(monkeypatch, [lambda: claim(partner), lambda: claim(lead)])
    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["Claim", "ValidationError"], results
    assert Claim.objects.get().hours == Decimal("20")
