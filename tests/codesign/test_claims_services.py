"""Partners' time and expenses: who records a claim, bad amounts refused with the field named,
approval by the claim approvers (never their own), payment, totals, and who reads which."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from helpers import make_person

from codesign.involvement_support import *  # noqa: F403
from codesign.involvement_support import log
from qms.codesign.models import Claim, ClaimStatus, Level
from qms.codesign.selectors import claims as selectors
from qms.codesign.services import claims as services
from qms.people.roles import Role

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def claim(by, partner, unit, kind="expense", **fields):
    values = {"occurred_on": _today(), "activity": "Bus fare to the listening event"}
    if kind == "expense":
        values["amount"] = "12.40"
    else:
        values["hours"] = "3"
    values.update(fields)
    return services.claim_record(by=by, partner=partner, unit=unit, kind=kind, **values)


def test_it_records_a_partners_own_expense_and_time_at_the_rate(org, partner, settings):
    settings.QMS_PARTNER_HOURLY_RATE = "20.00"
    expense = claim(partner, partner, org["ward"])
    time = claim(partner, partner, org["ward"], kind="time", hours="2.5")
    assert expense.amount == Decimal("12.40") and expense.status == ClaimStatus.SUBMITTED
    assert (time.hours, time.hourly_rate, time.amount) == (
        Decimal("2.50"),
        Decimal("20.00"),
        Decimal("50.00"),
    )
    assert time.history.get().history_user == partner


def test_it_lets_an_organiser_claim_for_a_partner_and_no_one_else(org, partner, lead, member):
    assert claim(lead, partner, org["ward"]).submitted_by == lead
    with pytest.raises(PermissionDenied):
        claim(member, partner, org["ward"])


def test_it_links_a_partners_own_involvement_and_takes_its_unit(project, team_partner, lead):
    entry = log(project, Level.CO_DESIGNING, by=lead, partner=team_partner)
    made = claim(team_partner, team_partner, None, involvement=entry)
    assert made.unit == project.unit and made.involvement == entry
    other = log(project, Level.INFORMING, by=lead)
    with pytest.raises(ValidationError) as error:
        claim(team_partner, team_partner, None, involvement=other)
    assert "involvement" in error.value.message_dict


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        ("expense", {"amount": "-5"}, "amount"),
        ("expense", {"amount": "0"}, "amount"),
        ("expense", {"amount": "10000.01"}, "amount"),
        ("expense", {"amount": "lots"}, "amount"),
        ("expense", {"amount": "Infinity"}, "amount"),
        ("expense", {"amount": None}, "amount"),
        ("time", {"hours": "25"}, "hours"),
        ("time", {"hours": "-1"}, "hours"),
        ("time", {"hours": ""}, "hours"),
        ("cash", {}, "kind"),
        ("expense", {"activity": ""}, "activity"),
        ("expense", {"occurred_on": dt.date(2999, 1, 1)}, "occurred_on"),
        ("expense", {"occurred_on": "yesterday"}, "occurred_on"),
    ],
)
def test_it_refuses_bad_claims_naming_the_field(org, partner, kind, fields, field):
    with pytest.raises(ValidationError) as error:
        claim(partner, partner, org["ward"], kind=kind, **fields)
    assert field in error.value.message_dict
    assert not Claim.objects.exists()


def test_it_refuses_more_than_24_hours_in_a_day(org, partner):
    claim(partner, partner, org["ward"], kind="time", hours="20")
    with pytest.raises(ValidationError, match="24 hours") as error:
        claim(partner, partner, org["ward"], kind="time", hours="4.5")
    assert "hours" in error.value.message_dict
    claim(partner, partner, org["ward"], kind="time", hours="4")


def test_it_refuses_a_unit_the_partner_takes_no_part_in(org, partner):
    with pytest.raises(ValidationError) as error:
        claim(partner, partner, org["other_ward"])
    assert "unit" in error.value.message_dict


def test_it_lets_claim_approvers_approve_reject_and_mark_paid(org, partner, quality_lead, lead):
    first, second = claim(partner, partner, org["ward"]), claim(partner, partner, org["ward"])
    with pytest.raises(PermissionDenied):
        services.claim_decide(by=lead, claim=first, approve=True)
    approved = services.claim_decide(by=quality_lead, claim=first, approve=True)
    assert approved.status == ClaimStatus.APPROVED and approved.decided_by == quality_lead
    with pytest.raises(ValidationError) as error:
        services.claim_decide(by=quality_lead, claim=second, approve=False)
    assert "reason" in error.value.message_dict
    rejected = services.claim_decide(
        by=quality_lead, claim=second, approve=False, reason="Claimed twice"
    )
    assert rejected.status == ClaimStatus.REJECTED
    with pytest.raises(ValidationError):
        services.claim_mark_paid(by=quality_lead, claim=second)
    paid = services.claim_mark_paid(by=quality_lead, claim=first)
    assert paid.status == ClaimStatus.PAID and paid.paid_on == _today()
    with pytest.raises(ValidationError, match="already been decided"):
        services.claim_decide(by=quality_lead, claim=first, approve=False, reason="late")


@pytest.mark.parametrize("reason", ["For patient 943 476 5919", "Claimed twice\x07"])
def test_it_refuses_a_reason_the_partner_must_never_read(org, partner, quality_lead, reason):
    """The reason is sent to the partner: no patient identifier, nothing unstorable."""
    waiting = claim(partner, partner, org["ward"])
    with pytest.raises(ValidationError) as error:
        services.claim_decide(by=quality_lead, claim=waiting, approve=False, reason=reason)
    assert "reason" in error.value.message_dict
    assert Claim.objects.get(pk=waiting.pk).status == ClaimStatus.SUBMITTED


def test_it_never_lets_an_approver_approve_their_own_claim(org, quality_lead):
    both = make_person("both", (Role.PARTNER, org["ward"]), (Role.QUALITY_LEAD, org["ward"]))
    own = claim(both, both, org["ward"])
    with pytest.raises(PermissionDenied):
        services.claim_decide(by=both, claim=own, approve=True)
    services.claim_decide(by=quality_lead, claim=own, approve=True)


def test_it_shows_a_partner_only_their_own_claims(org, partner, lead, member, quality_lead):
    other = make_person("other", (Role.PARTNER, org["ward"]))
    mine, theirs = claim(partner, partner, org["ward"]), claim(other, other, org["ward"])
    assert list(selectors.claims_visible_to(partner)) == [mine]
    assert not selectors.claim_readable(partner, theirs)
    assert not selectors.claims_visible_to(member).exists()
    assert set(selectors.claims_visible_to(quality_lead)) == {mine, theirs}
    assert set(selectors.claims_visible_to(lead)) == {mine, theirs}


def test_it_totals_claims_by_partner_unit_and_month_leaving_out_rejected(
    org, partner, quality_lead, settings
):
    settings.QMS_PARTNER_HOURLY_RATE = "20"
    claim(partner, partner, org["ward"], kind="time", hours="2")
    claim(partner, partner, org["ward"], amount="10.00")
    services.claim_decide(
        by=quality_lead,
        claim=claim(partner, partner, org["ward"], amount="99"),
        approve=False,
        reason="Not ours",
    )
    totals = selectors.claim_totals(Claim.objects.all())
    assert [(r["hours"], r["amount"], r["claims"]) for r in totals["partner"]] == [
        (Decimal("2"), Decimal("50"), 2)
    ]
    assert totals["unit"][0]["unit__name"] == "Ward 7"
    assert len(totals["month"]) == 1 and totals["month"][0]["amount"] == Decimal("50")


def test_it_tells_the_partner_of_each_decision_and_payment(org, partner, quality_lead):
    from qms.notifications.models import Notification

    first, second = claim(partner, partner, org["ward"]), claim(partner, partner, org["ward"])
    services.claim_decide(by=quality_lead, claim=first, approve=True)
    services.claim_mark_paid(by=quality_lead, claim=first)
    services.claim_decide(by=quality_lead, claim=second, approve=False, reason="Claimed twice")
    texts = list(
        Notification.objects.filter(person=partner, kind="partners")
        .order_by("pk")
        .values_list("text", flat=True)
    )
    assert [t.split(") was ")[1][:8] for t in texts] == ["approved", "paid on ", "rejected"]
    assert "Claimed twice" in texts[2]
    assert not Notification.objects.exclude(person=partner).exists()
