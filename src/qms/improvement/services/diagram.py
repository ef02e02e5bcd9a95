"""Writes of quality improvement: a project's driver diagram (its theory of change) and its
prototypes.

The diagram is a tree under the project's aim (created with the project): primary drivers,
secondary drivers and change ideas, each kind under the kinds `NODE_CHILDREN` allows. Siblings
are numbered 1, 2, 3... (`position`) with no gaps: every add, move and remove keeps them so.
The aim never moves and is never removed. The team works on the diagram: the project's leads
and everyone given a role on the project (partners as equals).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from qms.control import services as control_services
from qms.improvement.models import (
    NODE_CHILDREN,
    DriverNode,
    NodeKind,
    PdsaCycle,
    Project,
    Prototype,
    PrototypeStatus,
)
from qms.improvement.services.cycles import cycle_create, project_markers_sync
from qms.improvement.services.projects import authorise_team
from qms.people.history import record_by
from qms.web.screening import refusals

__all__ = [
    "node_add",
    "node_measures_set",
    "node_move",
    "node_remove",
    "node_rename",
    "prototype_create",
    "prototype_drop",
    "prototype_reopen",
    "prototype_to_change_idea",
    "prototype_update",
]

NODE_TEXT_MAX = DriverNode._meta.get_field("text").max_length
TITLE_MAX = Prototype._meta.get_field("title").max_length
DESCRIPTION_MAX = 5_000
# The most nodes a driver diagram holds: three times the largest real one the benchmark draws
# (80). More cannot be read, and its SVG or PNG for a report takes many seconds to draw.
DIAGRAM_MAX_NODES = 250


# ---------------------------------------------------------------------------------------------
# Checks shared by the services


def _text(value, *, field: str, label: str, max_length: int, multiline: bool = False) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationError({field: f"{label} must be text."})
    text = (value or "").strip()
    if not multiline:
        text = " ".join(text.split())
    if not text:
        raise ValidationError({field: f"Give the {label.lower()}."})
    if len(text) > max_length:
        raise ValidationError({field: f"{label} is longer than {max_length:,} characters."})
    problems = refusals(text, label=label, multiline=multiline)
    if problems:
        raise ValidationError({field: problems})
    return text


def _check_kind_under(kind: str, parent: DriverNode, *, field: str = "kind") -> None:
    if kind not in NodeKind.values:
        raise ValidationError({field: "Choose a kind of node."})
    allowed = NODE_CHILDREN[NodeKind(parent.kind)]
    if kind not in allowed:
        label = NodeKind(kind).label.lower()
        under = parent.get_kind_display().lower()
        if allowed:
            may = " or ".join(sorted(NodeKind(k).label.lower() for k in allowed))
            message = f"A {label} cannot sit under a {under}: only a {may} can."
        else:
            message = f"Nothing can sit under a {under}."
        raise ValidationError({field: message})


def _check_position(position, *, count: int) -> int:
    """A position among `count` places (1 to count), or the last place when None."""
    if position is None or position == "":
        return count
    try:
        position = int(position)
    except (TypeError, ValueError):
        raise ValidationError({"position": "Choose a place among its siblings."}) from None
    if not 1 <= position <= count:
        raise ValidationError({"position": f"Choose a place from 1 to {count}."})
    return position


def _locked(node: DriverNode) -> DriverNode:
    """The node read again under a lock: two people moving nodes at once cannot both number
    the same siblings."""
    return DriverNode.objects.select_for_update().select_related("project__unit").get(pk=node.pk)


def _lock_diagram(project: Project) -> None:
    # One lock for the whole diagram (its aim's row), taken first by every write that numbers
    # siblings, so writes to one diagram run one after another.
    list(DriverNode.objects.select_for_update().filter(project=project, kind=NodeKind.AIM))


def _close_gap(project_id: int, parent_id: int | None, after: int) -> None:
    DriverNode.objects.filter(
        project_id=project_id, parent_id=parent_id, position__gt=after
    ).update(position=F("position") - 1)


def _open_gap(project_id: int, parent_id: int, at: int) -> None:
    DriverNode.objects.filter(project_id=project_id, parent_id=parent_id, position__gte=at).update(
        position=F("position") + 1
    )


def _descendant_ids(node: DriverNode) -> set[int]:
    """The ids of every node below `node` (one query for the whole diagram)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in DriverNode.objects.filter(project_id=node.project_id).values_list(
        "pk", "parent_id"
    ):
        children.setdefault(parent_id, []).append(pk)
    found: set[int] = set()
    stack = list(children.get(node.pk, []))
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found


def _same_project(record, project: Project, *, field: str, what: str) -> None:
    if record is None or record.project_id != project.pk:
        raise ValidationError({field: f"Choose a {what} of this project's driver diagram."})


# ---------------------------------------------------------------------------------------------
# Driver nodes


@transaction.atomic
def node_add(*, by, parent: DriverNode, kind: str, text: str, position=None) -> DriverNode:
    """Add a node under `parent`: a primary driver under the aim, a secondary driver or a change
    idea under a primary driver, a change idea under a secondary driver (`NODE_CHILDREN`). It
    takes place `position` among its new siblings (1 first; the last when None), the others
    moving down one."""
    if not isinstance(parent, DriverNode):
        raise ValidationError({"parent": "Choose where the node goes."})
    project = parent.project
    authorise_team(by, project, "change the driver diagram")
    _check_kind_under(kind, parent)
    text = _text(text, field="text", label="Text", max_length=NODE_TEXT_MAX)
    _lock_diagram(project)
    if DriverNode.objects.filter(project=project).count() >= DIAGRAM_MAX_NODES:
        most = f"A driver diagram holds at most {DIAGRAM_MAX_NODES} nodes"
        raise ValidationError({"text": f"{most}: remove some first."})
    siblings = DriverNode.objects.filter(project=project, parent=parent).count()
    position = _check_position(position, count=siblings + 1)
    _open_gap(project.pk, parent.pk, position)
    node = DriverNode(project=project, parent=parent, kind=kind, text=text, position=position)
    record_by(node, by, "Added")
    node.save()
    return node


@transaction.atomic
def node_rename(*, by, node: DriverNode, text: str) -> DriverNode:
    """Change what a driver or change idea says. The aim is the project's: its leads change it
    on the charter, and the diagram shows it from there."""
    authorise_team(by, node.project, "change the driver diagram")
    if node.kind == NodeKind.AIM:
        raise ValidationError({"text": "The aim is the project's aim: change it on the charter."})
    text = _text(text, field="text", label="Text", max_length=NODE_TEXT_MAX)
    node = _locked(node)
    if node.text == text:
        return node
    node.text = text
    record_by(node, by, "Renamed")
    node.save(update_fields=["text"])
    return node


@transaction.atomic
def node_move(*, by, node: DriverNode, parent: DriverNode, position) -> DriverNode:
    """Move a node (with everything under it) to place `position` under `parent`, which may be
    its own parent (a new order among its siblings). The new parent must be of this project,
    may take this kind of node, and may not be the node itself or one below it. Siblings left
    and joined are numbered again without gaps."""
    project = node.project
    authorise_team(by, project, "change the driver diagram")
    if node.kind == NodeKind.AIM:
        raise ValidationError({"parent": "The aim is the root of the diagram: it cannot move."})
    if not isinstance(parent, DriverNode):
        raise ValidationError({"parent": "Choose where the node goes."})
    _same_project(parent, project, field="parent", what="node")
    _lock_diagram(project)
    node = _locked(node)
    if parent.pk == node.pk or parent.pk in _descendant_ids(node):
        raise ValidationError({"parent": "A node cannot move under itself or a node below it."})
    _check_kind_under(node.kind, parent, field="parent")
    staying = parent.pk == node.parent_id
    siblings = DriverNode.objects.filter(project=project, parent=parent).count()
    position = _check_position(position, count=siblings if staying else siblings + 1)
    if staying and position == node.position:
        return node
    _close_gap(project.pk, node.parent_id, node.position)
    _open_gap(project.pk, parent.pk, position)
    reason = "Moved" if not staying else "Reordered"
    node.parent = parent
    node.position = position
    record_by(node, by, reason)
    node.save(update_fields=["parent", "position"])
    return node


@transaction.atomic
def node_remove(*, by, node: DriverNode) -> int:
    """Remove a node and everything under it (its change ideas' PDSA cycles too); prototypes
    that became those change ideas keep their record. Returns how many nodes went. The aim
    cannot go."""
    project = node.project
    authorise_team(by, project, "change the driver diagram")
    if node.kind == NodeKind.AIM:
        raise ValidationError({"node": "The aim is the root of the diagram: it cannot be removed."})
    _lock_diagram(project)
    node = _locked(node)
    below = _descendant_ids(node)
    depth = _depths(project.pk)
    # Deepest first, each with who removed it in its history (a cascade would record no one).
    removed = sorted(
        DriverNode.objects.filter(pk__in=below | {node.pk}),
        key=lambda each: depth.get(each.pk, 0),
        reverse=True,
    )
    texts = {each.pk: each.text for each in removed}
    for cycle in PdsaCycle.objects.filter(change_idea__in=removed):
        # The cycle goes, and its markers with it from the charts of its measures.
        control_services.chart_markers_clear(source=cycle, by=by)
        record_by(cycle, by, f"Its change idea “{texts[cycle.change_idea_id]}” was removed")
        cycle.delete()
    for each in removed:
        record_by(each, by, "Removed" if each.pk == node.pk else f"Removed with “{node.text}”")
        each.delete()
    _close_gap(project.pk, node.parent_id, node.position)
    return len(removed)


def _depths(project_id: int) -> dict[int, int]:
    """Each node's depth in the diagram (the aim 0), from one query."""
    parents = dict(DriverNode.objects.filter(project_id=project_id).values_list("pk", "parent_id"))
    depths: dict[int, int] = {}
    for pk in parents:
        chain, current = [], pk
        while current is not None and current not in depths and len(chain) <= len(parents):
            chain.append(current)
            current = parents.get(current)
        base = depths.get(current, -1) if current is not None else -1
        for offset, each in enumerate(reversed(chain), start=1):
            depths[each] = base + offset
    return depths


@transaction.atomic
def node_measures_set(*, by, node: DriverNode, measures: Iterable) -> DriverNode:
    """Link exactly these measures to the node (any kind of node): measures the project watches
    or measures of its unit. An empty list unlinks them all."""
    project = node.project
    authorise_team(by, project, "change the driver diagram")
    wanted = list(measures)
    ids = set()
    for measure in wanted:
        pk = getattr(measure, "pk", measure)
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise ValidationError({"measures": "Choose measures from the list."})
        ids.add(pk)
    from qms.improvement.selectors.diagram import node_measure_choices

    allowed = set(node_measure_choices(project).filter(pk__in=ids).values_list("pk", flat=True))
    if ids - allowed:
        raise ValidationError(
            {"measures": "Choose measures the project watches or measures of its unit."}
        )
    node = _locked(node)
    before = set(node.measures.values_list("pk", flat=True))
    if before == ids:
        return node
    node.measures.set(sorted(ids))
    # The link lives in a plain many-to-many table; the node's history says it changed.
    record_by(node, by, f"Measures linked: {len(ids)}")
    node.save()
    # A change idea's cycles show on the charts of its measures too.
    project_markers_sync(project=project)
    return node


# ---------------------------------------------------------------------------------------------
# Prototypes


def _check_open(prototype: Prototype) -> None:
    if prototype.status != PrototypeStatus.OPEN:
        raise ValidationError(
            {"status": f"This prototype has {prototype.get_status_display().lower()}."}
        )


@transaction.atomic
def prototype_create(*, by, project: Project, title: str, description: str) -> Prototype:
    """A quick mock-up to gather feedback on before a formal test; pictures and files are added
    as attachments to its discussion."""
    authorise_team(by, project, "add prototypes")
    prototype = Prototype(
        project=project,
        title=_text(title, field="title", label="Title", max_length=TITLE_MAX),
        description=_text(
            description,
            field="description",
            label="Description",
            max_length=DESCRIPTION_MAX,
            multiline=True,
        ),
        created_by=by,
    )
    record_by(prototype, by, "Created")
    prototype.save()
    return prototype


@transaction.atomic
def prototype_update(*, by, prototype: Prototype, title: str, description: str) -> Prototype:
    """Change a prototype's title and description."""
    authorise_team(by, prototype.project, "change prototypes")
    title = _text(title, field="title", label="Title", max_length=TITLE_MAX)
    description = _text(
        description,
        field="description",
        label="Description",
        max_length=DESCRIPTION_MAX,
        multiline=True,
    )
    prototype = Prototype.objects.select_for_update().get(pk=prototype.pk)
    if (prototype.title, prototype.description) == (title, description):
        return prototype
    prototype.title, prototype.description = title, description
    record_by(prototype, by, "Edited")
    prototype.save(update_fields=["title", "description"])
    return prototype


@transaction.atomic
def prototype_drop(*, by, prototype: Prototype, reason: str = "") -> Prototype:
    """Stop working on a prototype (the feedback stays); `reason` goes in its history."""
    authorise_team(by, prototype.project, "drop prototypes")
    prototype = Prototype.objects.select_for_update().get(pk=prototype.pk)
    _check_open(prototype)
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise ValidationError({"reason": "The reason is longer than 300 characters."})
    prototype.status = PrototypeStatus.DROPPED
    record_by(prototype, by, f"Dropped: {reason}" if reason else "Dropped")
    prototype.save(update_fields=["status"])
    return prototype


@transaction.atomic
def prototype_reopen(*, by, prototype: Prototype) -> Prototype:
    """Take up a dropped prototype again."""
    authorise_team(by, prototype.project, "reopen prototypes")
    prototype = Prototype.objects.select_for_update().get(pk=prototype.pk)
    if prototype.status != PrototypeStatus.DROPPED:
        raise ValidationError({"status": "Only a dropped prototype can be taken up again."})
    prototype.status = PrototypeStatus.OPEN
    record_by(prototype, by, "Taken up again")
    prototype.save(update_fields=["status"])
    return prototype


@transaction.atomic
def prototype_to_change_idea(
    *, by, prototype: Prototype, parent: DriverNode, text: str, cycle: Mapping[str, Any]
) -> tuple[DriverNode, PdsaCycle]:
    """Make a prototype a change idea under `parent` (a primary or secondary driver of the same
    project) with its first PDSA cycle, in one step. `cycle` holds the first cycle's fields as
    `cycle_create` takes them (title, objective, starts_on, ends_on, and optionally owner,
    predictions as (question, prediction) pairs...). The prototype is marked as having become
    that change idea."""
    project = prototype.project
    authorise_team(by, project, "make prototypes change ideas")
    prototype = Prototype.objects.select_for_update().select_related("project").get(pk=prototype.pk)
    _check_open(prototype)
    if not isinstance(parent, DriverNode):
        raise ValidationError({"parent": "Choose the driver the change idea serves."})
    _same_project(parent, project, field="parent", what="driver")
    _check_kind_under(NodeKind.CHANGE_IDEA, parent, field="parent")
    node = node_add(by=by, parent=parent, kind=NodeKind.CHANGE_IDEA, text=text)
    first = cycle_create(by=by, change_idea=node, **dict(cycle))
    prototype.status = PrototypeStatus.BECAME_CHANGE_IDEA
    prototype.change_idea = node
    record_by(prototype, by, f"Became the change idea “{node.text}”")
    prototype.save(update_fields=["status", "change_idea"])
    return node, first
