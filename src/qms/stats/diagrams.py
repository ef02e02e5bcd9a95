"""Driver diagrams as Vega specifications: a project's theory of change drawn left to right
(aim, primary drivers, secondary drivers, change ideas) with Vega's tree layout.

`driver_diagram_spec` turns plain node dictionaries into a JSON-ready Vega v6 specification
(not Vega-Lite: the tree layout, `stratify`, `tree`, `treelinks` and `linkpath`, is Vega's);
`to_svg` and `to_png` render it offline through `vl_convert`, the same specification the
browser draws with vega-embed.

The module is pure: it imports no Django and `vl_convert` only inside the functions that
render.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "KINDS",
    "KIND_LABELS",
    "driver_diagram_spec",
    "to_png",
    "to_svg",
]

SCHEMA = "https://vega.github.io/schema/vega/v6.json"  # the Vega that vl_convert ships

# The kinds of node, in the order of the diagram's columns (the values of
# qms.improvement.models.NodeKind, named here so this module stays free of Django).
KINDS = ("aim", "primary", "secondary", "change_idea")
KIND_LABELS = {
    "aim": "Aim",
    "primary": "Primary driver",
    "secondary": "Secondary driver",
    "change_idea": "Change idea",
}
# Strong colours for the boxes' borders and the legend (NHS identity palette) and light tints
# of them to fill the boxes, so dark text on every box passes WCAG AA contrast.
_STROKES = {
    "aim": "#003087",
    "primary": "#005EB8",
    "secondary": "#007F3B",
    "change_idea": "#8A1538",
}
_FILLS = {"aim": "#D9E1F2", "primary": "#DCEAF7", "secondary": "#DAF0E3", "change_idea": "#F4DDE4"}
_INK = "#231F20"
_MUTED = "#425563"
_LINK = "#768692"
_FONT = "Arial, Liberation Sans, Helvetica, sans-serif"


class _Layout:
    """Sizes of one drawing, in pixels: the full diagram or the project page's small one."""

    def __init__(self, *, compact: bool) -> None:
        self.compact = compact
        self.font_size = 11 if compact else 12
        self.line_height = 13 if compact else 15
        self.chars = 24 if compact else 27  # characters per line at that size (Arial)
        self.max_lines = 1 if compact else 3
        self.box_width = 160 if compact else 196
        self.column_gap = 36 if compact else 48
        self.padding = 6 if compact else 8
        # A change idea shows its count of PDSA cycles on a line of its own.
        self.box_height = self.padding * 2 + self.line_height * (self.max_lines + 1)
        self.row_height = self.box_height + (10 if compact else 16)

    @property
    def column_width(self) -> int:
        return self.box_width + self.column_gap


def driver_diagram_spec(
    nodes: Iterable[Mapping[str, Any]],
    *,
    compact: bool = False,
    title: str | None = None,
) -> dict[str, Any]:
    """A Vega specification drawing a driver diagram as a tree, left to right.

    Each column holds one kind of node (aim, primary drivers, secondary drivers, change
    ideas), so a change idea hanging straight from a primary driver still sits with the other
    change ideas. Links are curved paths from each node to its children. Text is wrapped (and
    cut with an ellipsis past its lines), the full text in the tooltip; each change idea shows
    its count of PDSA cycles; boxes are coloured by kind, with a legend; each box links to
    its node (`href`). The width grows with the columns used and the height with the leaves,
    so a large diagram scrolls rather than shrinks.

    Parameters
    ----------
    nodes : iterable of mappings
        One per node, siblings in the order to draw them: ``id`` (int or str, unique),
        ``parent`` (the parent's id; None for the one root), ``kind`` (one of `KINDS`),
        ``text``, ``cycles`` (number of PDSA cycles, for change ideas; optional, default 0)
        and ``href`` (optional; default ``#node-<id>``).
    compact : bool, default False
        The small drawing of the project page: one line of text per box, smaller boxes.
    title : str, optional
        A title drawn above the diagram.

    Returns
    -------
    dict
        A Vega v6 specification (JSON-ready).

    Raises
    ------
    ValueError
        When the nodes do not make one tree: no root or several, a duplicate id, a parent that
        is not among the nodes, a loop, or an unknown kind.

    Examples
    --------
    >>> spec = driver_diagram_spec([
    ...     {"id": 1, "parent": None, "kind": "aim", "text": "Halve falls by 2027"},
    ...     {"id": 2, "parent": 1, "kind": "primary", "text": "Safe mobility"},
    ...     {"id": 3, "parent": 2, "kind": "change_idea", "text": "Falls huddle", "cycles": 2},
    ... ])
    >>> [t["type"] for t in spec["data"][0]["transform"][:2]]
    ['stratify', 'tree']
    >>> spec["width"] > spec["height"]
    True
    """
    rows = [dict(node) for node in nodes]
    _check_tree(rows)
    layout = _Layout(compact=compact)
    values = [_value(row, layout) for row in rows]
    columns = max(KINDS.index(row["kind"]) for row in rows) + 1
    parents = {row["parent"] for row in rows}
    leaves = sum(1 for row in rows if row["id"] not in parents)
    width = columns * layout.column_width - layout.column_gap
    height = max(1, leaves) * layout.row_height
    kinds_shown = [kind for kind in KINDS if any(row["kind"] == kind for row in rows)]
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "description": "Driver diagram: "
        + "; ".join(
            f"{sum(1 for row in rows if row['kind'] == kind)} {KIND_LABELS[kind].lower()}"
            + ("s" if sum(1 for row in rows if row["kind"] == kind) != 1 else "")
            for kind in kinds_shown
        ),
        "width": width,
        "height": height,
        "padding": 8,
        "autosize": "pad",
        "background": "white",
        "config": {
            "text": {"font": _FONT},
            "legend": {"labelFont": _FONT, "titleFont": _FONT, "labelColor": _INK},
            "title": {"font": _FONT, "color": _INK},
        },
        "signals": [
            {"name": "boxWidth", "value": layout.box_width},
            {"name": "boxHeight", "value": layout.box_height},
            {"name": "columnWidth", "value": layout.column_width},
        ],
        "data": [
            {
                "name": "tree",
                "values": values,
                "transform": [
                    {"type": "stratify", "key": "id", "parentKey": "parent"},
                    {
                        "type": "tree",
                        # A dendrogram: every leaf has a row of its own and each node
                        # sits level with the middle of its children, so boxes in one
                        # column never overlap, whatever the depth of each change idea.
                        "method": "cluster",
                        "separation": False,
                        # Breadth down the page (y), depth across (x): left to right.
                        "size": [{"signal": "height"}, {"signal": "width"}],
                        "as": ["y", "depth_x", "depth", "children"],
                    },
                    # Columns by kind, not by depth (see above).
                    {"type": "formula", "as": "x", "expr": "datum.column * columnWidth"},
                    {"type": "formula", "as": "right", "expr": "datum.x + boxWidth"},
                ],
            },
            {
                "name": "links",
                "source": "tree",
                "transform": [
                    {"type": "treelinks"},
                    {
                        "type": "linkpath",
                        "orient": "horizontal",
                        "shape": "diagonal",
                        "sourceX": "source.right",
                        "sourceY": "source.y",
                        "targetX": "target.x",
                        "targetY": "target.y",
                    },
                ],
            },
        ],
        "scales": [
            {
                "name": "fill",
                "type": "ordinal",
                "domain": [KIND_LABELS[kind] for kind in kinds_shown],
                "range": [_FILLS[kind] for kind in kinds_shown],
            },
            {
                "name": "stroke",
                "type": "ordinal",
                "domain": [KIND_LABELS[kind] for kind in kinds_shown],
                "range": [_STROKES[kind] for kind in kinds_shown],
            },
        ],
        "legends": [
            {
                "fill": "fill",
                "stroke": "stroke",
                "orient": "top",
                "direction": "horizontal",
                "symbolType": "square",
                "symbolSize": 150,
                "symbolStrokeWidth": 2,
                "labelFontSize": layout.font_size,
                "labelLimit": 200,
                "columnPadding": 12,
                "aria": False,
            }
        ],
        "marks": [
            {
                "type": "path",
                "from": {"data": "links"},
                "aria": False,
                "encode": {
                    "update": {
                        "path": {"field": "path"},
                        "stroke": {"value": _LINK},
                        "strokeWidth": {"value": 1.5},
                    }
                },
            },
            {
                "type": "group",
                "name": "node",
                "from": {"data": "tree"},
                "encode": {
                    "update": {
                        "x": {"field": "x"},
                        "y": {"signal": "datum.y - boxHeight / 2"},
                        "width": {"signal": "boxWidth"},
                        "height": {"signal": "boxHeight"},
                        "fill": {"scale": "fill", "field": "kindLabel"},
                        "stroke": {"scale": "stroke", "field": "kindLabel"},
                        "strokeWidth": {"value": 2},
                        "cornerRadius": {"value": 4},
                        "href": {"field": "href"},
                        "cursor": {"value": "pointer"},
                        "tooltip": {"signal": "datum.tooltip"},
                        "description": {"signal": "datum.description"},
                    }
                },
                "marks": [
                    {
                        "type": "text",
                        "interactive": False,
                        "aria": False,
                        "encode": {
                            "update": {
                                "x": {"value": layout.padding},
                                "y": {"value": layout.padding},
                                "baseline": {"value": "top"},
                                "text": {"signal": "parent.lines"},
                                "fontSize": {"value": layout.font_size},
                                "lineHeight": {"value": layout.line_height},
                                "fill": {"value": _INK},
                                "fontWeight": {"signal": "parent.weight"},
                            }
                        },
                    },
                    {
                        "type": "text",
                        "interactive": False,
                        "aria": False,
                        "encode": {
                            "update": {
                                "x": {"value": layout.padding},
                                "y": {"signal": f"boxHeight - {layout.padding}"},
                                "baseline": {"value": "bottom"},
                                "text": {"signal": "parent.cyclesText"},
                                "fontSize": {"value": layout.font_size - 1},
                                "fill": {"value": _MUTED},
                            }
                        },
                    },
                ],
            },
        ],
    }
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 14}
    return spec


def _value(row: Mapping[str, Any], layout: _Layout) -> dict[str, Any]:
    """The data row Vega reads for one node."""
    kind = row["kind"]
    text = " ".join(str(row.get("text") or "").split())
    cycles = int(row.get("cycles") or 0)
    label = KIND_LABELS[kind]
    cycles_text = ""
    if kind == "change_idea":
        cycles_text = {0: "No PDSA cycles yet", 1: "1 PDSA cycle"}.get(
            cycles, f"{cycles} PDSA cycles"
        )
    tooltip: dict[str, Any] = {"title": label, "Text": text}
    if kind == "change_idea":
        tooltip["PDSA cycles"] = cycles
    return {
        "id": row["id"],
        "parent": row["parent"],
        "kind": kind,
        "kindLabel": label,
        "column": KINDS.index(kind),
        "text": text,
        "lines": _wrap(text, layout.chars, layout.max_lines),
        "weight": "bold" if kind == "aim" else "normal",
        "cycles": cycles,
        "cyclesText": cycles_text,
        "href": row.get("href") or f"#node-{row['id']}",
        "tooltip": tooltip,
        "description": f"{label}: {text}" + (f" ({cycles_text})" if cycles_text else ""),
    }


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    """The text in lines of at most `width` characters, at most `max_lines` of them; the last
    kept line ends with an ellipsis when text was cut."""
    lines = textwrap.wrap(text, width=width, break_long_words=True) or [""]
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    if len(last) >= width:
        last = last[: width - 1].rstrip()
    kept[-1] = last + "…"
    return kept


def _check_tree(rows: list[dict[str, Any]]) -> None:
    """ValueError unless the rows make one tree of known kinds."""
    if not rows:
        raise ValueError("A driver diagram needs at least its aim.")
    ids: dict[Any, dict[str, Any]] = {}
    for row in rows:
        for key in ("id", "kind"):
            if key not in row:
                raise ValueError(f"Every node needs {key!r}: {row!r}")
        row.setdefault("parent", None)
        if row["kind"] not in KIND_LABELS:
            raise ValueError(f"Unknown kind of node {row['kind']!r} (node {row['id']!r}).")
        if row["id"] in ids:
            raise ValueError(f"Node {row['id']!r} appears twice.")
        ids[row["id"]] = row
    roots = [row["id"] for row in rows if row["parent"] is None]
    if len(roots) != 1:
        raise ValueError(f"A driver diagram has one root; these nodes have none: {roots!r}.")
    for row in rows:
        if row["parent"] is not None and row["parent"] not in ids:
            raise ValueError(f"Node {row['id']!r} names a parent that is not in the diagram.")
    for row in rows:  # every chain of parents ends at the root
        seen = {row["id"]}
        parent = row["parent"]
        while parent is not None:
            if parent in seen:
                raise ValueError(f"Node {row['id']!r} is its own ancestor.")
            seen.add(parent)
            parent = ids[parent]["parent"]


def to_svg(spec: Mapping[str, Any]) -> str:
    """Render a Vega specification (such as `driver_diagram_spec`'s) to SVG, offline.

    Examples
    --------
    >>> svg = to_svg(driver_diagram_spec([{"id": 1, "parent": None, "kind": "aim",
    ...                                    "text": "Zero pressure ulcers"}]))
    >>> "Zero pressure ulcers" in svg
    True
    """
    import vl_convert

    return vl_convert.vega_to_svg(_for_file(spec), allowed_base_urls=[])


def to_png(spec: Mapping[str, Any], scale: float = 2) -> bytes:
    """Render a Vega specification to a PNG image, offline; `scale` 2 is sharp in print.

    Examples
    --------
    >>> png = to_png(driver_diagram_spec([{"id": 1, "parent": None, "kind": "aim",
    ...                                    "text": "Zero pressure ulcers"}]), scale=1)
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    import vl_convert

    return vl_convert.vega_to_png(_for_file(spec), scale=float(scale), allowed_base_urls=[])


def _for_file(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The specification for a file read away from QMS: links only where they are absolute
    (vl_convert would resolve a relative one against Vega's own data site)."""
    copied = json.loads(json.dumps(spec))
    for data in copied.get("data", []):
        for value in data.get("values") or []:
            href = value.get("href") if isinstance(value, dict) else None
            if href is not None and not str(href).startswith(("https://", "http://")):
                value["href"] = None
    return copied
