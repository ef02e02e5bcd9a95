"""Pages of quality improvement: a project's driver diagram (the drawing, the same tree as a
list with a form for each change, and the drawing as SVG or PNG for reports) and its
prototypes. Thin: the record through `qms.people.access`, a form, a service, a page."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from qms.improvement import roles, selectors, services
from qms.improvement.forms_diagram import (
    ChangeIdeaForm,
    NodeAddForm,
    NodeMeasuresForm,
    NodeMoveForm,
    NodeRemoveForm,
    NodeRenameForm,
    PrototypeDropForm,
    PrototypeForm,
)
from qms.improvement.models import DriverNode, NodeKind, Project, Prototype, PrototypeStatus
from qms.people import access
from qms.stats import diagrams
from qms.web.forms import apply_service
from qms.web.screening import check_text_page, first_error

_PROJECTS = Project.objects.select_related("unit")
_NODES = DriverNode.objects.select_related("project__unit", "parent")
_PROTOTYPES = Prototype.objects.select_related("project__unit", "change_idea", "created_by")


def _project_for_reading(request, project_id) -> Project:
    return access.object_or_404(
        request.user, _PROJECTS, project_id, roles.VIEWERS, granted=roles.GRANTED_VIEWERS
    )


def _team(request, source, pk):
    return access.object_or_404(request.user, source, pk, roles.TEAM, granted=roles.TEAM_GRANTED)


def _back(node: DriverNode) -> str:
    return node.get_absolute_url()


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _act(request, form, node: DriverNode, act, done: str, back: str | None = None):
    """Parse, call the service, tell the person, and go back to the node on the diagram."""
    back = back or _back(node)
    if not form.is_valid():
        if getattr(form, "screening_prompted", False):
            return check_text_page(request, form, back)
        messages.error(request, f"Nothing was changed: {first_error(form)}")
        return redirect(back)
    try:
        result = act(form.cleaned_data)
    except ValidationError as error:
        messages.error(request, f"Nothing was changed: {_errors(error)}")
        return redirect(back)
    messages.success(request, done)
    if isinstance(result, DriverNode):
        return redirect(result.get_absolute_url())
    return redirect(back)


# ---------------------------------------------------------------------------------------------
# The diagram


@login_required
def diagram(request, project_id):
    """The driver diagram: the drawing, and the same tree as a list with the team's forms."""
    project = _project_for_reading(request, project_id)
    page = selectors.diagram_page(project, request.user)
    return render(request, "improvement/diagram.html", {"project": project, "page": page})


def _file_name(project: Project, extension: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", project.title.lower()).strip("-")[:60] or "project"
    return f"driver-diagram-{slug}.{extension}"


def _download(request, project_id, extension: str, content_type: str, render_file):
    project = _project_for_reading(request, project_id)
    nodes = selectors.diagram_nodes(project)
    if not nodes:
        raise Http404("This project has no driver diagram.")
    spec = selectors.diagram_spec(nodes, absolute=request.build_absolute_uri)
    spec["title"] = {"text": project.title, "anchor": "start", "fontSize": 14}
    response = HttpResponse(render_file(spec), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_file_name(project, extension)}"'
    return response


@login_required
def diagram_svg(request, project_id):
    """The drawing as an SVG file, for reports (the same specification as the page)."""
    return _download(request, project_id, "svg", "image/svg+xml", diagrams.to_svg)


@login_required
def diagram_png(request, project_id):
    """The drawing as a PNG image, for reports and slides."""
    return _download(request, project_id, "png", "image/png", diagrams.to_png)


@login_required
@require_POST
def node_add(request, node_id):
    parent = _team(request, _NODES, node_id)
    form = NodeAddForm(request.POST)

    def act(data):
        return services.node_add(
            by=request.user,
            parent=parent,
            kind=data["kind"],
            text=data["text"],
            position=data.get("position"),
        )

    label = (
        NodeKind(form.data.get("kind")).label
        if form.data.get("kind") in NodeKind.values
        else "Node"
    )
    return _act(request, form, parent, act, f"{label} added.")


@login_required
@require_POST
def node_rename(request, node_id):
    node = _team(request, _NODES, node_id)
    form = NodeRenameForm(request.POST)
    return _act(
        request,
        form,
        node,
        lambda data: services.node_rename(by=request.user, node=node, text=data["text"]),
        "Renamed.",
    )


@login_required
def node_move(request, node_id):
    """Choose a new parent and a place among its children (a page of two selects), then move
    the node with everything under it."""
    node = _team(request, _NODES, node_id)
    if node.kind == NodeKind.AIM:
        messages.error(request, "The aim is the root of the diagram: it cannot move.")
        return redirect(_back(node))
    if request.method != "POST":
        item = _find(selectors.diagram_page(node.project, request.user).root, node.pk)
        context = {"project": node.project, "node": node, "item": item}
        return render(request, "improvement/diagram_node_move.html", context)
    form = NodeMoveForm(request.POST)
    parent = None
    if form.is_valid():
        # A parent of another project is not there for this node: 404, like any unseen record.
        try:
            parent = DriverNode.objects.get(pk=form.cleaned_data["parent"], project=node.project)
        except DriverNode.DoesNotExist:
            raise Http404("Not found") from None
    return _act(
        request,
        form,
        node,
        lambda data: services.node_move(
            by=request.user, node=node, parent=parent, position=data.get("position")
        ),
        "Moved.",
        back=reverse("improvement:node-move", args=[node.pk]),
    )


@login_required
def node_measures(request, node_id):
    """The measures linked to a node: a page of checkboxes (the project's measures and its
    unit's), saved back to the node on the diagram."""
    node = _team(request, _NODES, node_id)
    choices = list(selectors.node_measure_choices(node.project))
    if request.method != "POST":
        context = {
            "project": node.project,
            "node": node,
            "measures": choices,
            "linked": set(node.measures.values_list("pk", flat=True)),
        }
        return render(request, "improvement/diagram_node_measures.html", context)
    form = NodeMeasuresForm(request.POST, measures=choices)
    return _act(
        request,
        form,
        node,
        lambda data: services.node_measures_set(
            by=request.user, node=node, measures=data["measures"]
        ),
        "Measures linked.",
    )


@login_required
def node_remove(request, node_id):
    """Asks first (more firmly when PDSA cycles would go too), then removes the node and
    everything under it."""
    node = _team(request, _NODES, node_id)
    if node.kind == NodeKind.AIM:
        messages.error(request, "The aim is the root of the diagram: it cannot be removed.")
        return redirect(_back(node))
    page = selectors.diagram_page(node.project, request.user)
    item = _find(page.root, node.pk)
    form = NodeRemoveForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if item.cycles_below and not form.cleaned_data["confirm_cycles"]:
            form.add_error(
                "confirm_cycles",
                f"Tick the box to remove its {item.cycles_below} PDSA cycles with it.",
            )
        else:
            parent = node.parent
            try:
                count = services.node_remove(by=request.user, node=node)
            except ValidationError as error:
                messages.error(request, f"Nothing was removed: {_errors(error)}")
                return redirect(_back(node))
            messages.success(
                request,
                f"Removed “{node.text}”"
                + (f" and {count - 1} nodes under it." if count > 1 else "."),
            )
            return redirect(parent.get_absolute_url())
        status = 400
    context = {"project": node.project, "node": node, "item": item, "form": form}
    return render(request, "improvement/diagram_node_remove.html", context, status=status)


def _find(root, pk):
    stack = [root] if root else []
    while stack:
        item = stack.pop()
        if item.node.pk == pk:
            return item
        stack.extend(item.children)
    raise Http404("Not found")


# ---------------------------------------------------------------------------------------------
# Prototypes


@login_required
def prototype_list(request, project_id):
    project = _project_for_reading(request, project_id)
    context = {
        "project": project,
        "prototypes": selectors.prototype_list(project),
        "can_edit": services.may_change(request.user, project),
    }
    return render(request, "improvement/prototype_list.html", context)


def _prototype_form_page(request, form, *, project, prototype=None, status=200):
    context = {"form": form, "project": project, "prototype": prototype}
    return render(request, "improvement/prototype_form.html", context, status=status)


def _apply(form, act):
    """Call the service with the form's data (qms.web.forms.apply_service)."""
    return apply_service(form, lambda: act(form.cleaned_data))


@login_required
def prototype_create(request, project_id):
    project = _team(request, _PROJECTS, project_id)
    form = PrototypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        prototype = _apply(
            form,
            lambda data: services.prototype_create(
                by=request.user,
                project=project,
                title=data["title"],
                description=data["description"],
            ),
        )
        if prototype is not None:
            messages.success(request, "Prototype saved: add pictures or files to its discussion.")
            return redirect(prototype.get_absolute_url())
    status = 400 if form.is_bound else 200
    return _prototype_form_page(request, form, project=project, status=status)


@login_required
def prototype_detail(request, prototype_id):
    prototype = access.object_or_404(
        request.user, _PROTOTYPES, prototype_id, roles.VIEWERS, granted=roles.GRANTED_VIEWERS
    )
    can_edit = services.may_change(request.user, prototype.project)
    context = {
        "prototype": prototype,
        "project": prototype.project,
        "can_edit": can_edit,
        "drop_form": PrototypeDropForm(),
    }
    return render(request, "improvement/prototype_detail.html", context)


@login_required
def prototype_edit(request, prototype_id):
    prototype = _team(request, _PROTOTYPES, prototype_id)
    form = PrototypeForm(request.POST or None, instance=prototype)
    if request.method == "POST" and form.is_valid():
        done = _apply(
            form,
            lambda data: services.prototype_update(
                by=request.user,
                prototype=prototype,
                title=data["title"],
                description=data["description"],
            ),
        )
        if done is not None:
            messages.success(request, "Prototype saved.")
            return redirect(prototype.get_absolute_url())
    status = 400 if form.is_bound else 200
    return _prototype_form_page(
        request, form, project=prototype.project, prototype=prototype, status=status
    )


@login_required
@require_POST
def prototype_drop(request, prototype_id):
    prototype = _team(request, _PROTOTYPES, prototype_id)
    form = PrototypeDropForm(request.POST)
    back = prototype.get_absolute_url()
    if not form.is_valid():
        if form.screening_prompted:
            return check_text_page(request, form, back)
        messages.error(request, f"Nothing was changed: {first_error(form)}")
        return redirect(back)
    try:
        services.prototype_drop(
            by=request.user, prototype=prototype, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, f"Nothing was changed: {_errors(error)}")
    else:
        messages.success(request, "Prototype dropped; its feedback stays here.")
    return redirect(back)


@login_required
@require_POST
def prototype_reopen(request, prototype_id):
    prototype = _team(request, _PROTOTYPES, prototype_id)
    try:
        services.prototype_reopen(by=request.user, prototype=prototype)
    except ValidationError as error:
        messages.error(request, f"Nothing was changed: {_errors(error)}")
    else:
        messages.success(request, "Prototype taken up again.")
    return redirect(prototype.get_absolute_url())


@login_required
def prototype_change_idea(request, prototype_id):
    """One form: the change idea (its driver and wording) and its first PDSA cycle."""
    prototype = _team(request, _PROTOTYPES, prototype_id)
    project = prototype.project
    if prototype.status != PrototypeStatus.OPEN:
        messages.error(request, f"This prototype has {prototype.get_status_display().lower()}.")
        return redirect(prototype.get_absolute_url())
    drivers = list(
        DriverNode.objects.filter(
            project=project, kind__in=[NodeKind.PRIMARY, NodeKind.SECONDARY]
        ).order_by("kind", "position", "pk")
    )
    initial = {"text": prototype.title, "title": f"Test: {prototype.title}"[:200]}
    form = ChangeIdeaForm(request.POST or None, drivers=drivers, initial=initial)
    if request.method == "POST" and form.is_valid():
        result = _apply(
            form,
            lambda data: services.prototype_to_change_idea(
                by=request.user,
                prototype=prototype,
                parent=next(d for d in drivers if d.pk == data["parent"]),
                text=data["text"],
                cycle=form.cycle_fields(),
            ),
        )
        if result is not None:
            node, cycle = result
            messages.success(
                request, f"“{node.text}” is a change idea, with its first PDSA cycle planned."
            )
            return redirect(
                cycle.get_absolute_url()
                if _has_url("improvement:cycle-detail")
                else node.get_absolute_url()
            )
    status = 400 if form.is_bound else 200
    context = {"form": form, "prototype": prototype, "project": project, "drivers": drivers}
    return render(request, "improvement/prototype_change_idea.html", context, status=status)


def _has_url(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name, args=[1])
    except NoReverseMatch:
        return False
    return True


urlpatterns = [
    path("<int:project_id>/diagram/", diagram, name="diagram"),
    path("<int:project_id>/diagram.svg", diagram_svg, name="diagram-svg"),
    path("<int:project_id>/diagram.png", diagram_png, name="diagram-png"),
    path("nodes/<int:node_id>/add/", node_add, name="node-add"),
    path("nodes/<int:node_id>/rename/", node_rename, name="node-rename"),
    path("nodes/<int:node_id>/move/", node_move, name="node-move"),
    path("nodes/<int:node_id>/measures/", node_measures, name="node-measures"),
    path("nodes/<int:node_id>/remove/", node_remove, name="node-remove"),
    path("<int:project_id>/prototypes/", prototype_list, name="prototype-list"),
    path("<int:project_id>/prototypes/new/", prototype_create, name="prototype-create"),
    path("prototypes/<int:prototype_id>/", prototype_detail, name="prototype-detail"),
    path("prototypes/<int:prototype_id>/edit/", prototype_edit, name="prototype-edit"),
    path("prototypes/<int:prototype_id>/drop/", prototype_drop, name="prototype-drop"),
    path("prototypes/<int:prototype_id>/reopen/", prototype_reopen, name="prototype-reopen"),
    path(
        "prototypes/<int:prototype_id>/change-idea/",
        prototype_change_idea,
        name="prototype-change-idea",
    ),
]
