"""Process flows as Vega-Lite specifications: the steps of a process drawn as boxes in order,
left to right and wrapping to rows, decisions as diamonds, waits as dashed boxes marked
"Wait", arrows between; and the totals that compare a current process with a future one.

Everything is placed in pixels here (`"scale": null`), so the drawing is the same in the
browser (vega-embed) and offline (`qms.stats.vega.to_svg`). The same steps are listed in a
table on the page, which is the drawing's text alternative.

The module is pure: it imports no Django.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DIAMOND",
    "KIND_LABELS",
    "KINDS",
    "MAX_STEPS",
    "ProcessTotals",
    "compare_processes",
    "process_flow_spec",
    "process_totals",
]

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# The kinds of step (the values of qms.planning.models.StepKind, named here so this module
# stays free of Django).
KINDS = ("step", "decision", "wait")
KIND_LABELS = {"step": "Step", "decision": "Decision", "wait": "Wait or delay"}
# A process has at most this many steps (a longer one is several processes).
MAX_STEPS = 100
# A wide diamond: Vega scales a custom symbol path from its [-1, 1] square to sqrt(size).
DIAMOND = "M-1,0L0,-0.5L1,0L0,0.5Z"

_BOX_WIDTH = 150
_BOX_HEIGHT = 70
_COLUMN_GAP = 44
_ROW_GAP = 46
_PER_ROW = 4
_CHARS = 20  # characters a box's line holds at 11 px (Arial)
_NAME_LINES = 2
_INK = "#231F20"
_LINE = "#425563"
_FILLS = {"step": "#DCEAF7", "decision": "#FFF1CC", "wait": "#F0F4F5"}
_STROKES = {"step": "#005EB8", "decision": "#8A6D00", "wait": "#425563"}
_FONT = "Arial, Liberation Sans, Helvetica, sans-serif"


@dataclass(frozen=True)
class ProcessTotals:
    """A process's counts: steps of every kind, decisions, waits, and the typical minutes of
    the steps that give them (`timed` of them)."""

    steps: int
    decisions: int
    waits: int
    minutes: int
    timed: int

    @property
    def untimed(self) -> int:
        return self.steps - self.timed


def process_totals(steps: Iterable[Mapping[str, Any]]) -> ProcessTotals:
    """The totals of a process from its steps (mappings with ``kind`` and ``minutes``, which
    may be None).

    >>> process_totals([{"kind": "step", "minutes": 5}, {"kind": "wait", "minutes": None}])
    ProcessTotals(steps=2, decisions=0, waits=1, minutes=5, timed=1)
    """
    rows = list(steps)
    timed = [row["minutes"] for row in rows if row.get("minutes") is not None]
    return ProcessTotals(
        steps=len(rows),
        decisions=sum(1 for row in rows if row.get("kind") == "decision"),
        waits=sum(1 for row in rows if row.get("kind") == "wait"),
        minutes=int(sum(timed)),
        timed=len(timed),
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _difference(count: int, word: str, fewer: str, more: str) -> str:
    if count == 0:
        return f"the same number of {word}s"
    return f"{_plural(abs(count), word)} {fewer if count < 0 else more}"


def compare_processes(current: ProcessTotals, future: ProcessTotals) -> str:
    """The future process against the current one, in words.

    >>> compare_processes(ProcessTotals(10, 1, 2, 120, 10), ProcessTotals(4, 1, 0, 75, 4))
    'The future process has 6 steps fewer, 2 waits fewer and takes 45 minutes less.'
    """
    if not current.steps or not future.steps:
        missing = "current" if not current.steps else "future"
        return f"Add the steps of the {missing} process to compare the two."
    steps = _difference(future.steps - current.steps, "step", "fewer", "more")
    waits = _difference(future.waits - current.waits, "wait", "fewer", "more")
    minutes = future.minutes - current.minutes
    if minutes == 0:
        time = "takes the same time"
    else:
        time = f"takes {_plural(abs(minutes), 'minute')} {'less' if minutes < 0 else 'more'}"
    text = f"The future process has {steps}, {waits} and {time}."
    if current.untimed or future.untimed:
        text += " Some steps have no typical time, so the times are partial."
    return text


def _lines(name: str, detail: str, kind: str) -> list[str]:
    prefix = {"wait": "Wait: ", "decision": ""}.get(kind, "")
    chars = _CHARS - 4 if kind == "decision" else _CHARS
    wrapped = textwrap.wrap(prefix + name, chars) or [""]
    if len(wrapped) > _NAME_LINES:
        wrapped = wrapped[:_NAME_LINES]
        wrapped[-1] = wrapped[-1][: chars - 1].rstrip() + "…"
    if detail:
        wrapped.append(detail if len(detail) <= chars else detail[: chars - 1] + "…")
    return wrapped


def _detail(row: Mapping[str, Any]) -> str:
    parts = []
    if row.get("minutes") is not None:
        parts.append(f"{row['minutes']} min")
    if row.get("actor"):
        parts.append(str(row["actor"]))
    return " · ".join(parts)


def _place(index: int, per_row: int) -> tuple[float, float]:
    """The centre of the box at `index` (from 0), in pixels."""
    row, column = divmod(index, per_row)
    x = column * (_BOX_WIDTH + _COLUMN_GAP) + _BOX_WIDTH / 2
    y = row * (_BOX_HEIGHT + _ROW_GAP) + _BOX_HEIGHT / 2
    return x, y


def _arrows(count: int, per_row: int) -> tuple[list[dict], list[dict]]:
    """The segments of the arrows between consecutive boxes and their heads: straight along a
    row; at the end of a row, down, back to the first column and down into the next box."""
    segments: list[dict] = []
    heads: list[dict] = []
    half_w, half_h = _BOX_WIDTH / 2, _BOX_HEIGHT / 2
    for index in range(count - 1):
        (x1, y1), (x2, y2) = _place(index, per_row), _place(index + 1, per_row)
        if y1 == y2:
            segments.append({"x": x1 + half_w, "y": y1, "x2": x2 - half_w - 2, "y2": y2})
            heads.append({"x": x2 - half_w - 5, "y": y2, "angle": 90})
            continue
        middle = y1 + half_h + _ROW_GAP / 2
        segments += [
            {"x": x1, "y": y1 + half_h, "x2": x1, "y2": middle},
            {"x": x1, "y": middle, "x2": x2, "y2": middle},
            {"x": x2, "y": middle, "x2": x2, "y2": y2 - half_h - 2},
        ]
        heads.append({"x": x2, "y": y2 - half_h - 5, "angle": 180})
    return segments, heads


def _box(index: int, row: Mapping[str, Any], per_row: int) -> dict[str, Any]:
    kind = row.get("kind") or "step"
    if kind not in KINDS:
        raise ValueError(f"Unknown kind of step: {kind!r}.")
    x, y = _place(index, per_row)
    return {
        "order": index + 1,
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "name": str(row.get("name") or ""),
        "lines": _lines(str(row.get("name") or ""), _detail(row), kind),
        "actor": str(row.get("actor") or ""),
        "minutes": row.get("minutes"),
        "notes": str(row.get("notes") or ""),
        "x": x,
        "y": y,
        "x1": x - _BOX_WIDTH / 2,
        "x2": x + _BOX_WIDTH / 2,
        "y1": y - _BOX_HEIGHT / 2,
        "y2": y + _BOX_HEIGHT / 2,
    }


def _pixels(field: str) -> dict[str, Any]:
    return {"field": field, "type": "quantitative", "scale": None, "axis": None}


def process_flow_spec(
    steps: Sequence[Mapping[str, Any]], *, title: str | None = None, per_row: int = _PER_ROW
) -> dict[str, Any]:
    """A Vega-Lite specification drawing a process as a flow.

    Parameters
    ----------
    steps : sequence of mappings
        In the order of the process: ``name``, ``kind`` (one of `KINDS`; default "step"),
        ``actor`` (who does it), ``minutes`` (typical time, or None) and ``notes``.
    title : str, optional
        A title drawn above the flow.
    per_row : int, default 4
        Boxes per row before the flow wraps to the next row.

    Returns
    -------
    dict
        A layered Vega-Lite v5 specification (JSON-ready): connectors (``rule``), arrow heads
        (``point`` triangles), steps and waits (``rect``, waits dashed), decisions (``point``
        with the `DIAMOND` shape) and the text of each box.

    Raises
    ------
    ValueError
        With no steps, more than `MAX_STEPS`, or an unknown kind.

    Examples
    --------
    >>> spec = process_flow_spec([{"name": "Referral"}, {"name": "Urgent?", "kind": "decision"}])
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['rule', 'point', 'rect', 'point', 'text']
    """
    if not steps:
        raise ValueError("A flow needs at least one step.")
    if len(steps) > MAX_STEPS:
        raise ValueError(f"A flow has at most {MAX_STEPS} steps.")
    per_row = max(1, int(per_row))
    boxes = [_box(index, row, per_row) for index, row in enumerate(steps)]
    segments, heads = _arrows(len(boxes), per_row)
    rows = (len(boxes) - 1) // per_row + 1
    columns = min(len(boxes), per_row)
    totals = process_totals(steps)
    tooltip = [
        {"field": "order", "title": "Order"},
        {"field": "name", "title": "Name"},
        {"field": "kind_label", "title": "Kind"},
        {"field": "actor", "title": "Who"},
        {"field": "minutes", "title": "Typical minutes"},
        {"field": "notes", "title": "Notes"},
    ]
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "description": (
            f"Process flow of {_plural(totals.steps, 'step')}, "
            f"{_plural(totals.decisions, 'decision')} and {_plural(totals.waits, 'wait')}, "
            f"{_plural(totals.minutes, 'minute')} in all: "
            + "; ".join(f"{box['order']}. {box['name']}" for box in boxes)
        ),
        "width": columns * (_BOX_WIDTH + _COLUMN_GAP) - _COLUMN_GAP,
        "height": rows * (_BOX_HEIGHT + _ROW_GAP) - _ROW_GAP,
        "padding": 8,
        "background": "white",
        "config": {"view": {"stroke": None}, "text": {"font": _FONT}},
        "layer": [
            {
                "data": {"values": segments},
                "mark": {"type": "rule", "color": _LINE, "strokeWidth": 1.5},
                "encoding": {
                    "x": _pixels("x"),
                    "y": _pixels("y"),
                    "x2": {"field": "x2"},
                    "y2": {"field": "y2"},
                },
            },
            {
                "data": {"values": heads},
                "mark": {"type": "point", "shape": "triangle", "filled": True, "size": 60},
                "encoding": {
                    "x": _pixels("x"),
                    "y": _pixels("y"),
                    "angle": {"field": "angle", "type": "quantitative", "scale": None},
                    "color": {"value": _LINE},
                },
            },
            {
                "data": {"values": boxes},
                "transform": [{"filter": "datum.kind !== 'decision'"}],
                "mark": {"type": "rect", "cornerRadius": 4, "strokeWidth": 1.5},
                "encoding": {
                    "x": _pixels("x1"),
                    "x2": {"field": "x2"},
                    "y": _pixels("y1"),
                    "y2": {"field": "y2"},
                    "fill": _by_kind(_FILLS),
                    "stroke": _by_kind(_STROKES),
                    "strokeDash": {
                        "condition": {"test": "datum.kind === 'wait'", "value": [6, 4]},
                        "value": [1, 0],
                    },
                    "tooltip": tooltip,
                },
            },
            {
                "data": {"values": boxes},
                "transform": [{"filter": "datum.kind === 'decision'"}],
                "mark": {
                    "type": "point",
                    "shape": DIAMOND,
                    "filled": True,
                    "size": (_BOX_WIDTH + 10) ** 2,
                    "strokeWidth": 1.5,
                },
                "encoding": {
                    "x": _pixels("x"),
                    "y": _pixels("y"),
                    "fill": {"value": _FILLS["decision"]},
                    "stroke": {"value": _STROKES["decision"]},
                    "opacity": {"value": 1},
                    "tooltip": tooltip,
                },
            },
            {
                "data": {"values": boxes},
                "mark": {
                    "type": "text",
                    "align": "center",
                    "baseline": "middle",
                    "fontSize": 11,
                    "lineHeight": 13,
                    "color": _INK,
                },
                "encoding": {
                    "x": _pixels("x"),
                    "y": _pixels("y"),
                    "text": {"field": "lines"},
                    "tooltip": tooltip,
                },
            },
        ],
    }
    if title:
        spec["title"] = {"text": title, "anchor": "start", "font": _FONT}
    return spec


def _by_kind(values: Mapping[str, str]) -> dict[str, Any]:
    return {
        "field": "kind",
        "type": "nominal",
        "scale": {"domain": list(values), "range": list(values.values())},
        "legend": None,
    }
