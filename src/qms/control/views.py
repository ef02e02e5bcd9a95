"""Measure pages, data entry and signals (escalated through qms.escalation)."""

from functools import lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from qms.comments.selectors import discussions_of
from qms.control import imports, selectors, services
from qms.control.forms import (
    AnnotationForm,
    DeleteObservationForm,
    IssueForm,
    LibraryPickForm,
    MeasureForm,
    MeasureListForm,
    NoteForm,
    ObservationForm,
    PhaseForm,
    StandardForm,
    SuggestionDecisionForm,
    measure_initial,
)
from qms.control.models import BaselineSuggestion, Measure, Observation, Signal
from qms.control.roles import (
    DATA_ENTRY,
    MEASURE_EDITORS,
    SIGNAL_HANDLERS,
    STANDARD_EDITORS,
    VIEWERS,
)
from qms.escalation import selectors as escalation_selectors
from qms.escalation import services as escalation_services
from qms.escalation.forms import EscalateForm
from qms.people import access
from qms.people import selectors as people_selectors
from qms.people.models import Person, Unit
from qms.web.screening import check_text_page, first_error


@login_required
def control_home(request):
    """The Control area opens on the measures of the unit the person works in."""
    unit = people_selectors.working_units(request.user).current
    if unit is None:
        return render(request, "control/no_units.html")
    return redirect("control:measure-list", unit_id=unit.pk)


MEASURES_PER_PAGE = 50


def _measure_or_404(request, measure_id, roles) -> Measure:
    """The measure, with what its pages show of it, if the user holds one of `roles` on it:
    404 when they hold no role in its unit (or it does not exist), 403 for a role without."""
    measures = Measure.objects.select_related("unit", "owner", "standard", "definition")
    return access.object_or_404(request.user, measures, measure_id, roles)


@login_required
def measure_list(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, VIEWERS)
    units = selectors.units_below(request.user, unit)
    form = MeasureListForm(
        request.GET, units=units, owners=selectors.measure_owners(request.user, unit)
    )
    valid = form.is_valid()
    chosen = form.cleaned_data if valid else {}
    filters = selectors.MeasureFilters(
        unit=chosen.get("unit"),
        domain=chosen.get("domain", ""),
        variation=chosen.get("variation", ""),
        assurance=chosen.get("assurance", ""),
        owner=chosen.get("owner"),
        text=chosen.get("q", ""),
        sort=chosen.get("sort") or "attention",
    )
    page = Paginator(selectors.measures_in(request.user, unit, filters), MEASURES_PER_PAGE)
    page = page.get_page(request.GET.get("page"))
    kept = request.GET.copy()  # the filters, for the page links
    kept.pop("page", None)
    context = {
        "unit": unit,
        "form": form,
        "page": page,
        "measures": page.object_list,
        "filtered": any(value for key, value in chosen.items() if key != "sort"),
        "query": kept.urlencode(),
        "can_define": access.can(request.user, unit, MEASURE_EDITORS),
        "can_manage_keys": access.can_manage_memberships(request.user, unit),
        "can_upload": imports.may_upload(request.user),
        "escalations": escalation_selectors.escalations_into(request.user, unit)[:20],
    }
    return render(request, "control/measure_list.html", context, status=200 if valid else 400)


def _owners(unit):
    """People who can own a measure of the unit: staff with a role in it or above it."""
    return (
        Person.objects.filter(is_active=True, memberships__unit_id__in=unit.ancestor_ids)
        .distinct()
        .order_by("display_name")
    )


@login_required
def measure_create(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, MEASURE_EDITORS)
    back = _next_page(request)
    # "Start from the library" fills the form in from a definition (?definition=code).
    pick = LibraryPickForm(request.GET if "definition" in request.GET else None)
    initial = measure_initial(pick.cleaned_data["definition"], unit) if pick.is_valid() else {}
    form = MeasureForm(request.POST or None, initial=initial, owners=_owners(unit), unit=unit)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        if pick.is_valid():  # started from the library: remember which definition
            fields["definition"] = pick.cleaned_data["definition"]
        try:
            measure = services.measure_create(by=request.user, unit=unit, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Measure “{measure.name}” defined. Now record its data.")
            if back:  # defined from another page (a project's measures): back there
                return redirect(back)
            return redirect("control:measure-detail", measure_id=measure.pk)
    return render(
        request,
        "control/measure_form.html",
        {"form": form, "unit": unit, "measure": None, "pick": pick, "next": back},
        status=400 if form.errors or pick.errors else 200,
    )


def _next_page(request) -> str:
    """Where to go after defining a measure when another page sent the person here
    (`?next=`, a path on this site only), or ""."""
    target = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe and target.startswith("/") and not target.startswith("//") else ""


@login_required
def measure_edit(request, measure_id):
    measure = _measure_or_404(request, measure_id, MEASURE_EDITORS)
    form = MeasureForm(
        request.POST or None, instance=measure, owners=_owners(measure.unit), unit=measure.unit
    )
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        try:
            services.measure_update(
                by=request.user, measure=measure, reason=form.cleaned_data["reason"], **fields
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Measure updated.")
            return redirect("control:measure-detail", measure_id=measure.pk)
    return render(
        request,
        "control/measure_form.html",
        {"form": form, "unit": measure.unit, "measure": measure},
        status=400 if form.errors else 200,
    )


RECENT_ROWS = 26  # half a year of weekly data, two years of monthly; the rest on request


def _measure_context(request, measure, **forms):
    show_all = request.GET.get("periods") == "all"
    page = selectors.measure_page(measure, recent=None if show_all else RECENT_ROWS)
    user = request.user
    for signal in page.signals:  # what this person may do with each signal and escalation
        signal.can_handle = access.can(user, services.signal_unit(signal), SIGNAL_HANDLERS)
        # The page's prefetched chain (no query per signal), ready for escalation/_chain.html.
        signal.chain = escalation_selectors.answerable(user, list(signal.escalations.all()))
    newest_first = page.rows[::-1]
    return {
        "page": page,
        "measure": measure,
        "rows": newest_first if show_all else newest_first[:RECENT_ROWS],
        "earlier_count": 0 if show_all else max(0, len(newest_first) - RECENT_ROWS),
        # Escaped for a <script> element by charts.spec_json.
        "chart_json": mark_safe(page.chart),  # noqa: S308
        "can_enter": access.can(user, measure.unit, DATA_ENTRY),
        "can_edit": access.can(user, measure.unit, MEASURE_EDITORS),
        "observation_form": forms.get("observation_form") or ObservationForm(measure=measure),
        "phase_form": forms.get("phase_form") or PhaseForm(measure=measure),
        "annotation_form": forms.get("annotation_form") or AnnotationForm(measure=measure),
        "note_form": NoteForm(),
        "escalate_form": EscalateForm(),
        "issue_form": IssueForm(),
        "delete_form": DeleteObservationForm(),
        # The measure's and every signal's comments and files, read at once (two queries).
        "discussions": discussions_of(user, [measure, *page.signals]),
        "compare_url": _compare_url(user, measure),
    }


def _compare_url(user, measure) -> str:
    """The funnel plot comparing units measuring the measure's library definition (learning),
    when the user may see another unit's measure of it; else ""."""
    if not selectors.has_comparable(user, measure):
        return ""
    return reverse("learning:compare", args=[measure.definition.code])


@login_required
def measure_detail(request, measure_id):
    measure = _measure_or_404(request, measure_id, VIEWERS)
    return render(request, "control/measure_detail.html", _measure_context(request, measure))


def _form_error_page(request, measure, **forms):
    context = _measure_context(request, measure, **forms)
    return render(request, "control/measure_detail.html", context, status=400)


@login_required
@require_POST
def observation_record(request, measure_id):
    measure = _measure_or_404(request, measure_id, DATA_ENTRY)
    form = ObservationForm(request.POST, measure=measure)
    if form.is_valid():
        data = form.cleaned_data
        row = services.ObservationInput(
            measure=measure,
            period=data["period"],
            value=data["value"],
            denominator=data.get("denominator"),
            note=data["note"],
        )
        try:
            summary = services.observations_save(
                by=request.user, rows=[row], replace=data["replace"], reason=data["reason"]
            )
        except services.ObservationConflict as conflict:
            form.add_error(None, conflict)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            word = "updated" if summary.updated else "saved" if summary.created else "unchanged"
            messages.success(request, f"Value for {form.data['period']} {word}.")
            return redirect("control:measure-detail", measure_id=measure.pk)
    return _form_error_page(request, measure, observation_form=form)


@login_required
@require_POST
def observation_delete(request, observation_id):
    observation = get_object_or_404(Observation, pk=observation_id)
    measure = _measure_or_404(request, observation.measure_id, DATA_ENTRY)
    observation.measure = measure
    form = DeleteObservationForm(request.POST)
    if not form.is_valid():
        if form.screening_prompted:
            return check_text_page(request, form, measure.get_absolute_url())
        messages.error(request, f"Nothing was removed: {first_error(form)}")
    else:
        services.observation_delete(
            by=request.user, observation=observation, reason=form.cleaned_data["reason"]
        )
        messages.success(request, "Value removed. It stays in the measure's history.")
    return redirect("control:measure-detail", measure_id=measure.pk)


@login_required
@require_POST
def phase_start(request, measure_id):
    measure = _measure_or_404(request, measure_id, MEASURE_EDITORS)
    form = PhaseForm(request.POST, measure=measure)
    if form.is_valid():
        try:
            services.phase_start(by=request.user, measure=measure, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "New limits start from that period.")
            return redirect("control:measure-detail", measure_id=measure.pk)
    return _form_error_page(request, measure, phase_form=form)


def _open_suggestion(request, suggestion_id) -> BaselineSuggestion:
    suggestion = get_object_or_404(BaselineSuggestion, pk=suggestion_id)
    suggestion.measure = _measure_or_404(request, suggestion.measure_id, MEASURE_EDITORS)
    return suggestion


@login_required
@require_POST
def baseline_suggestion_decide(request, suggestion_id):
    """A lead accepts suggested new limits (a new phase, with the reason) or dismisses them."""
    suggestion = _open_suggestion(request, suggestion_id)
    measure = suggestion.measure
    form = SuggestionDecisionForm(request.POST)
    if not form.is_valid():
        if form.screening_prompted:
            return check_text_page(request, form, measure.get_absolute_url())
        messages.error(request, f"Nothing was changed: {first_error(form)}")
        return redirect(suggestion.get_absolute_url())
    accept = form.cleaned_data["decision"] == "accept"
    decide = services.baseline_suggestion_accept if accept else services.baseline_suggestion_dismiss
    try:
        decide(by=request.user, suggestion=suggestion, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, f"Nothing was changed: {' '.join(error.messages)}")
    else:
        messages.success(
            request,
            "New limits start where the shift began." if accept else "The current limits are kept.",
        )
    return redirect("control:measure-detail", measure_id=measure.pk)


@login_required
@require_POST
def annotation_add(request, measure_id):
    measure = _measure_or_404(request, measure_id, DATA_ENTRY)
    form = AnnotationForm(request.POST, measure=measure)
    if form.is_valid():
        services.annotation_add(by=request.user, measure=measure, **form.cleaned_data)
        messages.success(request, "Annotation added to the chart.")
        return redirect("control:measure-detail", measure_id=measure.pk)
    return _form_error_page(request, measure, annotation_form=form)


def _signal_for(request, signal_id) -> Signal:
    signal = get_object_or_404(Signal, pk=signal_id)
    signal.measure = _measure_or_404(request, signal.measure_id, VIEWERS)
    return signal


def _signal_action(request, signal_id, form_class, act, done: str):
    signal = _signal_for(request, signal_id)
    form = form_class(request.POST)
    if not form.is_valid():
        if form.screening_prompted:
            return check_text_page(request, form, signal.measure.get_absolute_url())
        messages.error(request, f"Nothing was changed: {first_error(form)}")
    else:
        try:
            act(signal, form.cleaned_data)
        except ValidationError as error:
            messages.error(request, f"Nothing was changed: {' '.join(error.messages)}")
        else:
            messages.success(request, done)
    return redirect(signal.get_absolute_url())


@login_required
@require_POST
def signal_acknowledge(request, signal_id):
    return _signal_action(
        request,
        signal_id,
        NoteForm,
        lambda signal, data: services.signal_acknowledge(
            by=request.user, signal=signal, note=data["note"]
        ),
        "Signal acknowledged.",
    )


@login_required
@require_POST
def signal_close(request, signal_id):
    return _signal_action(
        request,
        signal_id,
        NoteForm,
        lambda signal, data: services.signal_close(
            by=request.user, signal=signal, note=data["note"]
        ),
        "Signal closed.",
    )


@login_required
@require_POST
def signal_escalate(request, signal_id):
    return _signal_action(
        request,
        signal_id,
        EscalateForm,
        lambda signal, data: escalation_services.escalate(
            by=request.user, subject=signal, reason=data["reason"]
        ),
        "Signal escalated to the unit above.",
    )


@login_required
@require_POST
def signal_issue(request, signal_id):
    return _signal_action(
        request,
        signal_id,
        IssueForm,
        lambda signal, data: services.signal_link_issue(by=request.user, signal=signal, **data),
        "Issue opened for this signal.",
    )


@login_required
def standards(request):
    """The library of agreed standards, and which measures show whether they are met."""
    library = selectors.standards_library(request.user)
    unit = people_selectors.working_units(request.user).current
    can_add = unit is not None and access.can(request.user, unit, STANDARD_EDITORS)
    return render(
        request,
        "control/standards.html",
        {"standards": library, "unit": unit, "can_add": can_add},
    )


@login_required
def standard_create(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, STANDARD_EDITORS)
    form = StandardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            standard = services.standard_create(by=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{standard.title}” is in the standards library.")
            return redirect("control:standards")
    return render(
        request,
        "control/standard_form.html",
        {"form": form, "unit": unit},
        status=400 if form.errors else 200,
    )


@lru_cache(maxsize=1)
def _vega_embed_bundle() -> bytes:
    from qms.stats.vega import vega_embed_bundle

    return vega_embed_bundle().encode()


@cache_control(max_age=86400, public=True)
def vega_embed_js(request):
    """vega-embed with Vega and Vega-Lite, from the bundle inside vl-convert (no CDN)."""
    return HttpResponse(_vega_embed_bundle(), content_type="text/javascript")
