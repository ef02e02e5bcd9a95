"""Pages of recognition (learning from excellence). Thin: the record through
`qms.people.access` (and `selectors.recognition_for`), a form, a service, a page.

- `culture:recognition-new`: recognise a colleague or a team of a unit.
- `culture:recognition-detail`: one recognition; its leads pass the thanks on, its recipient
  chooses whether the unit sees it.
- `culture:recognition-received`: the recognition a person received.
- `culture:recognition-unit`: a unit's recognition: latest, by theme, by month.
- `culture:recognition-themes`: the Pareto of themes of excellence of a unit, beside planning's
  Pareto of contributory factors.
- `culture:recognition-theme-list`: the themes of excellence; quality leads of a board edit them.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from qms.culture import roles
from qms.culture.forms_recognition import (
    PeriodForm,
    RecognitionForm,
    ThanksForm,
    ThemeForm,
    UnitChoiceForm,
)
from qms.culture.models import ExcellenceTheme
from qms.culture.selectors import recognition as selectors
from qms.culture.services import recognition as services
from qms.people import access
from qms.people.models import Unit
from qms.web.forms import apply_service

# Recognition listed on a unit's page, a page.
PER_PAGE = 25
# The unit page's counts by month, and the Pareto's default period: the last twelve months.
MONTHS = 12


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _months_back(today: dt.date, count: int) -> dt.date:
    months = today.year * 12 + today.month - 1 - (count - 1)
    return dt.date(months // 12, months % 12 + 1, 1)


# Recognising ----------------------------------------------------------------------------------


def _recognising_unit(request, units: list[Unit]) -> Unit:
    """The unit asked for (`?unit=`), checked; else the person's current unit if they may
    recognise there, else their first."""
    asked = request.GET.get("unit")
    if asked is not None:
        return access.object_or_404(request.user, Unit, _int(asked), roles.RECOGNISERS)
    current = request.user.current_unit_id
    return next((unit for unit in units if unit.pk == current), units[0])


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def recognise(request):
    """Recognise a colleague or the team of a unit: choose where, then who, what happened, why
    it mattered and its themes."""
    units = list(access.units_with_role(request.user, roles.RECOGNISERS).order_by("path"))
    if not units:
        raise PermissionDenied("You hold no role in a unit, so there is no one to recognise yet.")
    unit = _recognising_unit(request, units)
    recipients = [p for p in selectors.recipients_for(unit) if p.pk != request.user.pk]
    options = {"unit": unit, "recipients": recipients, "themes": selectors.themes()}
    form = RecognitionForm(request.POST or None, **options)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        recognition = apply_service(
            form,
            lambda: services.recognition_report(
                by=request.user,
                unit=unit,
                recipient=data["recipient"],
                what_happened=data["what_happened"],
                why_it_mattered=data["why_it_mattered"],
                themes=data["themes"],
            ),
        )
        if recognition is not None:
            messages.success(
                request, f"Thank you: {recognition.recipient_name} and their leads are told."
            )
            return redirect(recognition)
    context = {
        "unit": unit,
        "form": form,
        "unit_form": UnitChoiceForm(initial={"unit": unit.pk}, units=units),
        "many_units": len(units) > 1,
        "may_read_themes": access.unit_paths_with_role(request.user, roles.VIEWERS) != [],
    }
    return render(
        request, "culture/recognition_new.html", context, status=400 if form.errors else 200
    )


# One recognition ------------------------------------------------------------------------------


def _may_thank(user, recognition) -> bool:
    return (
        recognition.thanked_at is None
        and user.pk != recognition.recipient_id
        and access.can(user, recognition, roles.RECOGNITION_THANKERS)
    )


@login_required
def detail(request, pk):
    recognition = selectors.recognition_for(request.user, pk)
    context = {
        "recognition": recognition,
        "themes": list(recognition.themes.order_by("position", "pk")),
        "thanks_form": ThanksForm() if _may_thank(request.user, recognition) else None,
        "may_choose_shown": request.user.pk == recognition.recipient_id,
        "may_read_unit": access.can(request.user, recognition.unit, roles.VIEWERS),
    }
    return render(request, "culture/recognition_detail.html", context)


@login_required
@require_POST
def thank(request, pk):
    recognition = selectors.recognition_for(request.user, pk)
    if not access.can(request.user, recognition, roles.RECOGNITION_THANKERS):
        raise PermissionDenied("The unit's leads pass thanks on.")
    form = ThanksForm(request.POST)
    if form.is_valid():
        done = apply_service(
            form,
            lambda: services.recognition_thank(
                by=request.user, recognition=recognition, note=form.cleaned_data["note"]
            ),
        )
        if done is not None:
            messages.success(request, "Recorded: the thanks are passed on.")
            return redirect(recognition)
    context = {
        "recognition": recognition,
        "themes": list(recognition.themes.order_by("position", "pk")),
        "thanks_form": form,
        "may_choose_shown": request.user.pk == recognition.recipient_id,
        "may_read_unit": access.can(request.user, recognition.unit, roles.VIEWERS),
    }
    return render(request, "culture/recognition_detail.html", context, status=400)


@login_required
@require_POST
def show(request, pk):
    recognition = selectors.recognition_for(request.user, pk)
    if request.user.pk != recognition.recipient_id:
        raise PermissionDenied("Only the person recognised chooses where it is shown.")
    shown = request.POST.get("shown") == "yes"
    try:
        services.recognition_show(by=request.user, recognition=recognition, shown=shown)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"It is shown on the {recognition.unit} page and huddle board."
            if shown
            else "It is kept private: you, the person who reported it and your leads see it.",
        )
    return redirect(recognition)


@login_required
def received(request):
    return render(
        request, "culture/recognition_received.html", {"received": selectors.received(request.user)}
    )


# A unit's recognition -------------------------------------------------------------------------


@login_required
def unit_recognition(request, unit_id):
    """A unit's recognition: the latest (paginated), by theme over the last twelve months, and
    by month."""
    unit = access.object_or_404(request.user, Unit, unit_id, roles.VIEWERS)
    today = timezone.localdate()
    since = _months_back(today, MONTHS)
    page = Paginator(selectors.recognitions_of(request.user, unit), PER_PAGE).get_page(
        request.GET.get("page")
    )
    counts = selectors.monthly_counts(unit, since=since, until=today)
    pareto = selectors.theme_pareto(request.user, unit, since=since, until=today)
    context = {
        "unit": unit,
        "page": page,
        "months": list(reversed(counts)),
        "total": sum(count for _, count in counts),
        "pareto": pareto,
        "since": since,
        "may_recognise": access.can(request.user, unit, roles.RECOGNISERS),
    }
    return render(request, "culture/recognition_unit.html", context)


def _period(request) -> tuple[PeriodForm, dt.date | None, dt.date | None]:
    data = request.GET
    if "since" not in data and "until" not in data:
        today = timezone.localdate()
        data = data.copy()
        data["since"] = f"{_months_back(today, MONTHS):%Y-%m}"
        data["until"] = f"{today:%Y-%m}"
    form = PeriodForm(data)
    if form.is_valid():
        return form, form.cleaned_data["since"], form.cleaned_data["until"]
    return form, None, None


def _period_words(since, until) -> str:
    if since and until:
        return f"{since:%B %Y} to {until:%B %Y}"
    if since:
        return f"since {since:%B %Y}"
    if until:
        return f"up to {until:%B %Y}"
    return "at any time"


@login_required
def themes_pareto(request, unit_id):
    """The Pareto of themes of excellence across a unit's recognition in a period, and the
    recognition behind a bar (`?theme=`)."""
    unit = access.object_or_404(request.user, Unit, unit_id, roles.VIEWERS)
    form, since, until = _period(request)
    base = reverse("culture:recognition-themes", args=[unit.pk])
    period = {
        "since": f"{since:%Y-%m}" if since else "",
        "until": f"{until:%Y-%m}" if until else "",
    }

    def link(theme_id: int) -> str:
        return f"{base}?{urlencode({**period, 'theme': theme_id})}#behind"

    pareto = selectors.theme_pareto(request.user, unit, since=since, until=until, link=link)
    chosen = _int(request.GET.get("theme"))
    behind = next((row for row in pareto.rows if row.theme_id == chosen), None)
    page = None
    if behind is not None:
        found = selectors.recognitions_with_theme(
            request.user, unit, behind.theme_id, since=since, until=until
        )
        page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "unit": unit,
        "form": form,
        "pareto": pareto,
        "rows": [(row, link(row.theme_id)) for row in pareto.rows],
        "period": _period_words(since, until),
        "behind": behind,
        "page": page,
        "page_query": urlencode({**period, "theme": chosen or ""}),
    }
    return render(request, "culture/recognition_themes.html", context)


# The themes of excellence ---------------------------------------------------------------------


def _theme(theme_id) -> ExcellenceTheme:
    try:
        return ExcellenceTheme.objects.get(pk=_int(theme_id))
    except ExcellenceTheme.DoesNotExist:
        raise Http404("Not found") from None


def _themes_page(request, *, form=None, editing=None, status=200):
    context = {
        "themes": selectors.themes(include_retired=True),
        "may_edit": services.may_edit_themes(request.user),
        "form": form or ThemeForm(),
        "editing": editing,
    }
    return render(request, "culture/recognition_theme_list.html", context, status=status)


@login_required
def theme_list(request):
    """The themes of excellence, read by staff; a board's quality leads add to them."""
    if not access.units_with_role(request.user, roles.VIEWERS).exists():
        raise PermissionDenied("The themes are shared with staff.")
    if request.method == "POST":
        if not services.may_edit_themes(request.user):
            raise PermissionDenied("Only quality leads of a board change the themes.")
        form = ThemeForm(request.POST)
        if form.is_valid():
            theme = apply_service(
                form, lambda: services.theme_create(by=request.user, **form.cleaned_data)
            )
            if theme is not None:
                messages.success(request, f"“{theme.name}” is added.")
                return redirect("culture:recognition-theme-list")
        return _themes_page(request, form=form, status=400)
    return _themes_page(request)


@login_required
def theme_edit(request, theme_id):
    """Rename or redescribe a theme."""
    if not services.may_edit_themes(request.user):
        raise PermissionDenied("Only quality leads of a board change the themes.")
    theme = _theme(theme_id)
    initial = {"name": theme.name, "description": theme.description}
    form = ThemeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form, lambda: services.theme_update(by=request.user, theme=theme, **form.cleaned_data)
        )
        if done is not None:
            messages.success(request, f"“{done.name}” is changed.")
            return redirect("culture:recognition-theme-list")
    return render(
        request,
        "culture/recognition_theme_edit.html",
        {"theme": theme, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def theme_retire(request, theme_id):
    return _theme_status(request, theme_id, services.theme_retire, "retired")


@login_required
@require_POST
def theme_restore(request, theme_id):
    return _theme_status(request, theme_id, services.theme_restore, "offered again")


def _theme_status(request, theme_id, change, done: str):
    if not services.may_edit_themes(request.user):
        raise PermissionDenied("Only quality leads of a board change the themes.")
    theme = _theme(theme_id)
    try:
        change(by=request.user, theme=theme)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{theme.name}” is {done}.")
    return redirect("culture:recognition-theme-list")


urlpatterns = [
    path("recognition/new/", recognise, name="recognition-new"),
    path("recognition/received/", received, name="recognition-received"),
    path("recognition/themes/", theme_list, name="recognition-theme-list"),
    path("recognition/themes/<int:theme_id>/", theme_edit, name="recognition-theme-edit"),
    path(
        "recognition/themes/<int:theme_id>/retire/", theme_retire, name="recognition-theme-retire"
    ),
    path(
        "recognition/themes/<int:theme_id>/restore/",
        theme_restore,
        name="recognition-theme-restore",
    ),
    path("recognition/<int:pk>/", detail, name="recognition-detail"),
    path("recognition/<int:pk>/thank/", thank, name="recognition-thank"),
    path("recognition/<int:pk>/show/", show, name="recognition-show"),
    path("units/<int:unit_id>/recognition/", unit_recognition, name="recognition-unit"),
    path("units/<int:unit_id>/recognition/themes/", themes_pareto, name="recognition-themes"),
]
