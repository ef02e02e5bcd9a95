"""Pages of quality improvement: the structures of each method. A Lean project's A3 (printable
on one landscape sheet), an experience-based co-design project's five stages, and project
milestones. Any project may use another method's structure. Thin: the project through
`qms.people.access`, a form, a service, a page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_POST

from qms.improvement import roles, selectors, services
from qms.improvement.forms_methods import (
    A3Form,
    EbcdStageForm,
    MilestoneForm,
    MilestoneRemoveForm,
)
from qms.improvement.models import A3, EbcdStageName, Method, Milestone, Project
from qms.improvement.services.projects import may_change
from qms.people import access
from qms.web.forms import apply_service
from qms.web.screening import check_text_page, first_error


def _projects():
    return Project.objects.select_related("unit", "lead")


def _milestones():
    return Milestone.objects.select_related("project__unit", "project__lead", "owner")


def _read(request, source, pk):
    return access.object_or_404(
        request.user, source, pk, roles.VIEWERS, granted=roles.GRANTED_VIEWERS
    )


def _work(request, source, pk):
    return access.object_or_404(request.user, source, pk, roles.TEAM, granted=roles.TEAM_GRANTED)


def _context(request, project, **extra) -> dict:
    try:
        project_link = project.get_absolute_url()
    except NoReverseMatch:  # the project page is another part's; until it has landed
        project_link = ""
    return {
        "project": project,
        "project_link": project_link,
        "can_work": may_change(request.user, project),
        "links": selectors.method_links(project),
        **extra,
    }


# The A3 ------------------------------------------------------------------------------------------


@login_required
def a3(request, project_id):
    """The A3 on one page, in two columns: read by everyone who sees the project, printable."""
    project = _read(request, _projects(), project_id)
    record = A3.objects.filter(project=project).first()
    context = _context(
        request,
        project,
        a3=record,
        sections=selectors.a3_sections(record),
        fits=project.method == Method.LEAN,
    )
    return render(request, "improvement/a3.html", context)


@login_required
def a3_edit(request, project_id):
    project = _work(request, _projects(), project_id)
    record = A3.objects.filter(project=project).first()
    initial = {name: getattr(record, name) for name in services.A3_FIELDS} if record else {}
    form = A3Form(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form, lambda: services.a3_update(by=request.user, project=project, **form.cleaned_data)
        )
        if done is not None:
            messages.success(request, "A3 saved.")
            return redirect("improvement:a3", project_id=project.pk)
    status = 400 if form.errors else 200
    return render(
        request, "improvement/a3_form.html", _context(request, project, form=form), status=status
    )


# Co-design stages ------------------------------------------------------------------------------


def _stage_forms(stages, bound=None):
    """One form per stage (prefixed by the stage), the posted one bound."""
    forms = []
    for stage in stages:
        if bound is not None and bound.prefix == stage.stage:
            forms.append((stage, bound))
            continue
        initial = {
            "status": stage.status,
            "started_on": stage.started_on,
            "completed_on": stage.completed_on,
            "notes": stage.notes,
        }
        forms.append((stage, EbcdStageForm(prefix=stage.stage, initial=initial)))
    return forms


def _ebcd_page(request, project, bound=None, status=200):
    stages = selectors.ebcd_stages(project)
    context = _context(
        request,
        project,
        stages=_stage_forms(stages, bound),
        fits=project.method == Method.EBCD,
        done=sum(1 for stage in stages if stage.status == "done"),
    )
    return render(request, "improvement/ebcd.html", context, status=status)


@login_required
def ebcd(request, project_id):
    """The five stages of experience-based co-design, with a form for each for the team."""
    project = _read(request, _projects(), project_id)
    return _ebcd_page(request, project)


@login_required
@require_POST
def ebcd_stage(request, project_id, stage):
    project = _work(request, _projects(), project_id)
    if stage not in EbcdStageName.values:
        raise Http404("No such co-design stage")
    form = EbcdStageForm(request.POST, prefix=stage)
    if form.is_valid():
        done = apply_service(
            form,
            lambda: services.ebcd_stage_update(
                by=request.user, project=project, stage=stage, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, f"{done.get_stage_display()}: {done.get_status_display()}.")
            return redirect(reverse("improvement:ebcd", args=[project.pk]) + f"#stage-{stage}")
    return _ebcd_page(request, project, bound=form, status=400)


# Milestones ------------------------------------------------------------------------------------


def _milestones_page(request, project, form=None, status=200):
    rows = selectors.milestone_rows(_milestones().filter(project=project).order_by("due_on", "pk"))
    can_work = may_change(request.user, project)
    if form is None and can_work:
        form = MilestoneForm(owners=selectors.team_people(project))
    context = _context(
        request,
        project,
        rows=rows,
        form=form,
        fits=project.method == Method.PROJECT_MANAGEMENT,
        overdue=sum(1 for row in rows if row.overdue),
    )
    return render(request, "improvement/milestones.html", context, status=status)


@login_required
def milestones(request, project_id):
    """The project's milestones by due date, overdue ones flagged; the team adds them here."""
    project = _read(request, _projects(), project_id)
    return _milestones_page(request, project)


@login_required
@require_POST
def milestone_add(request, project_id):
    project = _work(request, _projects(), project_id)
    form = MilestoneForm(request.POST, owners=selectors.team_people(project))
    if form.is_valid():
        done = apply_service(
            form,
            lambda: services.milestone_add(by=request.user, project=project, **form.cleaned_data),
        )
        if done is not None:
            messages.success(request, f"Milestone “{done.title}” added.")
            return redirect(done)
    return _milestones_page(request, project, form=form, status=400)


@login_required
def milestone_edit(request, pk):
    milestone = _work(request, _milestones(), pk)
    project = milestone.project
    form = MilestoneForm(
        request.POST or None,
        owners=selectors.team_people(project),
        initial={"title": milestone.title, "due_on": milestone.due_on, "owner": milestone.owner_id},
    )
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.milestone_update(
                by=request.user, milestone=milestone, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, f"Milestone “{done.title}” saved.")
            return redirect(done)
    status = 400 if form.errors else 200
    context = _context(request, project, form=form, milestone=milestone)
    return render(request, "improvement/milestone_form.html", context, status=status)


def _act_on(request, pk, act, done_message):
    milestone = _work(request, _milestones(), pk)
    try:
        act(milestone)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, done_message.format(title=milestone.title))
    return redirect(milestone)


@login_required
@require_POST
def milestone_complete(request, pk):
    return _act_on(
        request,
        pk,
        lambda m: services.milestone_complete(by=request.user, milestone=m),
        "Milestone “{title}” done.",
    )


@login_required
@require_POST
def milestone_reopen(request, pk):
    return _act_on(
        request,
        pk,
        lambda m: services.milestone_reopen(by=request.user, milestone=m),
        "Milestone “{title}” reopened.",
    )


@login_required
@require_POST
def milestone_remove(request, pk):
    milestone = _work(request, _milestones(), pk)
    back = reverse("improvement:milestones", args=[milestone.project_id])
    form = MilestoneRemoveForm(request.POST)
    if not form.is_valid():
        if form.screening_prompted:
            return check_text_page(request, form, back)
        messages.error(request, f"Nothing was removed: {first_error(form)}")
        return redirect(milestone)
    title = milestone.title
    services.milestone_remove(
        by=request.user, milestone=milestone, reason=form.cleaned_data["reason"]
    )
    messages.success(request, f"Milestone “{title}” removed. Its history keeps it.")
    return redirect(back)


urlpatterns = [
    path("projects/<int:project_id>/a3/", a3, name="a3"),
    path("projects/<int:project_id>/a3/edit/", a3_edit, name="a3-edit"),
    path("projects/<int:project_id>/co-design/", ebcd, name="ebcd"),
    path("projects/<int:project_id>/co-design/<str:stage>/", ebcd_stage, name="ebcd-stage"),
    path("projects/<int:project_id>/milestones/", milestones, name="milestones"),
    path("projects/<int:project_id>/milestones/new/", milestone_add, name="milestone-add"),
    path("milestones/<int:pk>/edit/", milestone_edit, name="milestone-edit"),
    path("milestones/<int:pk>/complete/", milestone_complete, name="milestone-complete"),
    path("milestones/<int:pk>/reopen/", milestone_reopen, name="milestone-reopen"),
    path("milestones/<int:pk>/remove/", milestone_remove, name="milestone-remove"),
]
