"""Reads of quality improvement: a project's driver diagram (the drawing's specification, the
tree with what each node's forms offer) and its prototypes, each in a fixed number of queries."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Count, Prefetch, Q
from django.urls import reverse

from qms.improvement.models import (
    NODE_CHILDREN,
    DriverNode,
    NodeKind,
    Project,
    Prototype,
    PrototypeStatus,
)
from qms.stats.diagrams import driver_diagram_spec

__all__ = [
    "DiagramNode",
    "DiagramPage",
    "diagram_nodes",
    "diagram_page",
    "diagram_section",
    "diagram_spec",
    "node_measure_choices",
    "prototype_list",
    "prototypes_section",
]


def may_change(user, project: Project) -> bool:
    """Whether the user may change the project's diagram now (the projects part's rule, read
    lazily: services import these selectors)."""
    from qms.improvement.services.projects import may_change as rule

    return rule(user, project)


def diagram_nodes(project: Project, *, measures: bool = True) -> list[DriverNode]:
    """The project's nodes, siblings in order, each with `cycle_count` and (unless `measures`
    is False) its measures: two queries, or one."""
    nodes = DriverNode.objects.filter(project=project).annotate(cycle_count=Count("cycles"))
    if measures:
        Measure = apps.get_model("control", "Measure")
        nodes = nodes.prefetch_related(
            Prefetch("measures", queryset=Measure.objects.only("pk", "name", "unit_id"))
        )
    return list(nodes.order_by("position", "pk"))


def diagram_spec(nodes: list[DriverNode], *, compact: bool = False, absolute=None) -> dict:
    """The Vega specification of the diagram (qms.stats.diagrams). `absolute` turns each
    node's address into a full URL (`request.build_absolute_uri`) for files read away from
    QMS."""
    ordered = _preorder(nodes)
    # Each node's address is the diagram page's with the node's anchor (get_absolute_url),
    # reversed once for all of them.
    page = reverse("improvement:diagram", args=[ordered[0].project_id]) if ordered else ""
    if absolute:
        page = absolute(page)
    rows = [
        {
            "id": node.pk,
            "parent": node.parent_id,
            "kind": node.kind,
            "text": node.text,
            "cycles": getattr(node, "cycle_count", 0),
            "href": f"{page}#node-{node.pk}",
        }
        for node in ordered
    ]
    return driver_diagram_spec(rows, compact=compact)


_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _script_json(spec: dict) -> str:
    """Compact JSON safe inside `<script type="application/json">` (as Django's `json_script`
    makes it): <, > and & escaped, so a node's text cannot end the element."""
    text = json.dumps(spec, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.translate(_SCRIPT_ESCAPES)


def _preorder(nodes: list[DriverNode]) -> list[DriverNode]:
    """Nodes from the root down, each followed by its children in order: the order the
    drawing stacks its rows in. Nodes cut off from the root (none, by the services' rules)
    are left out rather than breaking the drawing."""
    children: dict[int | None, list[DriverNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    ordered: list[DriverNode] = []
    stack = list(reversed(children.get(None, [])[:1]))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(children.get(node.pk, [])))
    return ordered


def node_measure_choices(project: Project):
    """The measures a node may be linked to: those the project watches and the active
    measures of its unit."""
    Measure = apps.get_model("control", "Measure")
    return (
        Measure.objects.filter(
            Q(project_links__project=project) | Q(unit_id=project.unit_id, is_active=True)
        )
        .distinct()
        .only("pk", "name")
        .order_by("name", "pk")
    )


@dataclass
class DiagramNode:
    """One node of the page's nested list, with what its forms offer."""

    node: DriverNode
    depth: int
    children: list[DiagramNode] = field(default_factory=list)
    # (value, label) of the kinds that may be added under it.
    child_kinds: list[tuple[str, str]] = field(default_factory=list)
    # Nodes it may move under, and the highest place offered among their children.
    move_parents: list[DriverNode] = field(default_factory=list)
    move_places: int = 0
    measure_ids: set[int] = field(default_factory=set)
    below: int = 0  # nodes under it
    cycles_below: int = 0  # PDSA cycles of it and the change ideas under it

    @property
    def add_places(self) -> list[tuple[int, str]]:
        """Places a new child may take before the last: (position, label)."""
        return [
            (place, f"Before “{child.node.text[:60]}”")
            for place, child in enumerate(self.children, start=1)
        ]

    @property
    def move_place_range(self) -> range:
        return range(1, self.move_places + 1)


@dataclass
class DiagramPage:
    project: Project
    root: DiagramNode | None
    nodes: list[DriverNode]
    spec_json: str
    can_edit: bool
    counts: dict[str, int] = field(default_factory=dict)


def diagram_page(project: Project, user) -> DiagramPage:
    """Everything the diagram page shows, in a fixed number of queries whatever the size of
    the diagram."""
    nodes = diagram_nodes(project)
    can_edit = may_change(user, project)
    root = _tree(nodes, with_forms=can_edit)
    return DiagramPage(
        project=project,
        root=root,
        nodes=nodes,
        spec_json=_script_json(diagram_spec(nodes)) if nodes else "",
        can_edit=can_edit,
        counts=_counts(nodes),
    )


def _counts(nodes: list[DriverNode]) -> dict[str, int]:
    counts = {kind: 0 for kind in NodeKind.values}
    for node in nodes:
        counts[node.kind] += 1
    counts["cycles"] = sum(getattr(node, "cycle_count", 0) for node in nodes)
    return counts


def _tree(nodes: list[DriverNode], *, with_forms: bool) -> DiagramNode | None:
    ordered = _preorder(nodes)
    if not ordered:
        return None
    items: dict[int, DiagramNode] = {}
    root: DiagramNode | None = None
    for node in ordered:
        parent = items.get(node.parent_id) if node.parent_id else None
        item = DiagramNode(node=node, depth=parent.depth + 1 if parent else 0)
        item.measure_ids = {m.pk for m in node.measures.all()}
        items[node.pk] = item
        if parent is None:
            root = item
        else:
            parent.children.append(item)
    for item in reversed(list(items.values())):  # children before their parents
        item.cycles_below = getattr(item.node, "cycle_count", 0) + sum(
            child.cycles_below for child in item.children
        )
        item.below = sum(1 + child.below for child in item.children)
    if with_forms:
        by_kind: dict[str, list[DiagramNode]] = {}
        for item in items.values():
            by_kind.setdefault(item.node.kind, []).append(item)
        for item in items.values():
            kinds = NODE_CHILDREN[NodeKind(item.node.kind)]
            item.child_kinds = [(k.value, k.label) for k in NodeKind if k in kinds]
            if item.node.kind == NodeKind.AIM:
                continue
            inside = _subtree_ids(item)
            candidates = [
                other
                for kind, group in by_kind.items()
                if NodeKind(item.node.kind) in NODE_CHILDREN[NodeKind(kind)]
                for other in group
                if other.node.pk not in inside
            ]
            candidates.sort(key=lambda other: ordered.index(other.node))
            item.move_parents = [other.node for other in candidates]
            item.move_places = max(
                (
                    len(other.children) + (0 if other.node.pk == item.node.parent_id else 1)
                    for other in candidates
                ),
                default=1,
            )
    return root


def _subtree_ids(item: DiagramNode) -> set[int]:
    found, stack = set(), [item]
    while stack:
        current = stack.pop()
        found.add(current.node.pk)
        stack.extend(current.children)
    return found


def diagram_section(project, user) -> dict:
    """The context of the project page's diagram section (improvement/_project_diagram.html,
    given as `diagram`), loaded in a fixed number of queries: the small drawing and counts."""
    nodes = diagram_nodes(project, measures=False)
    return {
        "spec_json": _script_json(diagram_spec(nodes, compact=True)) if nodes else "",
        "counts": _counts(nodes),
        "can_edit": may_change(user, project),
    }


def prototype_list(project: Project) -> list[Prototype]:
    """The project's prototypes, those gathering feedback first, newest first within each,
    with the change idea each became (one query)."""
    order = {PrototypeStatus.OPEN: 0, PrototypeStatus.BECAME_CHANGE_IDEA: 1}
    prototypes = list(
        Prototype.objects.filter(project=project)
        .select_related("change_idea", "created_by")
        .order_by("-created_at", "-pk")
    )
    prototypes.sort(key=lambda p: order.get(p.status, 2))
    return prototypes


def prototypes_section(project, user) -> dict:
    """The context of the project page's prototypes section (improvement/_project_prototypes.html,
    given as `prototypes`), loaded in a fixed number of queries."""
    prototypes = prototype_list(project)
    return {
        "open": [p for p in prototypes if p.status == PrototypeStatus.OPEN][:5],
        "counts": {
            status: sum(1 for p in prototypes if p.status == status)
            for status in PrototypeStatus.values
        },
        "total": len(prototypes),
        "can_edit": may_change(user, project),
    }
