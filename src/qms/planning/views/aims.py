"""Pages of quality planning: vision and aims. Thin: the record through `qms.people.access`, a
form, a service, a page.

Staff of a unit read the aims of the units above it (the cascade their aims serve) as well as
their own unit's and those below; only aim setters of the aim's unit change it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from qms.control import selectors as control_selectors
from qms.people import access
from qms.people.models import Unit
from qms.planning import roles, selectors, services
from qms.planning.forms_aims import (
    AimForm,
    CascadeFilterForm,
    LinkForm,
    RetireForm,
    SearchForm,
    VisionForm,
    aim_initial,
)
from qms.planning.models import Aim
from qms.web.forms import apply_service
from qms.web.screening import first_error


def _apply(form, act):
    return apply_service(form, lambda: act(form.cleaned_data))


def _aims():
    return Aim.objects.select_related("unit", "parent__unit", "created_by")


def _aim_or_404(request, aim_id) -> Aim:
    """The aim, when the person reads it: its unit's staff, and staff of the units below it;
    otherwise 404 when they hold no role in its unit (or it does not exist), 403 when they do
    (a partner of the unit)."""
    aim = _aims().filter(pk=aim_id).first()
    if aim is None:
        raise Http404("Not found")
    if not selectors.aim_readable(request.user, aim):
        access.require(request.user, aim, roles.VIEWERS)
    return aim


def _setter_or_403(request, aim_id) -> Aim:
    aim = _aim_or_404(request, aim_id)
    if not access.can(request.user, aim, roles.AIM_SETTERS):
        raise PermissionDenied("Only the unit's leaders set and change its aims.")
    return aim


def _status(form) -> int:
    return 400 if form.errors else 200


# The vision -------------------------------------------------------------------------------------


@login_required
def vision(request, unit_id):
    """The unit's quality vision and purpose, the visions above it; the form for its setters."""
    unit = access.object_or_404(request.user, Unit, unit_id, roles.VIEWERS)
    page = selectors.vision_page(unit)
    can_set = access.can(request.user, unit, roles.AIM_SETTERS)
    if request.method == "POST" and not can_set:
        raise PermissionDenied("Only the unit's leaders state its vision.")
    initial = {"vision": page.vision.vision, "purpose": page.vision.purpose} if page.vision else {}
    form = VisionForm(request.POST or None, initial=initial) if can_set else None
    if request.method == "POST" and form.is_valid():
        done = _apply(form, lambda data: services.vision_set(by=request.user, unit=unit, **data))
        if done is not None:
            messages.success(request, "Vision saved.")
            return redirect("planning:vision", unit.pk)
    context = {"unit": unit, "page": page, "form": form, "can_set": can_set}
    return render(
        request, "planning/aims_vision.html", context, status=_status(form) if form else 200
    )


# The aims page ----------------------------------------------------------------------------------


@login_required
def aims(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, roles.VIEWERS)
    units = control_selectors.units_below(request.user, unit)
    form = CascadeFilterForm(request.GET or None, units=units)
    chosen = form.cleaned_data.get("unit") if form.is_valid() else None
    sub_unit = next((u for u in units if u.pk == chosen), None)
    cascade = selectors.aim_cascade(
        request.user, unit, sub_unit=sub_unit, page=request.GET.get("page", 1)
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "unit": unit,
        "cascade": cascade,
        "form": form,
        "sub_unit": sub_unit,
        "query": query.urlencode(),
        "can_set": access.can(request.user, unit, roles.AIM_SETTERS),
    }
    return render(request, "planning/aims_list.html", context, status=_status(form))


# Setting and changing an aim --------------------------------------------------------------------


@login_required
def aim_create(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, roles.AIM_SETTERS)
    form = AimForm(request.POST or None, parents=selectors.parent_choices(request.user, unit))
    if request.method == "POST" and form.is_valid():
        aim = _apply(form, lambda data: services.aim_create(by=request.user, unit=unit, **data))
        if aim is not None:
            messages.success(request, "Aim set.")
            return redirect(aim)
    context = {
        "form": form,
        "unit": unit,
        "title": f"Set an aim for {unit.name}",
        "submit": "Set the aim",
        "back": reverse("planning:aims", args=[unit.pk]),
    }
    return render(request, "planning/aims_form.html", context, status=_status(form))


@login_required
def aim_edit(request, aim_id):
    aim = _setter_or_403(request, aim_id)
    if not aim.is_active:
        raise PermissionDenied("This aim is retired.")
    form = AimForm(
        request.POST or None,
        initial=aim_initial(aim),
        parents=selectors.parent_choices(request.user, aim.unit, aim),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        done = _apply(form, lambda data: services.aim_update(by=request.user, aim=aim, **data))
        if done is not None:
            messages.success(request, "Aim saved.")
            return redirect(aim)
    context = {
        "form": form,
        "unit": aim.unit,
        "aim": aim,
        "title": "Change the aim",
        "submit": "Save the aim",
        "back": aim.get_absolute_url(),
    }
    return render(request, "planning/aims_form.html", context, status=_status(form))


@login_required
def aim_retire(request, aim_id):
    aim = _setter_or_403(request, aim_id)
    if not aim.is_active:
        raise PermissionDenied("This aim is retired already.")
    form = RetireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _apply(form, lambda data: services.aim_retire(by=request.user, aim=aim, **data))
        if done is not None:
            messages.success(request, "Aim retired.")
            return redirect(aim)
    context = {"form": form, "aim": aim, "children": aim.children.filter(is_active=True).count()}
    return render(request, "planning/aims_retire.html", context, status=_status(form))


# The aim page -----------------------------------------------------------------------------------


@login_required
def aim_detail(request, aim_id):
    aim = _aim_or_404(request, aim_id)
    page = selectors.aim_page(aim, request.user)
    return render(request, "planning/aims_detail.html", {"aim": aim, "page": page})


# Measures and projects serving the aim -----------------------------------------------------------

_KINDS = {
    "measures": (
        "measure",
        selectors.measure_choices_for_aim,
        services.aim_link_measure,
        services.aim_unlink_measure,
    ),
    "projects": (
        "project",
        selectors.project_choices_for_aim,
        services.aim_link_project,
        services.aim_unlink_project,
    ),
}


def _links(request, aim_id, kind: str):
    """Find and link a measure (or project) of the aim's unit or below that the person sees."""
    aim = _setter_or_403(request, aim_id)
    if not aim.is_active:
        raise PermissionDenied("This aim is retired.")
    noun, choices, link, _ = _KINDS[kind]
    search = SearchForm(request.GET or None)
    text = search.cleaned_data.get("text", "") if search.is_valid() else ""
    if request.method == "POST":
        form = LinkForm(request.POST)
        if not form.is_valid():
            messages.error(request, f"{first_error(form)} Nothing was linked.")
            return redirect(request.path)
        found = choices(request.user, aim, pk=form.cleaned_data["record"])
        record = found[0] if found else None
        if record is None:  # not one the person sees, of the aim's unit or below, or linked
            raise Http404(f"No such {noun}")
        done = _apply(form, lambda data: link(by=request.user, aim=aim, **{noun: record}))
        if done is not None:
            messages.success(request, f"{record} now serves this aim.")
            return redirect(aim.get_absolute_url() + f"#{kind}")
        messages.error(request, f"{first_error(form)} Nothing was linked.")
    context = {
        "aim": aim,
        "kind": kind,
        "noun": noun,
        "search": search,
        "choices": choices(request.user, aim, text),
    }
    return render(request, "planning/aims_link.html", context)


@login_required
def aim_measures(request, aim_id):
    return _links(request, aim_id, "measures")


@login_required
def aim_projects(request, aim_id):
    return _links(request, aim_id, "projects")


def _unlink(request, aim_id, record_id, kind: str):
    aim = _setter_or_403(request, aim_id)
    noun, _, _, unlink = _KINDS[kind]
    record = getattr(aim, kind).filter(pk=record_id).first()
    if record is None:
        raise Http404(f"No such {noun} serves this aim")
    try:
        unlink(by=request.user, aim=aim, **{noun: record})
    except ValidationError as error:
        messages.error(request, f"{' '.join(error.messages).rstrip('.')}. Nothing was changed.")
    else:
        messages.success(request, f"{record} no longer serves this aim.")
    return redirect(aim.get_absolute_url() + f"#{kind}")


@login_required
@require_POST
def aim_measure_unlink(request, aim_id, measure_id):
    return _unlink(request, aim_id, measure_id, "measures")


@login_required
@require_POST
def aim_project_unlink(request, aim_id, project_id):
    return _unlink(request, aim_id, project_id, "projects")


urlpatterns = [
    path("units/<int:unit_id>/vision/", vision, name="vision"),
    path("units/<int:unit_id>/aims/", aims, name="aims"),
    path("units/<int:unit_id>/aims/new/", aim_create, name="aim-create"),
    path("aims/<int:aim_id>/", aim_detail, name="aim-detail"),
    path("aims/<int:aim_id>/edit/", aim_edit, name="aim-edit"),
    path("aims/<int:aim_id>/retire/", aim_retire, name="aim-retire"),
    path("aims/<int:aim_id>/measures/", aim_measures, name="aim-measures"),
    path(
        "aims/<int:aim_id>/measures/<int:measure_id>/unlink/",
        aim_measure_unlink,
        name="aim-measure-unlink",
    ),
    path("aims/<int:aim_id>/projects/", aim_projects, name="aim-projects"),
    path(
        "aims/<int:aim_id>/projects/<int:project_id>/unlink/",
        aim_project_unlink,
        name="aim-project-unlink",
    ),
]
