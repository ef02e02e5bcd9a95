"""The chart of a clinical audit: compliance per criterion as a dot with its confidence
interval, and a tick at the compliance expected; one colour (and shape) per audit when a
re-audit is compared with the audit before it. A Vega-Lite specification, drawn by vega-embed.

Pure Python. Each row is a mapping with `criterion` (the label on the axis), `audit` (the
audit's name, for the legend), `estimate`, `lower`, `upper` (percentages, None without data)
and `expected` (percentage).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qms.stats.vega import SCHEMA

__all__ = ["compliance_spec"]

_FONT = "Arial, Liberation Sans, Helvetica, sans-serif"
_INK = "#231F20"
_EXPECTED = "#DE1B1B"
# NHS blue and NHS dark pink: distinguishable in grey and for colour vision deficiency, and the
# audits also differ in shape, so colour is never the only way to tell them apart.
_AUDIT_COLOURS = ["#005EB8", "#7C2855", "#330072", "#006747"]
_SHAPES = ["circle", "diamond", "square", "triangle-up"]


def compliance_spec(
    rows: Sequence[Mapping[str, Any]], *, title: str, description: str = ""
) -> dict[str, Any]:
    """A Vega-Lite specification: one band per criterion (y), compliance 0 to 100% (x), the
    interval as a rule, the estimate as a point, the expected compliance as a red tick.

    >>> spec = compliance_spec(
    ...     [{"criterion": "1. Consent recorded", "audit": "2026", "estimate": 80.0,
    ...       "lower": 70.0, "upper": 88.0, "expected": 95.0}], title="Consent")
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['tick', 'rule', 'point']
    """
    values = [
        {
            "criterion": str(row["criterion"]),
            "audit": str(row.get("audit", "")),
            "estimate": _number(row.get("estimate")),
            "lower": _number(row.get("lower")),
            "upper": _number(row.get("upper")),
            "expected": _number(row.get("expected")),
        }
        for row in rows
    ]
    audits = list(dict.fromkeys(value["audit"] for value in values))
    several = len(audits) > 1
    y = {
        "field": "criterion",
        "type": "nominal",
        "title": None,
        "sort": None,
        "axis": {"labelLimit": 220, "labelFontSize": 12},
    }
    offset = {"yOffset": {"field": "audit", "type": "nominal", "sort": audits}} if several else {}
    audit_scale = {"domain": audits, "range": _AUDIT_COLOURS[: len(audits)] or _AUDIT_COLOURS[:1]}
    colour = {
        "color": {
            "field": "audit",
            "type": "nominal",
            "title": "Audit",
            "scale": audit_scale,
            "legend": {"orient": "bottom"} if several else None,
        }
    }
    x = {
        "field": "estimate",
        "type": "quantitative",
        "title": "Compliance (%), with 95% confidence interval",
        "scale": {"domain": [0, 100]},
        "axis": {"values": list(range(0, 101, 10))},
    }
    tooltip = [
        {"field": "criterion", "title": "Criterion"},
        {"field": "audit", "title": "Audit"},
        {"field": "estimate", "title": "Compliance %", "format": ".1f"},
        {"field": "lower", "title": "Lower 95%", "format": ".1f"},
        {"field": "upper", "title": "Upper 95%", "format": ".1f"},
        {"field": "expected", "title": "Expected %", "format": ".0f"},
    ]
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "anchor": "start", "font": _FONT, "color": _INK},
        "description": description or f"Compliance per criterion: {title}",
        "width": 600,
        "height": {"step": 36 if several else 30},
        "data": {"values": values},
        "encoding": {"y": y, **offset},
        "layer": [
            {
                "mark": {"type": "tick", "color": _EXPECTED, "thickness": 3, "size": 18},
                "encoding": {
                    "x": {"field": "expected", "type": "quantitative"},
                    "tooltip": [{"field": "expected", "title": "Expected %", "format": ".0f"}],
                },
            },
            {
                "mark": {"type": "rule", "strokeWidth": 2},
                "transform": [{"filter": "datum.lower !== null"}],
                "encoding": {
                    "x": {**x, "field": "lower"},
                    "x2": {"field": "upper"},
                    **colour,
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 90},
                "transform": [{"filter": "datum.estimate !== null"}],
                "encoding": {
                    "x": x,
                    **colour,
                    "shape": {
                        "field": "audit",
                        "type": "nominal",
                        "scale": {"domain": audits, "range": _SHAPES[: len(audits)] or _SHAPES[:1]},
                        "legend": {"orient": "bottom"} if several else None,
                        "title": "Audit",
                    },
                    "tooltip": tooltip,
                },
            },
        ],
        "config": {"font": _FONT, "axis": {"labelColor": _INK, "titleColor": _INK}},
    }


def _number(value: Any) -> float | None:
    if value is None:
        return None
    return round(float(value), 2)
