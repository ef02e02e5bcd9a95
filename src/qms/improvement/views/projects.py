"""Pages of quality improvement: projects. The area's home, a unit's portfolio, starting a
project (from a signal or an issue too), the project page with its charter, team, measures,
issues and each part's section; changing the charter, the stage, the team and the measures.
Thin: the record through `qms.people.access`, a form, a service, a page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from qms.improvement import roles, selectors, services
from qms.improvement.forms import (
    MeasureLinkForm,
    MeasureSearchForm,
    PortfolioFilterForm,
    ProjectForm,
    StageForm,
    TeamAddForm,
    TeamRemoveForm,
    project_initial,
)
from qms.improvement.models import MeasureRole, Project, ProjectMeasure
from qms.people import access
from qms.people.models import ObjectGrant, Unit
from qms.people.roles import Role
from qms.web.forms import apply_service
from qms.web.screening import check_text_page, first_error

# Who defines measures in quality control (its MEASURE_EDITORS), to show the link to its
# new-measure page only to those it lets in.
_MEASURE_EDITORS = frozenset(
    {Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.ANALYST, Role.SYSTEM_ADMINISTRATOR}
)


def _apply(form, act):
    """Call the service with the form's data (qms.web.forms.apply_service)."""
    return apply_service(form, lambda: act(form.cleaned_data))


def _projects():
    return Project.objects.select_related("unit", "lead", "coach", "sponsor", "source_type")


def _project_or_404(request, project_id, roles_needed=roles.VIEWERS, granted=roles.GRANTED_VIEWERS):
    return access.object_or_404(
        request.user, _projects(), project_id, roles_needed, granted=granted
    )


def _lead_or_403(request, project_id) -> Project:
    project = _project_or_404(request, project_id)
    if not access.can(request.user, project, roles.LEADS):
        raise PermissionDenied("Only the project's leads can do this.")
    return project


def _team_or_403(request, project_id) -> Project:
    project = _project_or_404(request, project_id)
    if not services.may_change(request.user, project):
        raise PermissionDenied("Only the project's team can do this.")
    return project


# The area's home and portfolios ----------------------------------------------------------------


@login_required
def improvement_home(request):
    """The person's projects, and the portfolios of the units they see."""
    paths = access.unit_paths_with_role(request.user, roles.VIEWERS)
    if paths is None:  # a system administrator: the roots
        units = list(Unit.objects.filter(parent__isnull=True).order_by("name"))
    else:
        tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
        units = list(Unit.objects.filter(path__in=tops).order_by("path"))
    context = {
        "projects": list(selectors.your_projects(request.user)),
        "units": units,
        "can_start": {unit.pk for unit in units if access.can(request.user, unit, roles.STARTERS)},
    }
    return render(request, "improvement/home.html", context)


@login_required
def portfolio(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, roles.VIEWERS)
    units = selectors.portfolio_units(request.user, unit)
    form = PortfolioFilterForm(
        request.GET or None,
        units=units,
        leads=selectors.project_leads(unit),
        initial={"sort": "stage"},
    )
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.PortfolioFilters(
        unit=data.get("unit"),
        stage=data.get("stage") or "",
        method=data.get("method") or "",
        text=data.get("text") or "",
        progress=data.get("progress") or "",
        lead=data.get("lead"),
        sort=data.get("sort") or "stage",
    )
    page = selectors.portfolio(request.user, unit, filters, page=request.GET.get("page", 1))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    stage_query = query.copy()
    stage_query.pop("stage", None)
    context = {
        "unit": unit,
        "form": form,
        "portfolio": page,
        "filters": filters,
        "filtered": any(
            [filters.unit, filters.stage, filters.method, filters.text, filters.progress]
        )
        or bool(filters.lead),
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "stage_query": stage_query.urlencode(),
        "columns": [
            ("title", "Project"),
            ("unit", "Unit"),
            ("stage", "Stage"),
            ("method", "Method"),
            ("lead", "Lead"),
            ("progress", "Progress"),
            ("ends", "Ends"),
        ],
        "can_start": access.can(request.user, unit, roles.STARTERS),
        "sort_label": _sort_label(page.sort),
    }
    return render(
        request, "improvement/portfolio.html", context, status=400 if form.errors else 200
    )


def _sort_label(sort: str) -> str:
    label = selectors.PORTFOLIO_SORTS[sort.lstrip("-")][0].lower()
    return f"{label}, reversed" if sort.startswith("-") else label


# Starting a project and changing its charter ---------------------------------------------------


@login_required
def project_create(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, roles.STARTERS)
    start = selectors.start_context(request.user, request.GET.get("from", ""))
    if start is not None and not start.unit.path.startswith(unit.path):
        raise Http404("The record is not in this unit")
    initial = {"method": "mfi", "stage": "idea"}
    if start is not None:
        initial |= {"title": start.title, "problem": start.problem}
    form = ProjectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():

        def create(data):
            outcome = start.measure if start is not None else None
            return services.project_create(
                by=request.user,
                unit=start.unit if start is not None else unit,
                source=start.record if start is not None else None,
                measures=[(outcome, MeasureRole.OUTCOME)] if outcome is not None else [],
                **data,
            )

        project = _apply(form, create)
        if project is not None:
            messages.success(request, f"Project “{project.title}” started.")
            return redirect(project)
    context = {
        "form": form,
        "unit": start.unit if start is not None else unit,
        "start": start,
        "title": f"Start an improvement project in {(start.unit if start else unit).name}",
        "submit": "Start the project",
        "back": start.record.get_absolute_url()
        if start is not None
        else reverse("improvement:portfolio", args=[unit.pk]),
        "action": request.get_full_path(),
    }
    return render(
        request, "improvement/project_form.html", context, status=400 if form.errors else 200
    )


@login_required
def project_edit(request, project_id):
    project = _lead_or_403(request, project_id)
    form = ProjectForm(request.POST or None, initial=project_initial(project), editing=True)
    if request.method == "POST" and form.is_valid():

        def update(data):
            reason = data.pop("reason", "")
            return services.project_update(by=request.user, project=project, reason=reason, **data)

        if _apply(form, update) is not None:
            messages.success(request, "Charter saved.")
            return redirect(project)
        project.refresh_from_db()
    context = {
        "form": form,
        "unit": project.unit,
        "project": project,
        "title": f"Change the charter of “{project.title}”",
        "submit": "Save the charter",
        "back": project.get_absolute_url(),
        "action": request.get_full_path(),
    }
    return render(
        request, "improvement/project_form.html", context, status=400 if form.errors else 200
    )


def _post_back(request, project, form, act, *, done: str):
    """A small form posted from the project page: back to the page with a message, or the
    check-your-text page when its text may identify a patient. Nothing partial is saved."""
    back = project.get_absolute_url()
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as error:
            messages.error(request, f"{' '.join(error.messages).rstrip('.')}. Nothing was changed.")
        else:
            messages.success(request, done)
        return redirect(back)
    if getattr(form, "screening_prompted", False):
        return check_text_page(request, form, back)
    messages.error(request, f"{first_error(form).rstrip('.')}. Nothing was changed.")
    return redirect(back)


@login_required
@require_POST
def project_stage(request, project_id):
    project = _lead_or_403(request, project_id)
    form = StageForm(request.POST)
    return _post_back(
        request,
        project,
        form,
        lambda data: services.project_update(
            by=request.user, project=project, reason=data["reason"], stage=data["stage"]
        ),
        done="Stage changed.",
    )


# The team --------------------------------------------------------------------------------------


@login_required
@require_POST
def team_add(request, project_id):
    project = _lead_or_403(request, project_id)
    form = TeamAddForm(request.POST)

    def add(data):
        grant = services.team_member_add(by=request.user, project=project, **data)
        messages.success(request, f"{grant.person} joined the team as {grant.get_role_display()}.")

    back = project.get_absolute_url() + "#team"
    if form.is_valid():
        try:
            add(form.cleaned_data)
        except ValidationError as error:
            messages.error(request, f"{' '.join(error.messages).rstrip('.')}. No one was added.")
    else:
        messages.error(request, f"{first_error(form).rstrip('.')}. No one was added.")
    return redirect(back)


@login_required
@require_POST
def team_remove(request, project_id, grant_id):
    project = _lead_or_403(request, project_id)
    grant = get_object_or_404(
        ObjectGrant.objects.select_related("person"),
        pk=grant_id,
        object_id=project.pk,
        content_type__app_label="improvement",
        content_type__model="project",
    )
    form = TeamRemoveForm(request.POST)
    return _post_back(
        request,
        project,
        form,
        lambda data: services.team_member_remove(
            by=request.user, grant=grant, reason=data["reason"]
        ),
        done=f"{grant.person} is no longer {grant.get_role_display()} on the team.",
    )


# Measures --------------------------------------------------------------------------------------


@login_required
def project_measures(request, project_id):
    """Link a measure the user can see: of the project's unit and below, or of a unit above it
    they see; or define a new one in the unit."""
    project = _team_or_403(request, project_id)
    units = _measure_units(request.user, project.unit)
    if not units:
        raise PermissionDenied("Measures are for staff.")
    search = MeasureSearchForm(request.GET or None, units=units)
    data = search.cleaned_data if search.is_valid() else {}
    where = next((u for u in units if u.pk == data.get("unit")), project.unit)
    if where not in units:
        where = units[0]
    link_form = MeasureLinkForm(request.POST or None)
    if request.method == "POST":
        if link_form.is_valid():
            measure = next(
                (
                    m
                    for m in selectors.measure_choices(request.user, where, limit=None)
                    if m.pk == link_form.cleaned_data["measure"]
                ),
                None,
            )
            if measure is None:
                raise Http404("No such measure")
            done = _apply(
                link_form,
                lambda data: services.project_measure_link(
                    by=request.user, project=project, measure=measure, role=data["role"]
                ),
            )
            if done is not None:
                messages.success(
                    request, f"{measure} linked as {done.get_role_display().lower()} measure."
                )
                return redirect(project.get_absolute_url() + "#measures")
        messages.error(request, first_error(link_form) if link_form.errors else "Choose a role.")
    linked = set(project.project_measures.values_list("measure_id", flat=True))
    context = {
        "project": project,
        "search": search,
        "where": where,
        "choices": [
            m
            for m in selectors.measure_choices(request.user, where, data.get("text") or "")
            if m.pk not in linked
        ],
        "roles": MeasureRole.choices,
        "can_define": access.can(request.user, project.unit, _MEASURE_EDITORS),
    }
    return render(request, "improvement/project_measures.html", context)


def _measure_units(user, unit: Unit) -> list[Unit]:
    """The project's unit and the units above it where the user sees measures, nearest first."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    units = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    seen = [units[pk] for pk in reversed(ids) if pk in units]
    seen = [u for u in seen if access.roles_in(user, u) & roles.VIEWERS]
    for each in seen:
        each.indent = ""
    return seen


@login_required
@require_POST
def measure_unlink(request, project_id, link_id):
    project = _team_or_403(request, project_id)
    link = get_object_or_404(
        ProjectMeasure.objects.select_related("measure"), pk=link_id, project=project
    )
    services.project_measure_unlink(by=request.user, project_measure=link)
    messages.success(request, f"{link.measure} is no longer linked to the project.")
    return redirect(project.get_absolute_url() + "#measures")


# The project page ------------------------------------------------------------------------------


@login_required
def project_detail(request, project_id):
    project = _project_or_404(request, project_id)
    page = selectors.project_page(request.user, project)
    context = {
        "project": project,
        "page": page,
        **page.sections,
        "stage_form": StageForm(initial={"stage": project.stage}),
        "team_form": TeamAddForm(initial={"role": Role.TEAM_MEMBER}),
        "remove_form": TeamRemoveForm(),
    }
    return render(request, "improvement/project_detail.html", context)


urlpatterns = [
    path("", improvement_home, name="home"),
    path("units/<int:unit_id>/", portfolio, name="portfolio"),
    path("units/<int:unit_id>/new/", project_create, name="project-create"),
    path("<int:project_id>/", project_detail, name="project-detail"),
    path("<int:project_id>/charter/", project_edit, name="project-edit"),
    path("<int:project_id>/stage/", project_stage, name="project-stage"),
    path("<int:project_id>/team/", team_add, name="team-add"),
    path("<int:project_id>/team/<int:grant_id>/remove/", team_remove, name="team-remove"),
    path("<int:project_id>/measures/", project_measures, name="project-measures"),
    path("<int:project_id>/measures/<int:link_id>/unlink/", measure_unlink, name="measure-unlink"),
]
