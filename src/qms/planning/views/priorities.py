"""Pages of quality planning: priorities. A unit's ranked list with its impact-against-effort
chart, proposing a priority (pre-filled from a gap, a factor theme, a need or an aim), the
priority page, changing and scoring it, deciding it, the unit's weights. Thin: the record through
`qms.people.access`, a form, a service, a page."""

import contextlib

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_POST

from qms.control import selectors as control_selectors
from qms.improvement import selectors as improvement_selectors
from qms.improvement import services as improvement_services
from qms.people import access
from qms.people.models import Unit
from qms.people.roles import Role
from qms.planning import methods, roles, scoring, selectors, services
from qms.planning.forms_priorities import (
    DecisionForm,
    MeasureChoiceForm,
    MethodForm,
    PriorityFilterForm,
    PriorityForm,
    ProjectFromPriorityForm,
    ScoreForm,
    WeightsForm,
)
from qms.planning.models import Aim, FactorDomain, Priority, PriorityOrigin, PriorityStatus
from qms.web.forms import apply_service
from qms.web.screening import check_text_page, first_error


def _priorities():
    return Priority.objects.select_related(
        "unit", "owner", "created_by", "decided_by", "aim", "project", "measure", "source_type"
    )


def _priority_or_404(request, priority_id) -> Priority:
    return access.object_or_404(
        request.user, _priorities(), priority_id, roles.VIEWERS, granted=roles.GRANTED_VIEWERS
    )


def _scorer_or_403(request, priority_id) -> Priority:
    priority = _priority_or_404(request, priority_id)
    if not services.may_score(request.user, priority):
        raise PermissionDenied("Only the priority's scorers and working group can do this.")
    return priority


def _decider_or_403(request, priority_id) -> Priority:
    priority = _priority_or_404(request, priority_id)
    if not services.may_decide(request.user, priority):
        raise PermissionDenied("Only the unit's leads decide priorities.")
    return priority


def _status(form) -> int:
    return 400 if form.errors else 200


# The ranked list --------------------------------------------------------------------------------


@login_required
def priority_list(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, roles.VIEWERS)
    units = selectors.priority_units(request.user, unit)
    form = PriorityFilterForm(request.GET or None, units=units)
    data = form.cleaned_data if form.is_valid() else {}
    sub_unit = data.get("unit")
    if sub_unit is not None and sub_unit not in {u.pk for u in units}:
        sub_unit = None
    filters = selectors.PriorityFilters(
        status=data.get("status") or "",
        origin=data.get("origin") or "",
        unit=sub_unit,
        sort=data.get("sort") or request.GET.get("sort", "rank")[:20] or "rank",
    )
    ranked = selectors.ranked_priorities(
        request.user, unit, filters, page=request.GET.get("page", 1)
    )
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    context = {
        "unit": unit,
        "form": form,
        "ranked": ranked,
        "filters": filters,
        "filtered": bool(filters.status or filters.origin or filters.unit),
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "columns": [(key, label) for key, label in selectors.PRIORITY_SORTS.items()],
        "chart_spec": selectors.priority_chart_spec(ranked.rows),
        "scored_count": sum(1 for row in ranked.rows if row.score.fully_scored),
        "weights": selectors.weights_for(unit),
        "can_propose": access.can(request.user, unit, roles.PROPOSERS),
        "can_weigh": access.can(request.user, unit, roles.WEIGHT_EDITORS),
    }
    return render(request, "planning/priorities_list.html", context)


# Proposing and changing -------------------------------------------------------------------------


@login_required
def priority_create(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, roles.PROPOSERS)
    prefill = selectors.priority_prefill(request.user, unit, request.GET)
    initial = {"origin": PriorityOrigin.STRATEGY}
    if prefill is not None:
        initial |= {"title": prefill.title, "problem": prefill.problem}
    with_aim = prefill is None or prefill.aim is None
    form = PriorityForm(
        request.POST or None,
        initial=initial,
        fixed_origin=prefill is not None,
        aims=selectors.aims_of(request.user, unit) if with_aim else None,
        factors=_factor_choices() if prefill is None or not prefill.factors else None,
    )
    if request.method == "POST" and form.is_valid():

        def create():
            data = dict(form.cleaned_data)
            return services.priority_create(
                by=request.user,
                unit=unit,
                origin=prefill.origin if prefill is not None else data.pop("origin"),
                source=prefill.source if prefill is not None else None,
                measures=prefill.measures if prefill is not None else (),
                **({"factors": prefill.factors} if prefill is not None and prefill.factors else {}),
                **{k: v for k, v in data.items() if k != "origin"},
                **({"aim": prefill.aim} if prefill is not None and prefill.aim else {}),
            )

        priority = apply_service(form, create)
        if priority is not None:
            messages.success(request, f"Priority “{priority.title}” proposed.")
            return redirect(priority)
    context = {
        "form": form,
        "unit": unit,
        "prefill": prefill,
        "title": f"Propose a priority for {unit.name}",
        "submit": "Propose the priority",
        "back": reverse("planning:priorities", args=[unit.pk]),
        "action": request.get_full_path(),
    }
    return render(request, "planning/priorities_form.html", context, status=_status(form))


@login_required
def priority_edit(request, priority_id):
    priority = _scorer_or_403(request, priority_id)
    initial = {
        "title": priority.title,
        "problem": priority.problem,
        "origin": priority.origin,
        "owner": priority.owner.username if priority.owner else "",
        "needs_design": priority.needs_design,
        "aim": priority.aim_id,
        "factors": [factor.pk for factor in priority.factors.all()],
    }
    form = PriorityForm(
        request.POST or None,
        initial=initial,
        editing=True,
        aims=_aims_for_edit(request, priority),
        factors=_factor_choices(priority),
    )
    if request.method == "POST" and form.is_valid():

        def update():
            data = dict(form.cleaned_data)
            reason = data.pop("reason", "")
            return services.priority_update(
                by=request.user, priority=priority, reason=reason, **data
            )

        if apply_service(form, update) is not None:
            messages.success(request, "Priority saved.")
            return redirect(priority)
    context = {
        "form": form,
        "unit": priority.unit,
        "priority": priority,
        "title": f"Change “{priority.title}”",
        "submit": "Save the priority",
        "back": priority.get_absolute_url(),
        "action": request.get_full_path(),
    }
    return render(request, "planning/priorities_form.html", context, status=_status(form))


def _factor_choices(priority: Priority | None = None):
    """The framework's domains in use, and those the priority names already (kept as choices
    if retired since)."""
    domains = FactorDomain.objects.filter(is_active=True)
    if priority is not None:
        domains = domains | FactorDomain.objects.filter(priorities=priority)
    return domains.distinct().order_by("position", "pk")


def _aims_for_edit(request, priority: Priority):
    """The aims the priority may serve, for those who read the unit's aims (a partner on the
    priority does not, and leaves its aim as it is); its current aim stays a choice even if
    retired since."""
    if not access.can(request.user, priority.unit, roles.VIEWERS):
        return None
    aims = selectors.aims_of(request.user, priority.unit)
    if priority.aim_id is not None:
        aims = aims | Aim.objects.filter(pk=priority.aim_id)
    return aims


# Scoring and deciding ---------------------------------------------------------------------------


@login_required
def priority_score(request, priority_id):
    priority = _scorer_or_403(request, priority_id)
    initial = {name: getattr(priority, name) for name in scoring.CRITERIA}
    form = ScoreForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.priority_score(
                by=request.user, priority=priority, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, "Scores saved.")
            return redirect(priority.get_absolute_url() + "#scores")
    context = {
        "form": form,
        "priority": priority,
        "weights": selectors.weights_for(priority.unit),
    }
    return render(request, "planning/priorities_score.html", context, status=_status(form))


@login_required
@require_POST
def priority_decide(request, priority_id):
    priority = _decider_or_403(request, priority_id)
    form = DecisionForm(request.POST, current=priority.status)
    back = priority.get_absolute_url() + "#decision"
    if form.is_valid():
        try:
            services.priority_decide(by=request.user, priority=priority, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, f"{' '.join(error.messages).rstrip('.')}. Nothing was changed.")
        else:
            priority.refresh_from_db()
            messages.success(request, f"The priority is {priority.get_status_display().lower()}.")
        return redirect(back)
    if getattr(form, "screening_prompted", False):
        return check_text_page(request, form, back)
    messages.error(request, f"{first_error(form).rstrip('.')}. Nothing was changed.")
    return redirect(back)


# The priority page ------------------------------------------------------------------------------


@login_required
def priority_detail(request, priority_id):
    priority = _priority_or_404(request, priority_id)
    page = selectors.priority_page(request.user, priority)
    context = {
        "priority": priority,
        "page": page,
        "decision_form": DecisionForm(current=priority.status) if page.can_decide else None,
        "links": _part_links(priority, page, request.user),
    }
    return render(request, "planning/priorities_detail.html", context)


def _part_links(priority: Priority, page, user) -> dict[str, str]:
    """Links to this priority's next steps the person may take, and to the other parts' pages
    for it, for those that exist (they land at different times); designing only for those who
    may design (no link to a refusal)."""
    links = {}
    if page.can_score:
        links["method"] = reverse("planning:priority-method", args=[priority.pk])
    if page.can_decide and _convertible(priority):
        links["project"] = reverse("planning:priority-project", args=[priority.pk])
        links["measure"] = reverse("planning:priority-measure", args=[priority.pk])
    others = [("roles", "planning:priority-roles")]
    if page.can_score:
        others.append(("design", "planning:design-create"))
    for key, name in others:
        with contextlib.suppress(NoReverseMatch):
            links[key] = reverse(name, args=[priority.pk])
    if "design" in links and not services.may_design(user, priority):
        del links["design"]
    return links


# Weights ----------------------------------------------------------------------------------------


@login_required
def weights(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, roles.VIEWERS)
    can_edit = access.can(request.user, unit, roles.WEIGHT_EDITORS)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Only quality leads set the weights.")
    current = selectors.weights_for(unit)
    form = WeightsForm(request.POST or None, initial=current.values) if can_edit else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        done = apply_service(
            form, lambda: services.weights_set(by=request.user, unit=unit, reason=reason, **data)
        )
        if done is not None:
            messages.success(request, "Weights saved: the priorities are ranked with them now.")
            return redirect("planning:priorities", unit.pk)
    context = {
        "unit": unit,
        "weights": current,
        "form": form,
        "criteria": [
            (scoring.LABELS[name], current.values[name], name in scoring.IMPACT)
            for name in scoring.CRITERIA
        ],
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "planning/priorities_weights.html", context, status=status)


def _convertible(priority: Priority) -> bool:
    return (
        priority.status == PriorityStatus.APPROVED
        and priority.project_id is None
        and priority.measure_id is None
    )


# What it becomes --------------------------------------------------------------------------------


@login_required
def priority_project(request, priority_id):
    """The charter of the project an approved priority becomes, pre-filled from it."""
    priority = _decider_or_403(request, priority_id)
    if priority.project_id is not None:
        return redirect(priority.project)
    if not _convertible(priority):
        messages.error(request, "Only an approved priority becomes a project.")
        return redirect(priority)
    initial = {
        "title": priority.title,
        "problem": priority.problem,
        "aim": priority.aim.statement if priority.aim else "",
        "method": services.chosen_method(priority),
        "lead": priority.owner.username if priority.owner else "",
    }
    form = ProjectFromPriorityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        project = apply_service(
            form,
            lambda: services.priority_to_project(
                by=request.user, priority=priority, **form.cleaned_data
            ),
        )
        if project is not None:
            messages.success(
                request, f"Project “{project.title}” started, its driver diagram from the factors."
            )
            return redirect(project)
    context = {
        "form": form,
        "priority": priority,
        "factors": list(priority.factors.all()),
        "measures": list(priority.measures.all()),
    }
    return render(request, "planning/priorities_project.html", context, status=_status(form))


@login_required
def priority_measure(request, priority_id):
    """Choose the control measure an approved priority becomes: one of its unit's, or one
    defined now in quality control (which sends the person back here)."""
    priority = _decider_or_403(request, priority_id)
    if not _convertible(priority):
        messages.error(
            request, "Only an approved priority, not yet a project or measure, becomes a measure."
        )
        return redirect(priority)
    choices = list(control_selectors.measures_in(request.user, priority.unit).order_by("-pk")[:200])
    form = MeasureChoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        measure = next((m for m in choices if m.pk == form.cleaned_data["measure"]), None)
        if measure is None:
            raise Http404("No such measure")
        done = apply_service(
            form,
            lambda: services.priority_to_measure(
                by=request.user, priority=priority, measure=measure
            ),
        )
        if done is not None:
            messages.success(request, f"The priority became the measure “{measure.name}”.")
            return redirect(priority)
    context = {
        "form": form,
        "priority": priority,
        "choices": choices,
        "can_define": access.can(request.user, priority.unit, _MEASURE_EDITORS),
    }
    return render(request, "planning/priorities_measure.html", context, status=_status(form))


# Who defines measures in quality control (its MEASURE_EDITORS), to show the link to its
# new-measure page only to those it lets in (as improvement's project page does).
_MEASURE_EDITORS = frozenset(
    {Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.ANALYST, Role.SYSTEM_ADMINISTRATOR}
)


# The method chooser -----------------------------------------------------------------------------


def _method_page(request, *, priority=None, project=None, back: str, can_set_project=False):
    form = MethodForm(request.POST or None, can_set_project=can_set_project)
    recommendation = None
    if request.method == "POST" and form.is_valid():
        recommendation = methods.recommend(form.answers())
        if request.POST.get("step") == "save":
            data = form.cleaned_data
            done = apply_service(
                form,
                lambda: services.method_choose(
                    by=request.user,
                    answers=form.answers(),
                    chosen=data.get("chosen") or None,
                    reason=data.get("reason", ""),
                    priority=priority,
                    project=project,
                    set_project_method=bool(data.get("set_project_method")),
                ),
            )
            if done is not None:
                messages.success(request, f"Method recorded: {methods.METHODS[done.chosen]}.")
                return redirect(back)
    context = {
        "form": form,
        "priority": priority,
        "project": project,
        "record": priority or project,
        "recommendation": recommendation,
        "also": [methods.METHODS[m] for m in recommendation.also_consider]
        if recommendation
        else [],
        "back": back,
        "previous": services.latest_method_choice(priority=priority, project=project),
        "method_labels": methods.METHODS,
    }
    return render(request, "planning/priorities_method.html", context, status=_status(form))


@login_required
def priority_method(request, priority_id):
    priority = _scorer_or_403(request, priority_id)
    return _method_page(request, priority=priority, back=priority.get_absolute_url() + "#next")


def _projects():
    return apps.get_model("improvement", "Project").objects.select_related("unit")


@login_required
def project_method(request, project_id):
    project = access.object_or_404(
        request.user, _projects(), project_id, roles.VIEWERS, granted=roles.GRANTED_VIEWERS
    )
    if not improvement_services.may_work_on(request.user, project):
        raise PermissionDenied("Only the project's team chooses its method.")
    return _method_page(
        request,
        project=project,
        back=project.get_absolute_url(),
        can_set_project=improvement_selectors.may_lead(request.user, project),
    )


urlpatterns = [
    path("units/<int:unit_id>/priorities/", priority_list, name="priorities"),
    path("units/<int:unit_id>/priorities/new/", priority_create, name="priority-create"),
    path("units/<int:unit_id>/priorities/weights/", weights, name="weights"),
    path("priorities/<int:priority_id>/", priority_detail, name="priority-detail"),
    path("priorities/<int:priority_id>/change/", priority_edit, name="priority-edit"),
    path("priorities/<int:priority_id>/scores/", priority_score, name="priority-score"),
    path("priorities/<int:priority_id>/decide/", priority_decide, name="priority-decide"),
    path("priorities/<int:priority_id>/method/", priority_method, name="priority-method"),
    path("priorities/<int:priority_id>/project/", priority_project, name="priority-project"),
    path("priorities/<int:priority_id>/measure/", priority_measure, name="priority-measure"),
    path("projects/<int:project_id>/method/", project_method, name="project-method"),
]
