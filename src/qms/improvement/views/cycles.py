"""Pages of quality improvement: PDSA cycles. A change idea's ramp, a cycle's page, and a form
for each stage (plan, do, study, act). Thin: the record through `qms.people.access`, a form, a
service, a page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from qms.improvement import roles, selectors, services
from qms.improvement.forms_cycles import ActForm, DoForm, PlanForm, RemoveForm, StudyForm
from qms.improvement.models import CycleStage, DriverNode, NodeKind, PdsaCycle, Prediction
from qms.people import access
from qms.web.forms import apply_service

# A new cycle's dates, until the team says otherwise: two weeks from today.
DEFAULT_DAYS = 14


def _change_ideas():
    return DriverNode.objects.filter(kind=NodeKind.CHANGE_IDEA).select_related("project__unit")


def _cycles():
    return PdsaCycle.objects.select_related(
        "project__unit", "project__lead", "change_idea", "owner", "previous", "created_by"
    ).prefetch_related(Prefetch("predictions", queryset=Prediction.objects.order_by("position")))


def _read(request, source, pk):
    return access.object_or_404(
        request.user, source, pk, roles.VIEWERS, granted=roles.GRANTED_VIEWERS
    )


def _work(request, source, pk):
    return access.object_or_404(request.user, source, pk, roles.TEAM, granted=roles.TEAM_GRANTED)


def _apply(form, act, rename=None):
    """Call the service (qms.web.forms.apply_service); the page then reads the record again:
    the service's transaction was rolled back, and the page must show the record as it is."""
    return apply_service(form, act, rename=rename)


def _read_again(cycle: PdsaCycle) -> None:
    cycle.refresh_from_db()
    if hasattr(cycle, "_prefetched_objects_cache"):
        cycle._prefetched_objects_cache.clear()


def _moving_on(request) -> bool:
    """Which of the form's two buttons was pressed: save and move on, or save as a draft."""
    return "move_on" in request.POST


def _stage_page(request, cycle, form, *, stage: str, submit: str, move_on: tuple, extra=None):
    """A stage's form. `move_on`: the label of the button that moves the cycle on, and the
    stages the cycle may be at for it to show."""
    if form.is_bound and form.errors:
        _read_again(cycle)
    label, stages = move_on
    context = {
        "cycle": cycle,
        "page": selectors.cycle_page(request.user, cycle),
        "form": form,
        "stage": stage,
        "submit": submit,
        "move_on": label if cycle.stage in stages else "",
        **(extra or {}),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "improvement/cycle_form.html", context, status=status)


@login_required
def ramp(request, node_id):
    """A change idea's cycles, in order."""
    change_idea = _read(request, _change_ideas(), node_id)
    page = selectors.ramp_page(request.user, change_idea)
    return render(request, "improvement/cycle_ramp.html", {"page": page})


@login_required
def cycle_create(request, node_id):
    change_idea = _work(request, _change_ideas(), node_id)
    project = change_idea.project
    today = timezone.localdate()
    initial = {
        "starts_on": today,
        "ends_on": today + dt.timedelta(days=DEFAULT_DAYS),
        "owner": request.user.pk,
    }
    form = PlanForm(request.POST or None, initial=initial, owners=selectors.team_people(project))
    if request.method == "POST" and form.is_valid():
        cycle = _apply(
            form,
            lambda: services.cycle_create(
                by=request.user,
                change_idea=change_idea,
                project=project,
                predictions=[(q, p) for _, q, p in form.prediction_entries()],
                **form.plan_fields(),
            ),
        )
        if cycle is not None:
            messages.success(request, f"{cycle} planned.")
            return redirect(cycle)
    context = {
        "form": form,
        "change_idea": change_idea,
        "project": project,
        "project_link": project.get_absolute_url(),
        "ramp_link": reverse("improvement:ramp", args=[change_idea.pk]),
        "next_number": change_idea.cycles.count() + 1,
    }
    status = 400 if form.errors else 200
    return render(request, "improvement/cycle_plan.html", context, status=status)


@login_required
def cycle_detail(request, pk):
    cycle = _read(request, _cycles(), pk)
    page = selectors.cycle_page(request.user, cycle)
    return render(request, "improvement/cycle_detail.html", {"page": page, "cycle": cycle})


@login_required
def cycle_plan(request, pk):
    """Change the plan; a cycle still at plan may be moved on to Do (the test starts)."""
    cycle = _work(request, _cycles(), pk)
    predictions = list(cycle.predictions.all())
    initial = {name: getattr(cycle, name) for name in services.PLAN_FIELDS if name != "owner"}
    initial["owner"] = cycle.owner_id
    form = PlanForm(
        request.POST or None,
        initial=initial,
        owners=selectors.team_people(cycle.project),
        predictions=predictions,
    )
    if request.method == "POST" and form.is_valid():
        done = _apply(
            form,
            lambda: services.cycle_plan_update(
                by=request.user,
                cycle=cycle,
                predictions=form.prediction_entries(),
                draft=not _moving_on(request),
                **form.plan_fields(),
            ),
        )
        if done is not None:
            moved = cycle.stage == CycleStage.DO and _moving_on(request)
            messages.success(
                request, "Plan saved: the test is under way." if moved else "Plan saved."
            )
            return redirect(cycle)
    if form.errors:
        _read_again(cycle)
    context = {
        "form": form,
        "cycle": cycle,
        "change_idea": cycle.change_idea,
        "project": cycle.project,
        "project_link": cycle.project.get_absolute_url(),
        "ramp_link": reverse("improvement:ramp", args=[cycle.change_idea_id]),
    }
    status = 400 if form.errors else 200
    return render(request, "improvement/cycle_plan.html", context, status=status)


@login_required
def cycle_do(request, pk):
    cycle = _work(request, _cycles(), pk)
    form = DoForm(
        request.POST or None,
        initial={"what_happened": cycle.what_happened, "observations": cycle.observations},
    )
    if request.method == "POST" and form.is_valid():
        done = _apply(
            form,
            lambda: services.cycle_do(
                by=request.user, cycle=cycle, draft=not _moving_on(request), **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, "Do saved." if not _moving_on(request) else "Do recorded.")
            return redirect(cycle)
    return _stage_page(
        request,
        cycle,
        form,
        stage="Do",
        submit="Save as a draft",
        move_on=("Save and move on to Study", ("plan", "do")),
    )


@login_required
def cycle_study(request, pk):
    """Results against each prediction, with the charts of the cycle's measures beside them."""
    cycle = _work(request, _cycles(), pk)
    predictions = list(cycle.predictions.all())
    form = StudyForm(
        request.POST or None,
        initial={"study_summary": cycle.study_summary},
        predictions=predictions,
    )
    if request.method == "POST" and form.is_valid():
        done = _apply(
            form,
            lambda: services.cycle_study(
                by=request.user,
                cycle=cycle,
                study_summary=form.cleaned_data["study_summary"],
                results=form.results(),
                draft=not _moving_on(request),
            ),
        )
        if done is not None:
            messages.success(
                request, "Study saved." if not _moving_on(request) else "Study recorded."
            )
            return redirect(cycle)
    charts = selectors.study_charts(cycle, request.user)
    return _stage_page(
        request,
        cycle,
        form,
        stage="Study",
        submit="Save as a draft",
        move_on=("Save and move on to Act", ("do", "study")),
        extra={"charts": charts},
    )


@login_required
def cycle_act(request, pk):
    cycle = _work(request, _cycles(), pk)
    form = ActForm(
        request.POST or None,
        initial={"decision": cycle.decision, "act_notes": cycle.act_notes},
    )
    if request.method == "POST" and form.is_valid():
        next_cycle = form.next_cycle() if _moving_on(request) else None
        if next_cycle is not None:
            next_cycle["owner"] = cycle.owner
        done = _apply(
            form,
            lambda: services.cycle_act(
                by=request.user,
                cycle=cycle,
                decision=form.cleaned_data["decision"],
                act_notes=form.cleaned_data["act_notes"],
                next_cycle=next_cycle,
                draft=not _moving_on(request),
            ),
            rename={
                "title": "next_title",
                "objective": "next_objective",
                "starts_on": "next_starts_on",
                "ends_on": "next_ends_on",
            },
        )
        if done is not None:
            following = cycle.next_cycles.order_by("-number").first() if next_cycle else None
            if following is not None:
                messages.success(request, f"{cycle} done; {following} planned.")
                return redirect(following)
            messages.success(request, "Act saved." if not _moving_on(request) else f"{cycle} done.")
            return redirect(cycle)
    return _stage_page(
        request,
        cycle,
        form,
        stage="Act",
        submit="Save as a draft",
        move_on=("Save: the cycle is done", ("study", "act")),
    )


@login_required
def cycle_remove(request, pk):
    cycle = _work(request, _cycles(), pk)
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ramp_link = reverse("improvement:ramp", args=[cycle.change_idea_id])
        title = str(cycle)
        done = _apply(
            form,
            lambda: (
                services.cycle_remove(
                    by=request.user, cycle=cycle, reason=form.cleaned_data["reason"]
                )
                or True
            ),
        )
        if done:
            messages.success(request, f"{title} removed.")
            return redirect(ramp_link)
    status = 400 if form.errors else 200
    return render(
        request, "improvement/cycle_remove.html", {"form": form, "cycle": cycle}, status=status
    )


urlpatterns = [
    path("change-ideas/<int:node_id>/cycles/", ramp, name="ramp"),
    path("change-ideas/<int:node_id>/cycles/new/", cycle_create, name="cycle-create"),
    path("cycles/<int:pk>/", cycle_detail, name="cycle-detail"),
    path("cycles/<int:pk>/plan/", cycle_plan, name="cycle-plan"),
    path("cycles/<int:pk>/do/", cycle_do, name="cycle-do"),
    path("cycles/<int:pk>/study/", cycle_study, name="cycle-study"),
    path("cycles/<int:pk>/act/", cycle_act, name="cycle-act"),
    path("cycles/<int:pk>/remove/", cycle_remove, name="cycle-remove"),
]
