"""Pages of surveys: a unit's surveys (with its scores over time), planning one, a survey's page
(how far it has got while open, its results once closed), answering it, closing it early,
inviting someone from elsewhere, and the results as CSV. Thin: the unit or run through
`qms.people.access`, a form, a service or selector, a page. Staff of the unit (and those
invited) read; SURVEY_RUNNERS plan, close and invite; SURVEY_RESPONDENTS answer."""

from __future__ import annotations

import csv
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from qms.culture import charts_surveys, instruments, roles
from qms.culture.forms_surveys import (
    InviteForm,
    PulseForm,
    RelationalCoordinationForm,
    SurveyForm,
)
from qms.culture.models import SurveyKind, SurveyRun
from qms.culture.selectors import surveys as selectors
from qms.culture.services import surveys as services
from qms.people import access
from qms.people.models import Unit
from qms.text.spreadsheet import spreadsheet_safe
from qms.web.forms import apply_service


def _unit(request, unit_id, needed=roles.VIEWERS) -> Unit:
    return access.object_or_404(request.user, Unit, unit_id, needed)


def _run(request, pk, needed=roles.VIEWERS) -> SurveyRun:
    return access.object_or_404(request.user, SurveyRun.objects.select_related("unit"), pk, needed)


@login_required
def unit_surveys(request, unit_id):
    """The unit's surveys and, for those closed, its relational coordination index and pulse
    score over time."""
    unit = _unit(request, unit_id)
    services.surveys_seal_closed(unit=unit)
    rc_trend = selectors.trend(unit, SurveyKind.RELATIONAL_COORDINATION)
    pulse_trend = selectors.trend(unit, SurveyKind.PULSE)
    context = {
        "unit": unit,
        "runs": list(selectors.runs_of(unit)),
        "today": timezone.localdate(),
        "rc_trend": rc_trend,
        "pulse_trend": pulse_trend,
        "rc_chart": charts_surveys.trend_spec(rc_trend, "Relational coordination index", 5),
        "pulse_chart": charts_surveys.trend_spec(pulse_trend, "Psychological safety score", 7),
        "tie_chart": charts_surveys.ties_spec(selectors.tie_trend(unit)),
        "can_run": access.can(request.user, unit, roles.SURVEY_RUNNERS),
    }
    return render(request, "culture/surveys_unit.html", context)


@login_required
def survey_new(request, unit_id):
    unit = _unit(request, unit_id, roles.SURVEY_RUNNERS)
    today = timezone.localdate()
    # Two weeks from today unless changed: long enough for night staff to answer.
    initial = {"opens_on": today, "closes_on": today + datetime.timedelta(days=13)}
    form = SurveyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        run = apply_service(
            form,
            lambda: services.survey_create(
                by=request.user,
                unit=unit,
                kind=data["kind"],
                title=data["title"],
                focal_process=data["focal_process"],
                workgroups=form.workgroup_names(),
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                minimum_group_size=data["minimum_group_size"],
            ),
        )
        if run is not None:
            messages.success(request, "The survey is planned.")
            return redirect(run)
    status = 400 if form.errors else 200
    return render(request, "culture/surveys_new.html", {"unit": unit, "form": form}, status=status)


def _detail(request, run, *, invite_form=None, status=200):
    today = timezone.localdate()
    if run.is_closed_on(today) and not run.sealed:
        # The system's work, not the reader's: the date authorises it (see survey_seal).
        run = services.survey_seal(run=run, today=today)
    can_run = access.can(request.user, run, roles.SURVEY_RUNNERS)
    results = selectors.results(run)
    context = {
        "run": run,
        "unit": run.unit,
        "today": today,
        "is_open": run.is_open_on(today),
        "is_closed": run.is_closed_on(today),
        "progress": selectors.progress(run) if not run.is_closed_on(today) else None,
        "answered": selectors.has_answered(request.user, run),
        "can_answer": access.can(request.user, run, roles.SURVEY_RESPONDENTS),
        "can_run": can_run,
        "results": results,
        "rc": results if isinstance(results, selectors.RcResults) else None,
        "pulse": results if isinstance(results, selectors.PulseResults) else None,
        "dimension_matrices": _dimension_matrices(run, results),
        "invite_form": (invite_form or InviteForm()) if can_run and not run.sealed else None,
    }
    return render(request, "culture/surveys_detail.html", context, status=status)


def _dimension_matrices(run, results) -> list[dict]:
    if not isinstance(results, selectors.RcResults):
        return []
    return [
        {
            "label": item.label,
            "question": item.question.format(process=run.focal_process),
            "rows": results.dimension_matrix(position),
        }
        for position, item in enumerate(instruments.RC_DIMENSIONS)
    ]


@login_required
def survey_detail(request, pk):
    return _detail(request, _run(request, pk))


def _questionnaire(run, data=None):
    if run.is_rc:
        return RelationalCoordinationForm(data, run=run)
    return PulseForm(data)


@login_required
def survey_answer(request, pk):
    """The questionnaire; sent, the answer is stored without the person and they go back to
    the survey's page."""
    run = _run(request, pk, roles.SURVEY_RESPONDENTS)
    today = timezone.localdate()
    refusal = None
    if not run.is_open_on(today):
        refusal = "The survey is not open for answers."
    elif selectors.has_answered(request.user, run):
        refusal = "You have already answered this survey. Thank you."
    if refusal:
        messages.error(request, refusal)
        return redirect(run)
    form = _questionnaire(run, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: (
                services.survey_answer(
                    by=request.user,
                    run=run,
                    workgroup=form.chosen_workgroup() if run.is_rc else None,
                    scores=form.scores(),
                )
                or True
            ),
        )
        if done:
            messages.success(request, "Thank you: your answers are in, with no name on them.")
            return redirect(run)
    status = 400 if form.errors else 200
    return render(
        request,
        "culture/surveys_answer.html",
        {"run": run, "unit": run.unit, "form": form, "pulse_items": instruments.PULSE_ITEMS},
        status=status,
    )


@login_required
@require_POST
def survey_close(request, pk):
    run = _run(request, pk, roles.SURVEY_RUNNERS)
    try:
        services.survey_close(by=request.user, run=run)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, "The survey is closed; its results are below.")
    return redirect(run)


@login_required
@require_POST
def survey_invite(request, pk):
    run = _run(request, pk, roles.SURVEY_RUNNERS)
    form = InviteForm(request.POST)
    if form.is_valid():
        person = form.cleaned_data["person"]
        grant = apply_service(
            form, lambda: services.survey_invite(by=request.user, run=run, person=person)
        )
        if grant is not None:
            messages.success(request, f"{person} is invited to answer.")
            return redirect(run)
    return _detail(request, run, invite_form=form, status=400)


def _csv_rows(run, results):
    yield ["survey", run.title]
    yield ["unit", run.unit.name]
    yield ["closed after", run.closes_on.isoformat()]
    yield ["minimum group size", run.minimum_group_size]
    if isinstance(results, selectors.PulseResults):
        yield []
        yield ["item", "mean as answered (1-7)", "reverse scored"]
        if results.score is None:
            yield [f"fewer than {results.minimum} respondents: nothing shown"]
            return
        for item in results.items:
            yield [item.item.question, round(item.mean, 2), "yes" if item.item.reverse else "no"]
        yield ["psychological safety score", round(results.score, 2)]
        yield ["respondents", results.n]
        return
    yield []
    yield ["respondent workgroup", "rated workgroup", "respondents", "index"] + [
        d.label for d in instruments.RC_DIMENSIONS
    ]
    for row in results.rows:
        for column, cell in zip(results.workgroups, row.cells, strict=True):
            if cell.mean is None:
                yield [row.workgroup, column, f"fewer than {results.minimum}", "", *[""] * 7]
            else:
                yield [
                    row.workgroup,
                    column,
                    cell.n,
                    round(cell.mean, 2),
                    *[round(d, 2) for d in cell.dimensions],
                ]
    yield []
    yield ["relational coordination index (shown cells)", _rounded(results.index)]


def _rounded(value):
    return "" if value is None else round(value, 2)


@login_required
def survey_export(request, pk):
    """The results as CSV: aggregates only, with the same suppression as the page."""
    run = _run(request, pk)
    if run.is_closed_on(timezone.localdate()) and not run.sealed:
        run = services.survey_seal(run=run)
    results = selectors.results(run)
    if results is None:
        messages.error(request, "Results are ready when the survey has closed.")
        return redirect(run)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{run.pk}-results.csv"'
    writer = csv.writer(response)
    for row in _csv_rows(run, results):
        writer.writerow([spreadsheet_safe(value) for value in row])
    return response


urlpatterns = [
    path("units/<int:unit_id>/surveys/", unit_surveys, name="surveys-unit"),
    path("units/<int:unit_id>/surveys/new/", survey_new, name="survey-new"),
    path("surveys/<int:pk>/", survey_detail, name="survey-detail"),
    path("surveys/<int:pk>/answer/", survey_answer, name="survey-answer"),
    path("surveys/<int:pk>/close/", survey_close, name="survey-close"),
    path("surveys/<int:pk>/invite/", survey_invite, name="survey-invite"),
    path("surveys/<int:pk>/results.csv", survey_export, name="survey-export"),
]
