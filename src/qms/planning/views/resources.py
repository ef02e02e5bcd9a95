"""Pages of quality planning: resources and roles. Thin: the record through
`qms.people.access`, a form, a service, a page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from qms.improvement import selectors as improvement_selectors
from qms.people import access
from qms.people.models import Unit
from qms.planning import roles, selectors, services
from qms.planning.forms_resources import CapacityForm, PriorityResourcesForm, ResponsibilityForm
from qms.planning.models import Priority, Responsibility
from qms.planning.views.design import url_or_blank
from qms.web.forms import apply_service


def _unit(request, unit_id) -> Unit:
    return access.object_or_404(request.user, Unit, unit_id, roles.VIEWERS)


@login_required
def resources(request, unit_id):
    """Capacity, commitments with over-commitment, and the balance of effort of a unit and the
    units below it."""
    unit = _unit(request, unit_id)
    return render(
        request,
        "planning/resources_unit.html",
        {
            "unit": unit,
            "commitments": selectors.commitments(
                request.user,
                unit,
                priorities_page=request.GET.get("priorities_page", 1),
                projects_page=request.GET.get("projects_page", 1),
            ),
            "balance": selectors.balance(request.user, unit),
            "can_edit": access.can(request.user, unit, roles.CAPACITY_EDITORS),
        },
    )


@login_required
def capacity_edit(request, unit_id):
    unit = _unit(request, unit_id)
    access.require(request.user, unit, roles.CAPACITY_EDITORS)
    current = getattr(unit, "quality_capacity", None)
    initial = {name: getattr(current, name) for name in services.CAPACITY_FIELDS} if current else {}
    form = CapacityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form, lambda: services.capacity_set(by=request.user, unit=unit, **form.cleaned_data)
        )
        if done is not None:
            messages.success(request, f"Capacity of {unit.name} saved.")
            return redirect("planning:resources", unit.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "planning/resources_capacity.html", {"unit": unit, "form": form}, status=status
    )


# Roles of a priority or a project ---------------------------------------------------------------


def _priority(request, pk) -> Priority:
    return access.object_or_404(
        request.user,
        Priority.objects.select_related("unit", "project"),
        pk,
        roles.VIEWERS,
        granted=roles.GRANTED_VIEWERS,
    )


def _project(request, project_id):
    return access.object_or_404(
        request.user,
        improvement_selectors.projects_with_unit(),
        project_id,
        roles.VIEWERS,
        granted=roles.GRANTED_VIEWERS,
    )


def _roles_page(request, record, *, kind, form=None, resources_form=None, status=200):
    can_edit = services.may_assign_roles(request.user, record)
    people = list(selectors.people_for_roles(record)) if can_edit else []
    if can_edit and form is None:
        form = ResponsibilityForm(people=people)
    if can_edit and kind == "priority" and resources_form is None:
        resources_form = PriorityResourcesForm(
            initial={"protected_hours": record.protected_hours, "budget": record.budget}
        )
    context = {
        "record": record,
        "kind": kind,
        "responsibilities": selectors.responsibilities_of(record),
        "can_edit": can_edit,
        "form": form,
        "resources_form": resources_form,
        "priority_url": url_or_blank("planning:priority-detail", record.pk)
        if kind == "priority"
        else "",
        "project_roles_url": url_or_blank("planning:project-roles", record.project_id)
        if kind == "priority" and record.project_id
        else "",
        "can_see_unit": access.can(request.user, access.unit_of(record), roles.VIEWERS),
    }
    return render(request, "planning/resources_roles.html", context, status=status)


def _add(request, record, *, kind, key):
    if not services.may_assign_roles(request.user, record):
        raise PermissionDenied("Your role here does not allow you to set responsibilities.")
    people = list(selectors.people_for_roles(record))
    form = ResponsibilityForm(request.POST, people=people)
    if form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form,
            lambda: services.responsibility_add(
                by=request.user,
                person=data["person"],
                raci=data["raci"],
                note=data["note"],
                **{key: record},
            ),
        )
        if done is not None:
            messages.success(
                request,
                f"{done.person} is now {done.get_raci_display().lower()}; told in their inbox.",
            )
            return None
    return _roles_page(request, record, kind=kind, form=form, status=400)


@login_required
def priority_roles(request, pk):
    priority = _priority(request, pk)
    if request.method == "POST":
        failed = _add(request, priority, kind="priority", key="priority")
        return failed or redirect("planning:priority-roles", priority.pk)
    return _roles_page(request, priority, kind="priority")


@login_required
def project_roles(request, project_id):
    project = _project(request, project_id)
    if request.method == "POST":
        failed = _add(request, project, kind="project", key="project")
        return failed or redirect("planning:project-roles", project.pk)
    return _roles_page(request, project, kind="project")


@login_required
@require_POST
def priority_resources(request, pk):
    priority = _priority(request, pk)
    if not services.may_assign_roles(request.user, priority):
        raise PermissionDenied("Your role here does not allow you to set resources.")
    form = PriorityResourcesForm(request.POST)
    if form.is_valid():
        done = apply_service(
            form,
            lambda: services.priority_resources_set(
                by=request.user, priority=priority, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, "Resources saved.")
            return redirect("planning:priority-roles", priority.pk)
    return _roles_page(request, priority, kind="priority", resources_form=form, status=400)


@login_required
@require_POST
def responsibility_remove(request, pk):
    # A responsibility lives under its priority or project: the person must see that record.
    try:
        responsibility = Responsibility.objects.select_related(
            "priority__unit", "project__unit", "person"
        ).get(pk=pk)
    except (Responsibility.DoesNotExist, ValueError, OverflowError):
        raise Http404("Not found") from None
    access.require(
        request.user,
        responsibility.priority or responsibility.project,
        roles.VIEWERS,
        granted=roles.GRANTED_VIEWERS,
    )
    record = responsibility.priority or responsibility.project
    if not services.may_assign_roles(request.user, record):
        raise PermissionDenied("Your role here does not allow you to set responsibilities.")
    services.responsibility_remove(by=request.user, responsibility=responsibility)
    messages.success(
        request,
        f"{responsibility.person} is no longer {responsibility.get_raci_display().lower()}.",
    )
    if responsibility.priority_id:
        return redirect("planning:priority-roles", responsibility.priority_id)
    return redirect("planning:project-roles", responsibility.project_id)


urlpatterns = [
    path("units/<int:unit_id>/resources/", resources, name="resources"),
    path("units/<int:unit_id>/resources/capacity/", capacity_edit, name="capacity"),
    path("priorities/<int:pk>/roles/", priority_roles, name="priority-roles"),
    path("priorities/<int:pk>/resources/", priority_resources, name="priority-resources"),
    path("projects/<int:project_id>/roles/", project_roles, name="project-roles"),
    path("responsibilities/<int:pk>/remove/", responsibility_remove, name="responsibility-remove"),
]
