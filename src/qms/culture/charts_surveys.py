"""Surveys over time as Vega-Lite specifications (drawn by the shell's chart.js, with the same
numbers in a table on the page as the text alternative): a unit's relational coordination
index or pulse score for each closed run, and each workgroup pair's index, one small chart a
pair. Only what the results show (suppressed cells are absent) reaches a chart."""

from __future__ import annotations

from typing import Any

from qms.culture import instruments

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_FONT = "Arial, Liberation Sans, Helvetica, sans-serif"
_BLUE = "#005EB8"  # NHS blue, as the other charts


def trend_spec(points, title: str, top: int) -> dict[str, Any] | None:
    """The score of each closed run with a score, oldest first; None with fewer than two
    (one point is not a trend: the page says the score in words)."""
    values = [
        {"closed": p.run.closes_on.isoformat(), "score": round(p.score, 2), "run": p.run.title}
        for p in points
        if p.score is not None
    ]
    if len(values) < 2:
        return None
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "line", "point": {"filled": True, "size": 70}, "color": _BLUE},
            "encoding": {
                "x": {
                    "field": "closed",
                    "type": "temporal",
                    "title": "Survey closed",
                    "axis": {"format": "%b %Y", "tickCount": 4},
                },
                "y": {
                    "field": "score",
                    "type": "quantitative",
                    "title": title,
                    "scale": {"domain": [1, top]},
                },
                "tooltip": [
                    {"field": "run", "title": "Survey"},
                    {"field": "closed", "type": "temporal", "title": "Closed"},
                    {"field": "score", "title": title, "format": ".2f"},
                ],
            },
        }
    ]
    if top == instruments.RC_SCALE_TOP:
        layers.append(_bands())
    return {
        "$schema": SCHEMA,
        "title": title,
        "description": f"{title} over time: "
        + "; ".join(f"{v['closed']} {v['score']}" for v in values),
        "width": 600,
        "height": 220,
        "background": "white",
        "config": {"font": _FONT},
        "data": {"values": values},
        "layer": layers,
    }


def _bands() -> dict[str, Any]:
    """Gittell's thresholds as dashed rules, labelled in words (not colour alone)."""
    return {
        "data": {
            "values": [
                {"y": instruments.RC_WEAK_BELOW, "label": "weak below 3.5"},
                {"y": instruments.RC_STRONG_ABOVE, "label": "strong above 4.0"},
            ]
        },
        "layer": [
            {
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#425563"},
                "encoding": {"y": {"field": "y", "type": "quantitative"}},
            },
            {
                "mark": {"type": "text", "align": "right", "dx": -4, "dy": -6, "color": "#425563"},
                "encoding": {
                    "y": {"field": "y", "type": "quantitative"},
                    "x": {"value": "width"},
                    "text": {"field": "label"},
                },
            },
        ],
    }


def ties_spec(rows: list[dict]) -> dict[str, Any] | None:
    """Each workgroup pair ("nurses → doctors") as a row, with a point for its index in each
    survey (one shape and colour per survey, named in the legend): how each tie changed. None
    unless some pair was shown in two surveys or more."""
    seen: dict[str, int] = {}
    for row in rows:
        seen[row["tie"]] = seen.get(row["tie"], 0) + 1
    if not any(count > 1 for count in seen.values()):
        return None
    surveys = sorted({row["closed"] for row in rows})[-len(_SURVEY_COLOURS) :]
    rows = [row for row in rows if row["closed"] in surveys]
    return {
        "$schema": SCHEMA,
        "description": "Each workgroup pair's relational coordination index in each survey",
        "width": 600,
        "height": {"step": 18},
        "background": "white",
        "config": {"font": _FONT},
        "data": {"values": rows},
        "layer": [
            {
                "mark": {"type": "rule", "color": "#aeb7bd"},
                "encoding": {
                    "y": {"field": "tie", "type": "nominal", "sort": list(seen), "title": None},
                    "x": {
                        "aggregate": "min",
                        "field": "index",
                        "type": "quantitative",
                        "scale": {"domain": [1, 5]},
                    },
                    "x2": {"aggregate": "max", "field": "index"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 70},
                "encoding": {
                    "y": {"field": "tie", "type": "nominal", "sort": list(seen), "title": None},
                    "x": {
                        "field": "index",
                        "type": "quantitative",
                        "title": "Relational coordination index (1 to 5)",
                        "scale": {"domain": [1, 5]},
                    },
                    "color": {
                        "field": "closed",
                        "type": "ordinal",
                        "title": "Survey closed",
                        "scale": {"domain": surveys, "range": _SURVEY_COLOURS[-len(surveys) :]},
                        "legend": {"orient": "bottom"},
                    },
                    "shape": {
                        "field": "closed",
                        "type": "ordinal",
                        "scale": {"domain": surveys, "range": _SURVEY_SHAPES[-len(surveys) :]},
                    },
                    "tooltip": [
                        {"field": "tie", "title": "Pair"},
                        {"field": "closed", "title": "Survey closed"},
                        {"field": "index", "title": "Index", "format": ".2f"},
                    ],
                },
            },
        ],
    }


# The latest four surveys: older ones grey, the latest NHS blue, each its own shape too (not
# colour alone).
_SURVEY_COLOURS = ["#aeb7bd", "#768692", "#425563", "#005EB8"]
_SURVEY_SHAPES = ["square", "triangle-up", "diamond", "circle"]
