"""Pages of bright spots: a unit's candidates and bright spots, a bright spot's page with its
finding and chart, accepting or dismissing a candidate, recording one seen on the compare page,
the appreciative inquiry, the one step onwards (a change package, a learning network), and
looking for candidates now. Thin: the record through `qms.people.access`, a form, a service, a
page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from qms.control import selectors as control_selectors
from qms.learning import roles, tasks_bright_spots
from qms.learning.forms_bright_spots import (
    BrightSpotFilterForm,
    DecisionForm,
    InquiryForm,
    RecordForm,
)
from qms.learning.models import BrightSpotKind, BrightSpotStatus
from qms.learning.selectors import bright_spots as selectors
from qms.learning.services import bright_spots as services
from qms.people import access
from qms.people.models import Unit
from qms.web.forms import apply_service
from qms.web.screening import check_text_page, first_error

COUNT_WORDS = {
    BrightSpotStatus.CANDIDATE: ("candidate", "candidates"),
    BrightSpotStatus.ACCEPTED: ("accepted", "accepted"),
    BrightSpotStatus.DISMISSED: ("dismissed", "dismissed"),
}


def _refused(error: ValidationError) -> str:
    return f"{' '.join(error.messages).rstrip('.')}. Nothing was changed."


@login_required
def bright_spot_list(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, roles.VIEWERS)
    form = BrightSpotFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.BrightSpotFilters(
        status=data.get("status") or "", kind=data.get("kind") or ""
    )
    page, counts = selectors.bright_spots_in(unit, filters, page=request.GET.get("page", 1))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "unit": unit,
        "form": form,
        "page": page,
        "counts": [(counts[status], words) for status, words in COUNT_WORDS.items()],
        "filtered": bool(filters.status or filters.kind),
        "query": query.urlencode(),
        "can_find": access.can(request.user, unit, roles.BRIGHT_SPOT_DECIDERS),
    }
    return render(request, "learning/bright_spots_list.html", context)


@login_required
@require_POST
def bright_spots_find(request, unit_id):
    """Look for candidates now, in the background (a django-tasks task)."""
    unit = access.object_or_404(request.user, Unit, unit_id, roles.BRIGHT_SPOT_DECIDERS)
    tasks_bright_spots.find_bright_spots.enqueue(request.user.pk)
    messages.success(
        request,
        "QMS is looking for bright spots in the units where you decide them. New candidates "
        "come to your inbox and to this list.",
    )
    return redirect("learning:bright-spots", unit.pk)


@login_required
def bright_spot_detail(request, spot_id):
    spot = selectors.bright_spot_or_404(request.user, spot_id)
    page = selectors.bright_spot_page(request.user, spot)
    is_candidate = spot.status == BrightSpotStatus.CANDIDATE
    context = {
        "spot": spot,
        "page": page,
        "decision_form": DecisionForm() if page.can_decide and is_candidate else None,
    }
    return render(request, "learning/bright_spots_detail.html", context)


@login_required
@require_POST
def bright_spot_decide(request, spot_id):
    spot = selectors.bright_spot_or_404(request.user, spot_id, roles.BRIGHT_SPOT_DECIDERS)
    form = DecisionForm(request.POST)
    back = spot.get_absolute_url() + "#decision"
    if not form.is_valid():
        if form.screening_prompted:
            return check_text_page(request, form, back)
        messages.error(request, f"{first_error(form).rstrip('.')}. Nothing was changed.")
        return redirect(back)
    decide = (
        services.bright_spot_accept
        if form.cleaned_data["decision"] == "accept"
        else services.bright_spot_dismiss
    )
    try:
        spot = decide(by=request.user, bright_spot=spot, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, _refused(error))
    else:
        messages.success(request, f"The candidate is {spot.get_status_display().lower()}.")
    return redirect(back)


@login_required
def bright_spot_inquiry(request, spot_id):
    spot = selectors.bright_spot_or_404(
        request.user, spot_id, roles.BRIGHT_SPOT_WRITERS | roles.BRIGHT_SPOT_DECIDERS
    )
    if spot.status != BrightSpotStatus.ACCEPTED:
        messages.error(request, "Only an accepted bright spot has an appreciative inquiry.")
        return redirect(spot)
    fields = ("what_differently", "what_works", "context", "generalisability", "conditions")
    form = InquiryForm(request.POST or None, initial={f: getattr(spot, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in fields}
        if apply_service(
            form,
            lambda: services.bright_spot_inquiry_update(by=request.user, bright_spot=spot, **data),
        ):
            messages.success(request, "The appreciative inquiry is saved.")
            return redirect(spot.get_absolute_url() + "#inquiry")
    status = 400 if form.errors else 200
    return render(
        request, "learning/bright_spots_inquiry.html", {"spot": spot, "form": form}, status=status
    )


def _onwards(request, spot_id, act, done: str):
    spot = selectors.bright_spot_or_404(request.user, spot_id, roles.BRIGHT_SPOT_DECIDERS)
    try:
        made = act(by=request.user, bright_spot=spot)
    except ValidationError as error:
        messages.error(request, _refused(error))
        return redirect(spot)
    except PermissionDenied as error:
        messages.error(request, f"{error} Nothing was changed.")
        return redirect(spot)
    messages.success(request, done.format(made))
    return redirect(spot.get_absolute_url() + "#onwards")


@login_required
@require_POST
def bright_spot_package(request, spot_id):
    return _onwards(
        request,
        spot_id,
        services.bright_spot_package_create,
        "The draft change package “{}” is ready for its leads to finish and publish.",
    )


@login_required
@require_POST
def bright_spot_network(request, spot_id):
    return _onwards(
        request,
        spot_id,
        services.bright_spot_network_start,
        "The learning network “{}” is started.",
    )


def _measure_from(request):
    """The measure named by `?measure=`, if the person may decide bright spots in its unit:
    404 for one they cannot see, or a malformed id."""
    measures = control_selectors.measures_with_results([_int(request.GET.get("measure"))])
    measure = next(iter(measures.values()), None)
    if measure is None:
        raise Http404("Not found")
    access.require(request.user, measure.unit, roles.BRIGHT_SPOT_DECIDERS)
    return measure


def _int(raw) -> int:
    try:
        value = int(str(raw or ""))
    except ValueError:
        raise Http404("Not found") from None
    if not 0 < value < 2**63:
        raise Http404("Not found")
    return value


@login_required
def bright_spot_new(request):
    """Record a bright spot a quality lead saw (`?measure=<id>&kind=funnel|sustained`), checked
    against the data first."""
    measure = _measure_from(request)
    kind = request.GET.get("kind", "")
    if kind not in BrightSpotKind.values:
        raise Http404("Not found")
    finding = services.current_finding(measure, kind, user=request.user)
    form = RecordForm(request.POST or None)
    if request.method == "POST" and finding is not None and form.is_valid():
        spot = apply_service(
            form,
            lambda: services.bright_spot_record(
                by=request.user, measure=measure, kind=kind, reason=form.cleaned_data["reason"]
            ),
        )
        if spot is not None:
            messages.success(request, "The bright spot is recorded.")
            return redirect(spot)
    context = {
        "measure": measure,
        "kind": kind,
        "kind_label": BrightSpotKind(kind).label,
        "finding": finding.data if finding is not None else None,
        "form": form,
        "action": reverse("learning:bright-spot-new") + f"?measure={measure.pk}&kind={kind}",
    }
    status = 400 if form.errors or (request.method == "POST" and finding is None) else 200
    return render(request, "learning/bright_spots_new.html", context, status=status)


urlpatterns = [
    path("bright-spots/new/", bright_spot_new, name="bright-spot-new"),
    path("bright-spots/unit/<int:unit_id>/", bright_spot_list, name="bright-spots"),
    path("bright-spots/unit/<int:unit_id>/find/", bright_spots_find, name="bright-spots-find"),
    path("bright-spots/<int:spot_id>/", bright_spot_detail, name="bright-spot-detail"),
    path("bright-spots/<int:spot_id>/decide/", bright_spot_decide, name="bright-spot-decide"),
    path("bright-spots/<int:spot_id>/inquiry/", bright_spot_inquiry, name="bright-spot-inquiry"),
    path("bright-spots/<int:spot_id>/package/", bright_spot_package, name="bright-spot-package"),
    path("bright-spots/<int:spot_id>/network/", bright_spot_network, name="bright-spot-network"),
]
