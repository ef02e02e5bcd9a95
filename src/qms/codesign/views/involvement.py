"""Pages of involvement: logging partners' involvement in a piece of work (from the work's own
page, through the `involvement_panel` tag), an entry with its history and, for organisers, the
decision on a partner's own entry; the ladder summary of a unit and below, and its CSV."""

import csv
import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from qms.codesign.forms_involvement import DecideForm, InvolvementForm, LadderForm
from qms.codesign.models import Involvement, InvolvementStatus, Level, WorkArea
from qms.codesign.selectors import involvement as selectors
from qms.codesign.services import involvement as services
from qms.text.spreadsheet import spreadsheet_safe
from qms.web.forms import apply_service

_ID_MAX = 2**63 - 1


def _entry_or_404(request, pk: int) -> Involvement:
    """The entry, if the person reads it: whoever reads its work (an entry waiting for
    confirmation only its organisers and the partner who logged it)."""
    if pk > _ID_MAX:
        raise Http404("Not found")
    entry = (
        Involvement.objects.select_related("unit", "partner", "logged_by", "confirmed_by")
        .filter(pk=pk)
        .first()
    )
    if entry is None or not selectors.involvement_readable(request.user, entry):
        raise Http404("Not found")
    waiting = entry.status != InvolvementStatus.CONFIRMED
    own = entry.partner_id == request.user.pk
    if (
        waiting
        and not own
        and (entry.work is None or not selectors.may_log(request.user, entry.work))
    ):
        raise Http404("Not found")
    return entry


def _levels() -> list[tuple[int, str, str]]:
    return [(level.value, level.label, selectors.LEVEL_MEANINGS[level]) for level in Level]


@login_required
def involvement_log(request, model, pk):
    """Log partners' involvement in a piece of work: its organisers for anyone on it, a partner
    on it for themselves (waiting for confirmation)."""
    work = selectors.work_or_404(request.user, model, pk)
    organiser = selectors.may_log(request.user, work)
    if not organiser and not selectors.may_log_own(request.user, work):
        raise PermissionDenied("Only the work's organisers and its partners log involvement.")
    partners = selectors.partners_on(work) if organiser else []
    form = InvolvementForm(request.POST or None, partners=partners, own=not organiser)
    if request.method == "POST" and form.is_valid():
        entry = apply_service(
            form,
            lambda: services.involvement_log(
                by=request.user, work=work, **form.service_arguments()
            ),
            rename={"partner": "who", "work": None},
        )
        if entry is not None:
            messages.success(
                request,
                "Involvement logged."
                if organiser
                else "Thank you: your contribution is logged for an organiser to confirm.",
            )
            return redirect(work.get_absolute_url() + "#involvement")
    return render(
        request,
        "codesign/involvement_log.html",
        {
            "form": form,
            "work": work,
            "kind": selectors.work_kind_of(work),
            "organiser": organiser,
            "levels": _levels(),
            "source": selectors.LEVEL_SOURCE,
        },
        status=400 if form.errors else 200,
    )


@login_required
def involvement_detail(request, pk):
    entry = _entry_or_404(request, pk)
    work = entry.work
    may_decide = (
        work is not None
        and entry.status == InvolvementStatus.PROPOSED
        and selectors.may_log(request.user, work)
    )
    return render(
        request,
        "codesign/involvement_detail.html",
        {
            "entry": entry,
            "work": work,
            "work_label": selectors.work_label(entry),
            "meaning": selectors.LEVEL_MEANINGS[Level(entry.level)],
            "may_decide": may_decide,
        },
    )


@require_POST
@login_required
def involvement_decide(request, pk):
    entry = _entry_or_404(request, pk)
    if entry.work is None or not selectors.may_log(request.user, entry.work):
        raise PermissionDenied("Only the work's organisers confirm involvement.")
    form = DecideForm(request.POST)
    if form.is_valid():
        confirm = form.cleaned_data["decision"] == "confirm"
        done = apply_service(
            form,
            lambda: services.involvement_decide(
                by=request.user,
                involvement=entry,
                confirm=confirm,
                reason=form.cleaned_data["reason"],
            ),
        )
        if done is not None:
            messages.success(request, "Confirmed." if confirm else "Marked as not confirmed.")
            return redirect(entry.work.get_absolute_url() + "#involvement")
    messages.error(request, "Nothing was changed: " + "; ".join(_errors(form)))
    return redirect(entry.get_absolute_url())


def _errors(form) -> list[str]:
    return [str(message) for errors in form.errors.values() for message in errors]


def _ladder_form(request):
    """The ladder's form, its unit (one the person reads as staff) and period; 404 for a unit
    they do not read, or when they read none."""
    units = selectors.ladder_units(request.user)
    if not units:
        raise Http404("Not found")
    data = request.GET.copy()
    if "unit" not in data:
        current = request.user.current_unit_id
        data["unit"] = str(current if any(u.pk == current for u in units) else units[0].pk)
    # The period shown, the last 12 months unless chosen, is filled in on the form.
    end = timezone.localdate()
    data.setdefault("end", end.isoformat())
    data.setdefault("start", (end - dt.timedelta(days=365)).isoformat())
    form = LadderForm(data, units=units)
    if not form.is_valid():
        return form, None
    unit = form.units.get(form.cleaned_data["unit"])
    if unit is None:
        raise Http404("Not found")
    return form, unit


@login_required
def ladder(request):
    """The ladder summary of a unit and below over a period. Partners, who read no unit's
    summary, see what the rungs mean (the involvement panel links here)."""
    if not selectors.ladder_units(request.user):
        return render(
            request,
            "codesign/ladder.html",
            {"form": None, "summary": None, "levels": _levels(), "source": selectors.LEVEL_SOURCE},
        )
    form, unit = _ladder_form(request)
    summary = None
    if unit is not None:
        summary = selectors.ladder_summary(
            unit, form.cleaned_data["start"], form.cleaned_data["end"]
        )
    return render(
        request,
        "codesign/ladder.html",
        {
            "form": form,
            "summary": summary,
            "chart": selectors.ladder_chart(summary) if summary and summary.pieces else "",
            "areas": WorkArea.choices,
            "levels": _levels(),
            "source": selectors.LEVEL_SOURCE,
            "query": request.GET.urlencode(),
        },
        status=200 if summary is not None else 400,
    )


CSV_COLUMNS = [
    "date",
    "unit",
    "area",
    "work",
    "rung",
    "who",
    "people",
    "contribution",
    "shaped a decision",
    "difference",
    "hours",
]


@login_required
def ladder_csv(request):
    """Every confirmed entry behind the ladder summary, as CSV (safe to open in a
    spreadsheet)."""
    form, unit = _ladder_form(request)
    if unit is None:
        return HttpResponse("Choose a unit and a period.", status=400, content_type="text/plain")
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in selectors.ladder_entries(unit, start, end):
        row = [
            entry.occurred_on.isoformat(),
            entry.unit.name,
            entry.get_area_display(),
            selectors.work_label(entry),
            entry.get_level_display(),
            str(entry.partner) if entry.partner_id else entry.group_name,
            "" if entry.partner_id else (entry.group_size or ""),
            entry.contribution,
            "yes" if entry.shaped_decision else "no",
            entry.difference,
            "" if entry.hours is None else str(entry.hours),
        ]
        writer.writerow([spreadsheet_safe(value) for value in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="involvement-{unit.code or unit.pk}-{start}-{end}.csv"'
    )
    return response


urlpatterns = [
    path("involvement/ladder/", ladder, name="involvement-ladder"),
    path("involvement/ladder.csv", ladder_csv, name="involvement-ladder-csv"),
    path("involvement/<int:pk>/", involvement_detail, name="involvement-detail"),
    path("involvement/<int:pk>/decide/", involvement_decide, name="involvement-decide"),
    path("involvement/log/<str:model>/<int:pk>/", involvement_log, name="involvement-log"),
]
