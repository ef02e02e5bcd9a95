"""Pareto analysis: categories ranked by count with their cumulative share, and its Vega-Lite
chart (bars for the counts, a line for the cumulative share, a reference line at 80%).

A Pareto chart shows "the vital few": the categories that together account for most of the
occurrences (Juran's Pareto principle; the 80% line is the customary reference, not a rule).
Pure: no Django, JSON-ready output.

>>> rows = pareto_rows([("Workload", 6), ("Equipment", 3), ("Handover", 1)])
>>> [(row.category, row.count, row.share, row.cumulative) for row in rows]
[('Workload', 6, 0.6, 0.6), ('Equipment', 3, 0.3, 0.9), ('Handover', 1, 0.1, 1.0)]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .vega import SCHEMA

__all__ = ["PARETO_REFERENCE", "ParetoRow", "pareto_rows", "pareto_spec"]

# The customary reference line of a Pareto chart: the few categories that make up 80%.
PARETO_REFERENCE = 0.8

_BAR = "#005EB8"  # NHS blue: 6.7:1 on white
_LINE = "#231F20"  # ink
_REFERENCE = "#425563"  # NHS dark grey
_FONT = "Arial, Liberation Sans, Helvetica, sans-serif"


@dataclass(frozen=True)
class ParetoRow:
    """One category: its `count`, its `share` of all counts and the `cumulative` share of it
    and every category ranked above it (both between 0 and 1)."""

    category: str
    count: int
    share: float
    cumulative: float


def pareto_rows(counts: Iterable[tuple[str, int]]) -> list[ParetoRow]:
    """Categories ranked by count, highest first (ties keep the order given), with their
    share and cumulative share of the total. Counts must be whole and not negative; categories
    counted zero times are left out.

    >>> pareto_rows([])
    []
    """
    items = []
    for category, count in counts:
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"The count of {category!r} must be a whole number, 0 or more.")
        if count:
            items.append((category, count))
    items.sort(key=lambda item: -item[1])  # stable: ties keep their order
    total = sum(count for _, count in items)
    rows, running = [], 0
    for category, count in items:
        running += count
        rows.append(ParetoRow(category, count, round(count / total, 4), round(running / total, 4)))
    return rows


def pareto_spec(
    rows: Sequence[ParetoRow],
    *,
    links: Sequence[str] | None = None,
    count_title: str = "Count",
    title: str | None = None,
    reference: float = PARETO_REFERENCE,
    width: int | str = 600,
    height: int = 280,
) -> dict[str, Any]:
    """A Vega-Lite v5 specification of a Pareto chart of `rows` (from `pareto_rows`): bars
    for the counts on the left axis, the cumulative share as a line with points on the right
    axis (0 to 100%), and a dashed reference line at `reference` (80%). `links`, one a row,
    make each bar a link (to the records behind it). The same data belong in a table beside
    the chart, for those who do not see it."""
    if links is not None and len(links) != len(rows):
        raise ValueError("Give one link a row, or none.")
    values = [
        {
            "rank": index,
            "category": row.category,
            "count": row.count,
            "share": row.share,
            "cumulative": row.cumulative,
            **({"url": links[index]} if links is not None else {}),
        }
        for index, row in enumerate(rows)
    ]
    x = {
        "field": "category",
        "type": "nominal",
        "sort": {"field": "rank", "order": "ascending"},
        "title": None,
        "axis": {"labelAngle": -40, "labelLimit": 160, "labelFontSize": 11},
    }
    tooltip = [
        {"field": "category", "title": "Factor"},
        {"field": "count", "title": count_title},
        {"field": "share", "title": "Share", "format": ".0%"},
        {"field": "cumulative", "title": "Cumulative share", "format": ".0%"},
    ]
    share_axis = {"format": "%", "orient": "right", "grid": False, "title": "Cumulative share"}
    bars: dict[str, Any] = {
        "mark": {"type": "bar", "color": _BAR},
        "encoding": {
            "x": x,
            "y": {"field": "count", "type": "quantitative", "title": count_title,
                  "axis": {"tickMinStep": 1}},
            "tooltip": tooltip,
            **({"href": {"field": "url"}} if links is not None else {}),
        },
    }  # fmt: skip
    line: dict[str, Any] = {
        "mark": {"type": "line", "color": _LINE, "point": {"color": _LINE, "size": 40}},
        "encoding": {
            "x": x,
            "y": {"field": "cumulative", "type": "quantitative",
                  "scale": {"domain": [0, 1]}, "axis": share_axis},
            "tooltip": tooltip,
        },
    }  # fmt: skip
    rule: dict[str, Any] = {
        "data": {"values": [{"reference": reference, "label": f"{reference:.0%}"}]},
        "layer": [
            {
                "mark": {"type": "rule", "color": _REFERENCE, "strokeDash": [6, 4]},
                "encoding": {"y": {"field": "reference", "type": "quantitative",
                                   "scale": {"domain": [0, 1]}, "axis": None}},
            },
            {
                "mark": {"type": "text", "align": "right", "dx": -2, "dy": -6,
                         "color": _REFERENCE, "x": "width"},
                "encoding": {
                    "y": {"field": "reference", "type": "quantitative",
                          "scale": {"domain": [0, 1]}, "axis": None},
                    "text": {"field": "label"},
                },
            },
        ],
    }  # fmt: skip
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "width": width,
        "height": height,
        "data": {"values": values},
        "config": {"font": _FONT, "view": {"stroke": None}},
        # Each layer its own y scale (counts; the share, 0 to 1, for the line and the
        # reference alike), the reference drawing no axis of its own.
        "layer": [bars, line, rule],
        "resolve": {"scale": {"y": "independent"}},
    }
    if title:
        spec["title"] = {"text": title, "anchor": "start"}
    if rows:
        first = "; ".join(f"{r.category} {r.count} ({r.cumulative:.0%} so far)" for r in rows[:5])
        more = "; and more" if len(rows) > 5 else ""
        spec["description"] = (
            f"Pareto chart of {len(rows)} categories, highest first: {first}{more}"
        )
    return spec
