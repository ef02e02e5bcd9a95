"""Pages of the skills framework: an organisation's levels, skills and what each role needs,
read by its staff; skills added, changed, retired and restored, levels reworded and needs set
by its framework editors. Thin: the record, a form, a service, a page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from qms.capability.defaults import REQUIRABLE_ROLES
from qms.capability.forms import LevelForm, NeedsForm, SkillForm
from qms.capability.models import Level, ProjectRole, Skill
from qms.capability.selectors import framework as selectors
from qms.capability.services import framework as services
from qms.people.models import Unit
from qms.people.roles import Role
from qms.web.forms import apply_service

_ID_MAX = 2**63 - 1
_ROLES = [(role, Role(role).label) for role in REQUIRABLE_ROLES]


def _get_or_404(queryset, pk):
    if pk > _ID_MAX:
        raise Http404("Not found")
    record = queryset.filter(pk=pk).first()
    if record is None:
        raise Http404("Not found")
    return record


def _organisation(request, pk: int) -> Unit:
    """The organisation, if the user works in it (404 otherwise, as for none)."""
    organisation = _get_or_404(Unit.objects.filter(parent=None), pk)
    if not selectors.may_read(request.user, organisation):
        raise Http404("Not found")
    return organisation


def _editable(request, organisation: Unit) -> None:
    if not selectors.may_edit(request.user, organisation):
        raise PermissionDenied("Only the organisation's quality leads change its framework.")


def _status(form) -> int:
    return 400 if form.errors else 200


def _clean(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("identifiers_checked", None)
    return data


@login_required
def framework(request, pk):
    organisation = _organisation(request, pk)
    services.framework_ensure(organisation)
    current = selectors.framework_of(organisation, projects=True)
    context = {
        "organisation": organisation,
        "framework": current,
        "grid": selectors.needs_grid(current),
        "roles": _ROLES,
        "project_roles": ProjectRole.choices,
        "can_edit": selectors.may_edit(request.user, organisation),
    }
    return render(request, "capability/framework.html", context)


@login_required
def skill_create(request, pk):
    organisation = _organisation(request, pk)
    _editable(request, organisation)
    form = SkillForm(request.POST or None)
    del form.fields["reason"]
    if request.method == "POST" and form.is_valid():
        data = _clean(form)
        skill = apply_service(
            form,
            lambda: services.skill_create(
                by=request.user, organisation=organisation, name=data["name"], covers=data["covers"]
            ),
        )
        if skill is not None:
            messages.success(request, f"“{skill.name}” added: now say what each role needs.")
            return redirect("capability:skill-edit", skill.pk)
    context = {"organisation": organisation, "form": form, "title": "Add a skill"}
    return render(request, "capability/skill_form.html", context, status=_status(form))


def _skill(request, pk) -> Skill:
    skill = _get_or_404(Skill.objects.select_related("organisation"), pk)
    if not selectors.may_read(request.user, skill.organisation):
        raise Http404("Not found")
    _editable(request, skill.organisation)
    return skill


def _needs_form(request, skill: Skill, data=None) -> NeedsForm:
    current = selectors.framework_of(skill.organisation, projects=True)
    held = {("role", role): current.role_needs.get((role, skill.pk)) for role, _ in _ROLES}
    held |= {
        ("project", role): current.project_needs.get((role, skill.pk))
        for role in ProjectRole.values
    }
    return NeedsForm(
        data,
        roles=_ROLES,
        project_roles=ProjectRole.choices,
        levels=current.levels,
        current=held,
        prefix="needs",
    )


@login_required
def skill_edit(request, pk):
    """A skill's name and what it covers, and the level each role needs in it."""
    skill = _skill(request, pk)
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if posted else None
    form = SkillForm(
        posted if which == "skill" else None,
        initial={"name": skill.name, "covers": skill.covers},
    )
    needs = _needs_form(request, skill, posted if which == "needs" else None)
    if which == "skill" and form.is_valid():
        data = _clean(form)
        done = apply_service(
            form, lambda: services.skill_update(by=request.user, skill=skill, **data)
        )
        if done is not None:
            messages.success(request, "Skill saved.")
            return redirect("capability:skill-edit", skill.pk)
    elif which == "needs" and needs.is_valid():

        def save():
            for role, level in needs.needs("role").items():
                services.requirement_set(by=request.user, skill=skill, role=role, level=level)
            for role, level in needs.needs("project").items():
                services.project_requirement_set(
                    by=request.user, skill=skill, role=role, level=level
                )
            return True

        if apply_service(needs, save):
            messages.success(request, "What each role needs is saved.")
            return redirect("capability:framework", skill.organisation_id)
    context = {
        "organisation": skill.organisation,
        "skill": skill,
        "form": form,
        "needs": needs,
        "needs_roles": needs.fields_of("role"),
        "needs_project": needs.fields_of("project"),
        "title": f"Change “{skill.name}”",
    }
    status = 400 if form.errors or needs.errors else 200
    return render(request, "capability/skill_form.html", context, status=status)


@login_required
@require_POST
def skill_retire(request, pk):
    skill = _skill(request, pk)
    if skill.retired:
        services.skill_restore(by=request.user, skill=skill)
        messages.success(request, f"“{skill.name}” restored: it is assessed and needed again.")
    else:
        services.skill_retire(by=request.user, skill=skill)
        messages.success(
            request,
            f"“{skill.name}” retired: no longer needed or assessed; the records that name it "
            "keep it.",
        )
    return redirect("capability:framework", skill.organisation_id)


@login_required
def level_edit(request, pk):
    level = _get_or_404(Level.objects.select_related("organisation"), pk)
    if not selectors.may_read(request.user, level.organisation):
        raise Http404("Not found")
    _editable(request, level.organisation)
    form = LevelForm(
        request.POST or None,
        initial={"name": level.name, "covers": level.covers, "who": level.who},
    )
    if request.method == "POST" and form.is_valid():
        data = _clean(form)
        done = apply_service(
            form, lambda: services.level_update(by=request.user, level=level, **data)
        )
        if done is not None:
            messages.success(request, "Level saved.")
            return redirect("capability:framework", level.organisation_id)
    context = {
        "organisation": level.organisation,
        "level": level,
        "form": form,
        "title": f"Change the level “{level.name}”",
    }
    return render(request, "capability/level_form.html", context, status=_status(form))


urlpatterns = [
    path("framework/<int:pk>/", framework, name="framework"),
    path("framework/<int:pk>/skills/new/", skill_create, name="skill-create"),
    path("skills/<int:pk>/", skill_edit, name="skill-edit"),
    path("skills/<int:pk>/retire/", skill_retire, name="skill-retire"),
    path("levels/<int:pk>/", level_edit, name="level-edit"),
]
