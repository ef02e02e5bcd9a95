"""The claims pages: a partner's own claims only, an organiser claiming for a partner, the
approvers' decision and payment, the receipt through the claim's discussion, totals and CSV,
bad input and people who may not."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from helpers import make_person

from codesign.involvement_support import *  # noqa: F403
from codesign.involvement_support import log
from qms.codesign.models import Claim, ClaimStatus, Level
from qms.codesign.services import claims as services
from qms.people.roles import Role

pytestmark = pytest.mark.django_db

NEW = reverse("codesign:claim-new")
LIST = reverse("codesign:claims")


def _today():
    return timezone.localdate()


def _form(**fields):
    data = {
        "kind": "expense",
        "occurred_on": _today().isoformat(),
        "activity": "Bus fare to the falls panel",
        "amount": "7.20",
        "unit": "",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def _claim(partner, unit, **fields):
    values = {"kind": "expense", "occurred_on": _today(), "activity": "Taxi", "amount": "15"}
    values.update(fields)
    return services.claim_record(by=partner, partner=partner, unit=unit, **values)


def test_it_lets_a_partner_claim_and_see_it(client, org, partner):
    client.force_login(partner)
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, _form(unit=str(org["ward"].pk)))
    claim = Claim.objects.get()
    assert response.status_code == 302 and response.url == claim.get_absolute_url()
    assert (claim.partner, claim.amount, claim.status) == (
        partner,
        Decimal("7.20"),
        ClaimStatus.SUBMITTED,
    )
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "Waiting for approval" in page and "Attach a file" in page
    assert "Bus fare" in client.get(LIST).content.decode()


def test_it_lets_a_partner_link_their_own_involvement(client, project, lead, team_partner):
    entry = log(project, Level.CO_DESIGNING, by=lead, partner=team_partner)
    client.force_login(team_partner)
    form = _form(kind="time", amount="", hours="2", involvement=str(entry.pk))
    assert client.post(NEW, form).status_code == 302
    claim = Claim.objects.get()
    assert claim.involvement == entry and claim.unit == project.unit and claim.hours == 2


def test_it_shows_a_partner_only_their_own_claims(client, org, partner):
    other = make_person("other", (Role.PARTNER, org["ward"]))
    theirs = _claim(other, org["ward"], activity="Someone else's parking")
    mine = _claim(partner, org["ward"], activity="My train")
    client.force_login(partner)
    page = client.get(LIST).content.decode()
    assert "My train" in page and "parking" not in page
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(mine.get_absolute_url()).status_code == 200
    csv = client.get(reverse("codesign:claims-csv")).content.decode("utf-8-sig")
    assert "My train" in csv and "parking" not in csv
    # Nor the receipts of another's claim.
    upload = reverse("comments:attachment-add", args=["codesign.claim", theirs.pk])
    receipt = SimpleUploadedFile("receipt.txt", b"Paid 15 pounds", content_type="text/plain")
    assert client.post(upload, {"file": receipt}).status_code in (403, 404)


def test_it_takes_a_receipt_on_a_partners_own_claim(client, org, partner):
    mine = _claim(partner, org["ward"])
    client.force_login(partner)
    upload = reverse("comments:attachment-add", args=["codesign.claim", mine.pk])
    receipt = SimpleUploadedFile("receipt.txt", b"Paid 15 pounds", content_type="text/plain")
    assert client.post(upload, {"file": receipt}).status_code == 302
    assert "receipt.txt" in client.get(mine.get_absolute_url()).content.decode()


def test_it_lets_an_organiser_claim_for_a_partner_of_their_units(client, org, lead, partner):
    client.force_login(lead)
    page = client.get(NEW).content.decode()
    assert "Partner&#x27;s username" in page or "Partner's username" in page
    response = client.post(NEW, _form(partner="partner", unit=str(org["ward"].pk)))
    assert response.status_code == 302
    assert Claim.objects.get().submitted_by == lead
    outsider_partner = make_person("faraway", (Role.PARTNER, org["elsewhere"]))
    response = client.post(NEW, _form(partner=outsider_partner.username, unit=str(org["ward"].pk)))
    assert response.status_code == 400 and "partner" in response.context["form"].errors


def test_it_shows_no_claim_form_to_staff_who_do_not_organise(client, member):
    # A team member neither claims (not a partner) nor claims for others (not an organiser).
    for person in (member, make_person("nobody")):
        client.force_login(person)
        assert client.get(NEW).status_code == 404
        assert client.post(NEW, _form()).status_code == 404
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "10000.01"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"amount": ""}, "amount"),
        ({"kind": "time", "hours": "25", "amount": ""}, "hours"),
        ({"kind": "cash"}, "kind"),
        ({"activity": ""}, "activity"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"unit": "999999999"}, "unit"),
        ({"involvement": "999999999"}, "involvement"),
        ({"activity": "Travel for NHS 943 476 5919"}, "activity"),
    ],
)
def test_it_refuses_bad_claims_on_the_page(client, org, partner, fields, field):
    client.force_login(partner)
    response = client.post(NEW, _form(**{"unit": str(org["ward"].pk), **fields}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Claim.objects.exists()


def test_it_lets_approvers_approve_reject_and_mark_paid(client, org, partner, quality_lead, lead):
    first, second = _claim(partner, org["ward"]), _claim(partner, org["ward"])
    decide = reverse("codesign:claim-decide", args=[first.pk])
    client.force_login(lead)  # an organiser, not a claim approver
    assert "Approve or reject" not in client.get(first.get_absolute_url()).content.decode()
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    client.force_login(partner)
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    client.force_login(quality_lead)
    assert "Approve or reject" in client.get(first.get_absolute_url()).content.decode()
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    reject = reverse("codesign:claim-decide", args=[second.pk])
    client.post(reject, {"decision": "reject"})  # no reason: refused
    second.refresh_from_db()
    assert second.status == ClaimStatus.SUBMITTED
    client.post(reject, {"decision": "reject", "reason": "Claimed twice"})
    second.refresh_from_db()
    assert second.status == ClaimStatus.REJECTED
    paid = reverse("codesign:claim-paid", args=[first.pk])
    assert client.post(paid, {"paid_on": "2999-01-01"}).status_code == 302
    first.refresh_from_db()
    assert first.status == ClaimStatus.APPROVED
    assert client.post(paid, {"paid_on": _today().isoformat()}).status_code == 302
    first.refresh_from_db()
    assert first.status == ClaimStatus.PAID
    assert client.get(paid).status_code == 405


def test_it_totals_and_exports_for_the_finance_team(client, org, partner, quality_lead):
    _claim(partner, org["ward"], amount="10")
    _claim(partner, org["ward"], kind="time", amount=None, hours="2", activity="=SUM(A1)")
    client.force_login(quality_lead)
    response = client.get(LIST)
    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals["unit"][0]["claims"] == 2
    csv = client.get(reverse("codesign:claims-csv") + "?status=submitted")
    text = csv.content.decode("utf-8-sig")
    assert csv.status_code == 200 and "'=SUM(A1)" in text and text.count("\n") == 3


def test_it_answers_bad_filters_and_ids_without_a_server_error(client, org, partner, quality_lead):
    client.force_login(quality_lead)
    for query in ("?status=nonsense", "?unit=abc", "?month=2026-13", "?page=999"):
        assert client.get(LIST + query).status_code in (200, 400), query
    assert client.get(reverse("codesign:claims-csv") + "?unit=abc").status_code == 400
    for pk in (0, 999999, 2**64):
        assert client.get(reverse("codesign:claim-detail", args=[pk])).status_code == 404
        assert client.post(reverse("codesign:claim-decide", args=[pk])).status_code == 404
    claim = _claim(partner, org["ward"])
    response = client.post(reverse("codesign:claim-decide", args=[claim.pk]), {"decision": "x"})
    assert response.status_code == 302


def test_it_keeps_old_claims_at_their_rate(org, partner, settings):
    settings.QMS_PARTNER_HOURLY_RATE = "20"
    old = _claim(partner, org["ward"], kind="time", amount=None, hours="1")
    settings.QMS_PARTNER_HOURLY_RATE = "30"
    new = _claim(
        partner,
        org["ward"],
        kind="time",
        amount=None,
        hours="1",
        occurred_on=_today() - dt.timedelta(days=1),
    )
    old.refresh_from_db()
    assert (old.amount, new.amount) == (20, 30)
