"""Pages of claims: a partner's own claims and an organiser's or approver's claims of their
units (filtered, with totals by partner, unit and month, and a CSV for the finance team), a new
claim, a claim with its receipt (its discussion's attachments), history and the approvers'
decision and payment."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from qms.codesign import roles
from qms.codesign.forms_claims import ClaimFilterForm, ClaimForm, DecisionForm, PaidForm
from qms.codesign.models import Claim, ClaimStatus, Involvement, InvolvementStatus
from qms.codesign.selectors import claims as selectors
from qms.codesign.services import claims as services
from qms.people import access
from qms.people.models import Person
from qms.text.spreadsheet import spreadsheet_safe
from qms.web.forms import apply_service

_ID_MAX = 2**63 - 1
PAGE_SIZE = 50


def _claim_or_404(request, pk: int) -> Claim:
    if pk > _ID_MAX:
        raise Http404("Not found")
    claim = (
        Claim.objects.select_related("partner", "unit", "involvement", "decided_by", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if claim is None or not selectors.claim_readable(request.user, claim):
        raise Http404("Not found")
    return claim


def _filtered(request):
    """The claims the person reads, filtered by the list's form (an invalid filter shows
    none), and the form."""
    units = list(access.units_with_role(request.user, selectors.CLAIM_MANAGERS).order_by("path"))
    form = ClaimFilterForm(request.GET or None, units=units)
    claims = selectors.claims_visible_to(request.user)
    if form.is_bound:
        if not form.is_valid():
            return form, claims.none()
        data = form.cleaned_data
        if data["status"]:
            claims = claims.filter(status=data["status"])
        if data["unit"]:
            claims = access.in_subtree(claims, next(u for u in units if u.pk == data["unit"]))
        if data["month"]:
            claims = claims.filter(
                occurred_on__year=data["month"].year, occurred_on__month=data["month"].month
            )
    return form, claims


@login_required
def claim_list(request):
    form, claims = _filtered(request)
    page = Paginator(
        claims.select_related("partner", "unit").order_by("-occurred_on", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "codesign/claims_list.html",
        {
            "form": form,
            "page": page,
            "totals": selectors.claim_totals(claims),
            "manager": bool(form.fields["unit"].choices[1:]),
            "may_claim": _may_claim(request.user),
            "query": query.urlencode(),
            "rate": selectors.hourly_rate(),
        },
        status=400 if form.errors else 200,
    )


CSV_COLUMNS = [
    "claim",
    "partner",
    "unit",
    "kind",
    "date",
    "what for",
    "hours",
    "hourly rate (£)",
    "amount (£)",
    "status",
    "decided by",
    "reason",
    "paid on",
]


@login_required
def claim_csv(request):
    """The claims of the list's filter as CSV for the finance team (safe in a spreadsheet)."""
    form, claims = _filtered(request)
    if form.errors:
        return HttpResponse("Correct the filter.", status=400, content_type="text/plain")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for claim in claims.select_related("partner", "unit", "decided_by").order_by(
        "occurred_on", "pk"
    ):
        row = [
            claim.pk,
            str(claim.partner),
            claim.unit.name,
            claim.get_kind_display(),
            claim.occurred_on.isoformat(),
            claim.activity,
            "" if claim.hours is None else str(claim.hours),
            "" if claim.hourly_rate is None else str(claim.hourly_rate),
            str(claim.amount),
            claim.get_status_display(),
            str(claim.decided_by or ""),
            claim.decision_reason,
            claim.paid_on.isoformat() if claim.paid_on else "",
        ]
        writer.writerow([spreadsheet_safe(value) for value in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="partner-claims.csv"'
    return response


def _may_claim(user) -> bool:
    return bool(
        access.unit_paths_with_role(user, roles.ORGANISERS) != [] or selectors.partner_units(user)
    )


def _partner_named(username: str, units) -> Person | None:
    """The active partner of that username taking part in one of `units` (the organiser's), or
    None: an organiser never learns of accounts elsewhere."""
    person = Person.objects.filter(username=username.strip(), is_active=True).first()
    if person is None:
        return None
    theirs = {unit.pk for unit in selectors.partner_units(person)}
    return person if theirs & {unit.pk for unit in units} else None


@login_required
def claim_new(request):
    """A new claim: a partner's own, or an organiser's for a partner of their units."""
    organiser_units = list(access.units_with_role(request.user, roles.ORGANISERS).order_by("path"))
    own_units = selectors.partner_units(request.user)
    organiser = bool(organiser_units) and not own_units
    if not organiser and not own_units:
        raise Http404("Not found")
    involvements = (
        []
        if organiser
        else list(
            Involvement.objects.filter(partner=request.user)
            .exclude(status=InvolvementStatus.DECLINED)
            .order_by("-occurred_on", "-pk")[:50]
        )
    )
    units = organiser_units if organiser else own_units
    form = ClaimForm(
        request.POST or None, involvements=involvements, units=units, organiser=organiser
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        partner = request.user
        if organiser:
            partner = _partner_named(data["partner"], organiser_units)
            if partner is None:
                form.add_error("partner", "No partner of that username takes part in your units.")
        if not form.errors:
            claim = apply_service(
                form,
                lambda: services.claim_record(
                    by=request.user,
                    partner=partner,
                    kind=data["kind"],
                    occurred_on=data["occurred_on"],
                    activity=data["activity"],
                    unit=data["unit"],
                    involvement=data["involvement"],
                    hours=data["hours"],
                    amount=data["amount"],
                ),
            )
            if claim is not None:
                messages.success(
                    request, "Claim sent for approval. Attach a receipt below if you have one."
                )
                return redirect(claim.get_absolute_url())
    return render(
        request,
        "codesign/claims_new.html",
        {"form": form, "organiser": organiser, "rate": selectors.hourly_rate()},
        status=400 if form.errors else 200,
    )


@login_required
def claim_detail(request, pk):
    claim = _claim_or_404(request, pk)
    approver = selectors.may_approve(request.user, claim)
    return render(
        request,
        "codesign/claims_detail.html",
        {
            "claim": claim,
            "may_decide": approver and claim.status == ClaimStatus.SUBMITTED,
            "may_pay": approver and claim.status == ClaimStatus.APPROVED,
            "paid_form": PaidForm(initial={"paid_on": timezone.localdate()}),
        },
    )


def _approver_or_403(request, pk) -> Claim:
    claim = _claim_or_404(request, pk)
    if not selectors.may_approve(request.user, claim):
        raise PermissionDenied("Only the unit's claim approvers decide claims.")
    return claim


def _errors(form) -> str:
    return "; ".join(str(m) for errors in form.errors.values() for m in errors)


@require_POST
@login_required
def claim_decide(request, pk):
    claim = _approver_or_403(request, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        done = apply_service(
            form,
            lambda: services.claim_decide(
                by=request.user, claim=claim, approve=approve, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, "Claim approved." if approve else "Claim rejected.")
            return redirect(claim.get_absolute_url())
    messages.error(request, f"The claim was not decided: {_errors(form)}")
    return redirect(claim.get_absolute_url())


@require_POST
@login_required
def claim_paid(request, pk):
    claim = _approver_or_403(request, pk)
    form = PaidForm(request.POST)
    if form.is_valid():
        done = apply_service(
            form,
            lambda: services.claim_mark_paid(
                by=request.user, claim=claim, paid_on=form.cleaned_data["paid_on"]
            ),
        )
        if done is not None:
            messages.success(request, "Claim marked paid.")
            return redirect(claim.get_absolute_url())
    messages.error(request, f"The claim was not marked paid: {_errors(form)}")
    return redirect(claim.get_absolute_url())


urlpatterns = [
    path("claims/", claim_list, name="claims"),
    path("claims.csv", claim_csv, name="claims-csv"),
    path("claims/new/", claim_new, name="claim-new"),
    path("claims/<int:pk>/", claim_detail, name="claim-detail"),
    path("claims/<int:pk>/decide/", claim_decide, name="claim-decide"),
    path("claims/<int:pk>/paid/", claim_paid, name="claim-paid"),
]
