"""Pages of quality improvement: the progress score, change packages and their adoption.
Thin: the record through `qms.people.access`, a form, a service, a page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from qms.improvement import roles, selectors, services
from qms.improvement.forms_spread import (
    AdoptionEditForm,
    AdoptionForm,
    AdoptionMeasuresForm,
    AdoptionStatusForm,
    PackageForm,
    ProgressForm,
    WithdrawForm,
)
from qms.improvement.models import Adoption, ChangePackage, PackageStatus, Project
from qms.people import access
from qms.people.models import Unit
from qms.web.forms import apply_service


def _apply(form, act):
    """Call the service with the form's data (qms.web.forms.apply_service)."""
    return apply_service(form, lambda: act(form.cleaned_data))


def _form_page(request, form, *, title, lede="", submit, back, template="package_form", **extra):
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
    return render(request, f"improvement/{template}.html", context, status=status)


# Progress score -------------------------------------------------------------------------------


def _project(request, project_id, roles_needed, **kwargs) -> Project:
    return access.object_or_404(
        request.user, Project.objects.select_related("unit"), project_id, roles_needed, **kwargs
    )


@login_required
def progress_confirm(request, project_id):
    """Confirm or override the suggested progress score (the project page's form posts here;
    this page shows the evidence and the form again when something needs correcting)."""
    project = _project(request, project_id, roles.LEADS)
    section = selectors.progress_section(project, request.user)
    initial = {"score": section["suggestion"].score}
    form = ProgressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _apply(
            form,
            lambda data: services.progress_confirm(
                by=request.user, project=project, score=data["score"], reason=data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, f"Progress score {done.score} confirmed.")
            return redirect(done)
    return _form_page(
        request,
        form,
        title=f"Progress score of “{project.title}”",
        submit="Confirm the score",
        back=project.get_absolute_url() + "#progress",
        template="progress_form",
        project=project,
        progress=section,
    )


# Change packages ------------------------------------------------------------------------------


def _package(request, package_id) -> ChangePackage:
    """A package the user may read: published ones by staff anywhere, drafts by those who read
    its project (404 for anyone else, as for a package that does not exist)."""
    try:
        package = ChangePackage.objects.select_related("project__unit", "created_by").get(
            pk=int(package_id)
        )
    except (ChangePackage.DoesNotExist, ValueError, OverflowError):
        raise Http404("Not found") from None
    if not selectors.package_readable(request.user, package):
        raise Http404("Not found")
    return package


def _led_package(request, package_id) -> ChangePackage:
    package = _package(request, package_id)
    access.require(request.user, package.project, roles.LEADS)
    return package


@login_required
def package_list(request):
    """Published change packages, for staff anywhere in the organisation."""
    if not selectors.may_read_published(request.user):
        raise PermissionDenied("Change packages are shared with staff.")
    text = request.GET.get("q", "").strip()[:200]
    packages = selectors.packages_published(request.user, text=text)
    return render(request, "improvement/package_list.html", {"packages": packages, "text": text})


@login_required
def package_create(request, project_id):
    project = _project(request, project_id, roles.LEADS)
    offer = selectors.package_offer(project)
    initial = {
        "title": project.title,
        "change_ideas": [idea.pk for idea in offer["change_ideas"] if idea.tested],
        "measures": [measure.pk for measure in offer["measures"]],
    }
    form = PackageForm(request.POST or None, initial=initial, **offer)
    if request.method == "POST" and form.is_valid():
        package = _apply(
            form,
            lambda data: services.package_create(
                by=request.user,
                project=project,
                **{k: v for k, v in data.items() if k != "identifiers_checked"},
            ),
        )
        if package is not None:
            messages.success(request, f"Change package “{package.title}” saved as a draft.")
            return redirect(package)
    return _form_page(
        request,
        form,
        title=f"New change package from “{project.title}”",
        lede="A draft: only the project's people see it until it is published.",
        submit="Save the draft",
        back=project.get_absolute_url() + "#packages",
    )


@login_required
def package_edit(request, package_id):
    package = _led_package(request, package_id)
    if package.status == PackageStatus.WITHDRAWN:
        raise PermissionDenied("A withdrawn package is kept as it was.")
    offer = selectors.package_offer(package.project)
    initial = {
        "title": package.title,
        "summary": package.summary,
        "how_to": package.how_to,
        "evidence": package.evidence,
        "change_ideas": list(package.change_ideas.values_list("pk", flat=True)),
        "measures": list(package.measures.values_list("pk", flat=True)),
    }
    form = PackageForm(request.POST or None, initial=initial, **offer)
    if request.method == "POST" and form.is_valid():
        done = _apply(
            form,
            lambda data: services.package_update(
                by=request.user,
                package=package,
                **{k: v for k, v in data.items() if k != "identifiers_checked"},
            ),
        )
        if done is not None:
            messages.success(request, "Change package saved.")
            return redirect(package)
    return _form_page(
        request,
        form,
        title=f"Change “{package.title}”",
        submit="Save",
        back=package.get_absolute_url(),
    )


@login_required
def package_detail(request, package_id):
    package = _package(request, package_id)
    page = selectors.package_page(request.user, package)
    return render(
        request,
        "improvement/package_detail.html",
        {"package": package, "page": page, "withdraw_form": WithdrawForm()},
    )


@login_required
@require_POST
def package_publish(request, package_id):
    package = _led_package(request, package_id)
    try:
        services.package_publish(by=request.user, package=package)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Published: staff across the organisation can adopt it.")
    return redirect(package)


@login_required
def package_withdraw(request, package_id):
    package = _led_package(request, package_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _apply(
            form,
            lambda data: services.package_withdraw(
                by=request.user, package=package, reason=data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, "Withdrawn: no new unit can adopt it.")
            return redirect(package)
    return _form_page(
        request,
        form,
        title=f"Withdraw “{package.title}”",
        lede="Units that adopted it keep their adoptions; no new unit can adopt it.",
        submit="Withdraw the package",
        back=package.get_absolute_url(),
    )


# Adoptions ------------------------------------------------------------------------------------


def _adopting_unit(request, package) -> Unit | None:
    """The unit chosen to adopt in (`?unit=`): one where the user may adopt; None when there
    is a choice to make first."""
    units = selectors.adopter_units(request.user, package)
    if not units:
        raise PermissionDenied(
            "You may adopt a change package only in a unit you lead that has not adopted it."
        )
    chosen = request.POST.get("unit") or request.GET.get("unit")
    if chosen is None:
        return units[0] if len(units) == 1 else None
    for unit in units:
        if str(unit.pk) == chosen:
            return unit
    raise Http404("Not found")


@login_required
def adoption_create(request, package_id):
    package = _package(request, package_id)
    if package.status != PackageStatus.PUBLISHED:
        raise PermissionDenied("Only a published change package can be adopted.")
    unit = _adopting_unit(request, package)
    if unit is None:
        units = selectors.adopter_units(request.user, package)
        return render(
            request, "improvement/adoption_unit.html", {"package": package, "units": units}
        )
    form = AdoptionForm(
        request.POST or None,
        initial={"adopted_on": timezone.localdate()},
        people=selectors.unit_staff(unit),
        package_measures=list(package.measures.select_related("unit")),
        unit_measures=selectors.unit_measures(unit),
    )
    if request.method == "POST" and form.is_valid():
        adoption = _apply(
            form,
            lambda data: services.adoption_create(
                by=request.user,
                package=package,
                unit=unit,
                adopted_on=data["adopted_on"],
                local_adaptations=data["local_adaptations"],
                context=data["context"],
                lead=data["lead"],
                copy_measures=data["copy_measures"],
                link_measures=data["link_measures"],
            ),
        )
        if adoption is not None:
            messages.success(request, f"{unit.name} is adopting “{package.title}”.")
            return redirect(adoption)
    return _form_page(
        request,
        form,
        title=f"Adopt “{package.title}” in {unit.name}",
        lede="Say what you change for your context, and which measures will show whether it "
        "works here.",
        submit="Adopt the package",
        back=package.get_absolute_url(),
        template="adoption_form",
        unit=unit,
    )


def _adoption(request, adoption_id) -> Adoption:
    """An adoption is read by whoever reads its package; its unit's leads edit it."""
    adoption = get_object_or_404(
        Adoption.objects.select_related("unit", "lead", "package__project__unit"),
        pk=_int(adoption_id),
    )
    if not selectors.package_readable(request.user, adoption.package):
        raise Http404("Not found")
    return adoption


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise Http404("Not found") from None


def _edited_adoption(request, adoption_id) -> Adoption:
    adoption = _adoption(request, adoption_id)
    if not access.can(request.user, adoption.unit, roles.ADOPTERS):
        raise PermissionDenied("Only the leads of the adopting unit change an adoption.")
    return adoption


@login_required
def adoption_detail(request, adoption_id):
    adoption = _adoption(request, adoption_id)
    page = selectors.adoption_page(request.user, adoption)
    status_form = AdoptionStatusForm(moves=page.moves)
    return render(
        request,
        "improvement/adoption_detail.html",
        {"adoption": page.adoption, "page": page, "status_form": status_form},
    )


@login_required
def adoption_edit(request, adoption_id):
    adoption = _edited_adoption(request, adoption_id)
    initial = {
        "adopted_on": adoption.adopted_on,
        "local_adaptations": adoption.local_adaptations,
        "context": adoption.context,
        "lead": adoption.lead_id,
    }
    form = AdoptionEditForm(
        request.POST or None, initial=initial, people=selectors.unit_staff(adoption.unit)
    )
    if request.method == "POST" and form.is_valid():
        done = _apply(
            form,
            lambda data: services.adoption_update(
                by=request.user,
                adoption=adoption,
                **{k: v for k, v in data.items() if k != "identifiers_checked"},
            ),
        )
        if done is not None:
            messages.success(request, "Adoption saved.")
            return redirect(adoption)
    return _form_page(
        request,
        form,
        title=f"Change the adoption of “{adoption.package.title}” in {adoption.unit.name}",
        submit="Save",
        back=adoption.get_absolute_url(),
        template="adoption_form",
        unit=adoption.unit,
    )


@login_required
def adoption_status(request, adoption_id):
    adoption = _edited_adoption(request, adoption_id)
    page = selectors.adoption_page(request.user, adoption)
    form = AdoptionStatusForm(request.POST or None, moves=page.moves)
    if request.method == "POST" and form.is_valid():
        done = _apply(
            form,
            lambda data: services.adoption_status_set(
                by=request.user, adoption=adoption, status=data["status"], reason=data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, f"The adoption is now {done.get_status_display().lower()}.")
            return redirect(adoption)
    return _form_page(
        request,
        form,
        title=f"Status of the adoption in {adoption.unit.name}",
        submit="Save the status",
        back=adoption.get_absolute_url(),
        template="adoption_form",
        unit=adoption.unit,
    )


@login_required
def adoption_measures(request, adoption_id):
    adoption = _edited_adoption(request, adoption_id)
    have = set(adoption.measures.values_list("pk", flat=True))
    form = AdoptionMeasuresForm(
        request.POST or None,
        package_measures=list(adoption.package.measures.select_related("unit")),
        unit_measures=[m for m in selectors.unit_measures(adoption.unit) if m.pk not in have],
    )
    if request.method == "POST" and form.is_valid():
        added = _apply(
            form,
            lambda data: services.adoption_measures_add(
                by=request.user,
                adoption=adoption,
                copy_measures=data["copy_measures"],
                link_measures=data["link_measures"],
            ),
        )
        if added is not None:
            messages.success(request, f"Measures added: {len(added)}.")
            return redirect(adoption)
    return _form_page(
        request,
        form,
        title=f"Add measures to the adoption in {adoption.unit.name}",
        submit="Add the measures",
        back=adoption.get_absolute_url(),
        template="adoption_form",
        unit=adoption.unit,
    )


urlpatterns = [
    path("<int:project_id>/progress/", progress_confirm, name="progress-confirm"),
    path("packages/", package_list, name="package-list"),
    path("<int:project_id>/packages/new/", package_create, name="package-create"),
    path("packages/<int:package_id>/", package_detail, name="package-detail"),
    path("packages/<int:package_id>/edit/", package_edit, name="package-edit"),
    path("packages/<int:package_id>/publish/", package_publish, name="package-publish"),
    path("packages/<int:package_id>/withdraw/", package_withdraw, name="package-withdraw"),
    path("packages/<int:package_id>/adopt/", adoption_create, name="adoption-create"),
    path("adoptions/<int:adoption_id>/", adoption_detail, name="adoption-detail"),
    path("adoptions/<int:adoption_id>/edit/", adoption_edit, name="adoption-edit"),
    path("adoptions/<int:adoption_id>/status/", adoption_status, name="adoption-status"),
    path("adoptions/<int:adoption_id>/measures/", adoption_measures, name="adoption-measures"),
]
