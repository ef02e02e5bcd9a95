"""Pages of quality planning: design. Thin: the record through `qms.people.access`, a form, a
service, a page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_POST

from qms.people import access
from qms.people.models import Unit
from qms.planning import roles, selectors, services
from qms.planning.forms_design import DesignForm, PackageFromDesignForm, StepForm
from qms.planning.models import Design, DesignStep, Priority, ProcessState
from qms.web.forms import apply_service

_SCREENING = "identifiers_checked"


def _data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != _SCREENING}


def url_or_blank(name: str, *args) -> str:
    """The page's address, or "" while the part that owns it has not landed (a link left out
    rather than a broken page)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _form_page(request, form, *, title, submit, back, lede="", **extra):
    context = {
        "form": form,
        "title": title,
        "lede": lede,
        "submit": submit,
        "back": back,
        "action": request.get_full_path(),
        **extra,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "planning/design_form.html", context, status=status)


def _priority(request, priority_id) -> Priority:
    return access.object_or_404(
        request.user,
        Priority.objects.select_related("unit", "project"),
        priority_id,
        roles.VIEWERS,
        granted=roles.GRANTED_VIEWERS,
    )


def _design(request, pk, *, edit: bool = False) -> Design:
    design = access.object_or_404(
        request.user,
        Design.objects.select_related("priority__unit", "priority__project", "package"),
        pk,
        roles.VIEWERS,
        granted=roles.GRANTED_VIEWERS,
    )
    if edit and not services.may_design(request.user, design.priority):
        raise PermissionDenied("Your role here does not allow you to change this design.")
    return design


def _step(request, step_id) -> DesignStep:
    step = access.object_or_404(
        request.user,
        DesignStep.objects.select_related("design__priority__unit", "design__priority__project"),
        step_id,
        roles.VIEWERS,
        granted=roles.GRANTED_VIEWERS,
    )
    if not services.may_design(request.user, step.design.priority):
        raise PermissionDenied("Your role here does not allow you to change this design.")
    return step


def _back(design: Design, state: str = "") -> str:
    return design.get_absolute_url() + (f"#{state}" if state else "")


@login_required
def design_list(request, unit_id):
    """The designs of a unit and the units below it."""
    unit = access.object_or_404(request.user, Unit, unit_id, roles.VIEWERS)
    page = selectors.designs_of(request.user, unit, page=request.GET.get("page", 1))
    return render(
        request,
        "planning/design_list.html",
        {
            "unit": unit,
            "page": page,
            "priorities_url": url_or_blank("planning:priorities", unit.pk),
        },
    )


@login_required
def design_create(request, priority_id):
    priority = _priority(request, priority_id)
    if not services.may_design(request.user, priority):
        raise PermissionDenied("Your role here does not allow you to design for this priority.")
    form = DesignForm(request.POST or None, initial={"title": priority.title})
    if request.method == "POST" and form.is_valid():
        design = apply_service(
            form,
            lambda: services.design_create(by=request.user, priority=priority, **_data(form)),
        )
        if design is not None:
            messages.success(request, f"Design “{design.title}” started.")
            return redirect(design)
    back = url_or_blank("planning:priority-detail", priority.pk) or reverse(
        "planning:designs", args=[priority.unit_id]
    )
    return _form_page(
        request,
        form,
        title=f"New design for “{priority.title}”",
        lede="A new system, model of care or process: describe it here, then add its current "
        "and future process step by step.",
        submit="Start the design",
        back=back,
    )


@login_required
def design_detail(request, pk):
    design = _design(request, pk)
    page = selectors.design_page(design)
    priority = design.priority
    return render(
        request,
        "planning/design_detail.html",
        {
            "design": design,
            "page": page,
            "can_edit": services.may_design(request.user, priority),
            "priority_url": url_or_blank("planning:priority-detail", priority.pk),
            "priorities_url": url_or_blank("planning:priorities", priority.unit_id),
            "can_see_unit": access.can(request.user, priority.unit, roles.VIEWERS),
        },
    )


@login_required
def design_edit(request, pk):
    design = _design(request, pk, edit=True)
    initial = {name: getattr(design, name) for name in services.DESIGN_FIELDS}
    form = DesignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form, lambda: services.design_update(by=request.user, design=design, **_data(form))
        )
        if done is not None:
            messages.success(request, "Design saved.")
            return redirect(done)
    return _form_page(
        request, form, title=f"Change “{design.title}”", submit="Save", back=_back(design)
    )


@login_required
def step_add(request, pk, state):
    if state not in ProcessState.values:
        raise Http404("Not found")
    design = _design(request, pk, edit=True)
    form = StepForm(request.POST or None)
    label = ProcessState(state).label.lower()
    if request.method == "POST" and form.is_valid():
        step = apply_service(
            form,
            lambda: services.design_step_add(
                by=request.user, design=design, state=state, **_data(form)
            ),
        )
        if step is not None:
            messages.success(request, f"Step “{step.name}” added to the {label}.")
            if "another" in request.POST:
                return redirect(request.get_full_path())
            return redirect(_back(design, state))
    return _form_page(
        request,
        form,
        title=f"Add a step to the {label}",
        lede=f"Of the design “{design.title}”. The step goes at the end; move it afterwards.",
        submit="Add the step",
        back=_back(design, state),
        another=True,
        design=design,
    )


@login_required
def step_edit(request, step_id):
    step = _step(request, step_id)
    initial = {name: getattr(step, name) for name in services.STEP_FIELDS}
    form = StepForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form, lambda: services.design_step_update(by=request.user, step=step, **_data(form))
        )
        if done is not None:
            messages.success(request, f"Step “{done.name}” saved.")
            return redirect(_back(step.design, step.state))
    return _form_page(
        request,
        form,
        title=f"Change the step “{step.name}”",
        lede=f"Step {step.position} of the {step.get_state_display().lower()}.",
        submit="Save",
        back=_back(step.design, step.state),
        design=step.design,
    )


@login_required
@require_POST
def step_move(request, step_id):
    step = _step(request, step_id)
    direction = request.POST.get("direction", "")
    try:
        services.design_step_move(by=request.user, step=step, direction=direction)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Step “{step.name}” is now step {step.position}.")
    return redirect(_back(step.design, step.state))


@login_required
def step_remove(request, step_id):
    step = _step(request, step_id)
    if request.method == "POST":
        services.design_step_remove(by=request.user, step=step)
        messages.success(request, f"Step “{step.name}” removed.")
        return redirect(_back(step.design, step.state))
    return render(request, "planning/design_step_remove.html", {"step": step})


@login_required
def design_package(request, pk):
    """Turn the design into a draft change package of the priority's project."""
    design = _design(request, pk, edit=True)
    if design.package_id:
        return redirect(design.package)
    project = design.priority.project
    initial = {"title": design.title, "summary": services.design_package_summary(design)}
    form = PackageFromDesignForm(request.POST or None, initial=initial)
    if request.method == "POST" and project is not None and form.is_valid():
        package = apply_service(
            form,
            lambda: services.design_to_package(by=request.user, design=design, **_data(form)),
        )
        if package is not None:
            messages.success(request, f"Change package “{package.title}” saved as a draft.")
            return redirect(package)
    return _form_page(
        request,
        form,
        title=f"Change package from “{design.title}”",
        lede="A draft change package of the priority's project: the future process becomes "
        "its how-to and the design's evidence its evidence, for the team to test.",
        submit="Make the change package",
        back=_back(design, "package"),
        no_project=project is None,
        priority_url=url_or_blank("planning:priority-detail", design.priority_id),
    )


urlpatterns = [
    path("units/<int:unit_id>/designs/", design_list, name="designs"),
    path("priorities/<int:priority_id>/designs/new/", design_create, name="design-create"),
    path("designs/<int:pk>/", design_detail, name="design-detail"),
    path("designs/<int:pk>/edit/", design_edit, name="design-edit"),
    path("designs/<int:pk>/package/", design_package, name="design-package"),
    path("designs/<int:pk>/<str:state>/steps/new/", step_add, name="design-step-add"),
    path("design-steps/<int:step_id>/edit/", step_edit, name="design-step-edit"),
    path("design-steps/<int:step_id>/move/", step_move, name="design-step-move"),
    path("design-steps/<int:step_id>/remove/", step_remove, name="design-step-remove"),
]
