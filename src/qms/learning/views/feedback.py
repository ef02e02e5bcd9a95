"""Pages of feedback: a unit's feedback (counts, top themes, p charts of the negative share and
of each theme), the list of comments, one comment with its correction form, the import, and
tracking a share as a measure. Thin: the unit or comment through `qms.people.access`, a form, a
service or selector, a page. The unit's staff read (roles.VIEWERS: partners do not, comments are
staff information); feedback editors import and correct; quality leads track."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qms.learning import api, roles
from qms.learning.forms_feedback import CorrectionForm, FilterForm, ImportForm, TrackForm
from qms.learning.models import Feedback
from qms.learning.selectors import feedback as selectors
from qms.learning.services import feedback as services
from qms.people import access
from qms.people.models import Unit
from qms.text.feedback import THEMES
from qms.web.forms import apply_service

COMMENTS_PER_PAGE = 50
# Theme charts on the unit's charts page, most frequent first; the rest one click away.
THEME_CHARTS = 6
# Labels that say what a comment is not about: charted only when asked for.
NOT_CHARTED = ("Not assigned", "Labelling not possible")


def _unit(request, unit_id, needed=roles.VIEWERS) -> Unit:
    return access.object_or_404(request.user, Unit, unit_id, needed)


@login_required
def unit_feedback(request, unit_id):
    """What the unit's patients and staff say: counts, negative share, top themes, the last
    imports, and the ways to the list, the charts and the import."""
    unit = _unit(request, unit_id)
    today = timezone.localdate()
    context = {
        "unit": unit,
        "all_time": selectors.summary(unit),
        "panel": selectors.panel(unit, today=today),
        "imports": selectors.imports_of(unit),
        "tracked": selectors.tracked(unit),
        "can_import": access.can(request.user, unit, roles.FEEDBACK_EDITORS),
        "can_track": access.can(request.user, unit, roles.FEEDBACK_TRACKERS),
        "track_form": TrackForm(),
    }
    return render(request, "learning/feedback_unit.html", context)


@login_required
def feedback_list(request, unit_id):
    """The unit's comments, newest first, filtered by month, theme, sentiment, service, source
    and words; paginated."""
    unit = _unit(request, unit_id)
    form = FilterForm(request.GET or None, services=selectors.services_of(unit))
    filters = selectors.FeedbackFilters()
    if form.is_bound:
        form.is_valid()  # a filter that does not parse is shown with its error and ignored
        data = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v}
        filters = selectors.FeedbackFilters(**data)
    page = Paginator(selectors.feedback_list(unit, filters), COMMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "unit": unit,
        "form": form,
        "filters": filters,
        "page": page,
        "query": filters.query(),
    }
    return render(request, "learning/feedback_list.html", context, status=200)


@login_required
def feedback_charts(request, unit_id):
    """Monthly p charts of the share of negative comments and of the most frequent themes (or
    the theme asked for), each with its table; a point or a month opens its comments."""
    unit = _unit(request, unit_id)
    top = [
        label
        for label, _ in selectors.summary(unit, themes=THEME_CHARTS + len(NOT_CHARTED)).themes
        if label not in NOT_CHARTED
    ][:THEME_CHARTS]
    asked = request.GET.get("theme", "")
    themes = [asked] if asked in THEMES else top
    context = {
        "unit": unit,
        "charts": selectors.share_charts(unit, themes),
        "asked": asked if asked in THEMES else "",
        "theme_choices": THEMES,
        "tracked": selectors.tracked(unit),
        "can_track": access.can(request.user, unit, roles.FEEDBACK_TRACKERS),
    }
    return render(request, "learning/feedback_charts.html", context)


@login_required
def feedback_import(request, unit_id):
    unit = _unit(request, unit_id, roles.FEEDBACK_EDITORS)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.feedback_import_file(
                by=request.user,
                unit=unit,
                file=form.cleaned_data["file"],
                skip_repeats=form.cleaned_data["skip_repeats"],
            )
        except services.FeedbackRefused as refused:
            problems = refused.problems
        else:
            return render(
                request, "learning/feedback_imported.html", {"unit": unit, "result": result}
            )
    status = 400 if (form.errors or problems) else 200
    context = {
        "unit": unit,
        "form": form,
        "problems": problems[:500],
        "more_problems": max(0, len(problems) - 500),
        "columns": services.COLUMNS,
        "max_comments": services.MAX_COMMENTS,
        "max_length": services.TEXT_MAX_LENGTH,
    }
    return render(request, "learning/feedback_import.html", context, status=status)


def _comment(request, pk, needed=roles.VIEWERS) -> Feedback:
    return access.object_or_404(
        request.user,
        Feedback.objects.select_related("unit", "batch", "corrected_by"),
        pk,
        needed,
    )


def _detail(request, feedback, form=None, status=200):
    can_correct = access.can(request.user, feedback, roles.FEEDBACK_EDITORS)
    themes = sorted(feedback.themes.values_list("label", flat=True))
    if can_correct and form is None:
        form = CorrectionForm(initial={"themes": themes, "sentiment": feedback.sentiment})
    context = {
        "feedback": feedback,
        "unit": feedback.unit,
        "themes": themes,
        "changed_themes": sorted(set(themes) ^ set(feedback.model_themes)),
        "history": feedback.history.select_related("history_user").order_by("-history_date")[:20],
        "form": form if can_correct else None,
    }
    return render(request, "learning/feedback_detail.html", context, status=status)


@login_required
def feedback_detail(request, pk):
    return _detail(request, _comment(request, pk))


@login_required
@require_POST
def feedback_correct(request, pk):
    feedback = _comment(request, pk, roles.FEEDBACK_EDITORS)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        done = apply_service(
            form,
            lambda: services.feedback_correct(
                by=request.user,
                feedback=feedback,
                themes=form.cleaned_data["themes"],
                sentiment=form.cleaned_data["sentiment"],
            ),
        )
        if done is not None:
            messages.success(request, "Themes and sentiment corrected; the model's are kept.")
            return redirect(done)
    return _detail(request, feedback, form, status=400)


@login_required
@require_POST
def feedback_track(request, unit_id):
    unit = _unit(request, unit_id, roles.FEEDBACK_TRACKERS)
    form = TrackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose negative comments or a theme of the framework.")
        return redirect("learning:feedback-unit", unit.pk)
    tracked = apply_service(
        form,
        lambda: services.feedback_measure_track(
            by=request.user, unit=unit, theme=form.cleaned_data["theme"]
        ),
    )
    if tracked is None:
        messages.error(request, " ".join(str(e) for e in form.non_field_errors() or ["Refused."]))
        return redirect("learning:feedback-unit", unit.pk)
    messages.success(request, f"“{tracked.measure.name}” is a measure of {unit.name} now.")
    return redirect(reverse("control:measure-detail", args=[tracked.measure_id]))


urlpatterns = [
    path("units/<int:unit_id>/feedback/", unit_feedback, name="feedback-unit"),
    path("units/<int:unit_id>/feedback/comments/", feedback_list, name="feedback-list"),
    path("units/<int:unit_id>/feedback/charts/", feedback_charts, name="feedback-charts"),
    path("units/<int:unit_id>/feedback/import/", feedback_import, name="feedback-import"),
    path("units/<int:unit_id>/feedback/track/", feedback_track, name="feedback-track"),
    path("feedback/<int:pk>/", feedback_detail, name="feedback-detail"),
    path("feedback/<int:pk>/correct/", feedback_correct, name="feedback-correct"),
    path("api/v1/feedback", api.feedback, name="api-feedback"),
]
