"""The funnel plot as a Vega-Lite specification: each unit a point at its denominator and value,
the target line, the 95% and 99.8% limit curves, a tooltip per point, and units outside the
99.8% limits marked three ways (shape, colour and their name written beside them), so colour is
never the only cue. Pure Python; no Django. The page shows the same numbers in a table.

>>> from qms.stats.funnel import funnel
>>> spec = funnel_chart_spec(funnel([10, 30, 90], [100, 200, 300], kind="proportion"),
...                          value_title="Proportion", x_title="Cases")
>>> [row["flag"] for row in spec["layer"][-2]["data"]["values"]]
['Lower than expected', 'Within the limits', 'Higher than expected']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qms.stats.funnel import Funnel
from qms.stats.mdc import BLUE, GREY, ORANGE, PURPLE
from qms.stats.vega import SCHEMA

__all__ = ["flag_words", "funnel_chart_spec"]

_INK = "#231F20"
_MUTED = "#425563"
_LIMIT = "#4D5255"
_FONT = "Arial, Liberation Sans, Helvetica, sans-serif"
# 95% limits dashed finely, 99.8% more coarsely: told apart without colour (as control's
# charts draw their limits dashed).
_DASH_95 = [2, 3]
_DASH_998 = [7, 4]
_LEVEL_95 = "95% limits"
_LEVEL_998 = "99.8% limits"


def flag_words(flag: str, better: str | None) -> str:
    """A flag in words: "Better than expected" / "Worse than expected" when the measure has a
    direction (`better` is "high" or "low"), else "Higher" / "Lower than expected"."""
    if flag == "within":
        return "Within the limits"
    if better in ("high", "low"):
        return "Better than expected" if flag == better else "Worse than expected"
    return "Higher than expected" if flag == "high" else "Lower than expected"


def _colour(words: str) -> str:
    return {
        "Within the limits": GREY,
        "Better than expected": BLUE,
        "Worse than expected": ORANGE,
    }.get(words, PURPLE)


def _shape(flag: str) -> str:
    return {"high": "triangle-up", "low": "triangle-down"}.get(flag, "circle")


def funnel_chart_spec(
    result: Funnel,
    *,
    value_title: str,
    x_title: str,
    multiply: float = 1.0,
    labels: Mapping[str, str] | None = None,
    urls: Mapping[str, str] | None = None,
    better: str | None = None,
    value_format: str = ".3~f",
    points: int = 120,
    title: str | None = None,
) -> dict[str, Any]:
    """A Vega-Lite funnel plot of `result`.

    Parameters
    ----------
    result : Funnel
        From `qms.stats.funnel.funnel`.
    value_title, x_title : str
        Axis titles (e.g. "Falls per 1,000 bed days, as a ratio to expected", "Expected
        falls").
    multiply : float, default 1.0
        Values and limits are multiplied by it for display (100 for percentages).
    labels : mapping of group to str, optional
        Names to show for the groups (default: the group names).
    urls : mapping of group to str, optional
        A link for each point (its measure's page).
    better : {"high", "low"}, optional
        Which side is better, so flags read "better" or "worse" than expected.
    value_format : str
        d3-format of values in tooltips.
    points : int
        Points along each limit curve.
    title : str, optional

    Returns
    -------
    dict
        The specification, with a `description` for assistive technology.
    """
    labels = labels or {}
    urls = urls or {}
    rows: list[dict[str, Any]] = []
    for group in result.groups:
        words = flag_words(group.flag, better)
        rows.append(
            {
                "unit": labels.get(group.group, group.group),
                "numerator": group.numerator,
                "denominator": group.denominator,
                "value": group.value * multiply,
                "lower998": group.lower998 * multiply,
                "upper998": group.upper998 * multiply,
                "flag": words,
                "shape": _shape(group.flag),
                "outside": group.flag != "within",
                "url": urls.get(group.group, ""),
            }
        )
    curve = [
        {
            "denominator": limit.denominator,
            "lower95": limit.lower95 * multiply,
            "upper95": limit.upper95 * multiply,
            "lower998": limit.lower998 * multiply,
            "upper998": limit.upper998 * multiply,
        }
        for limit in result.curve(points)
    ]
    flags_present = list(dict.fromkeys(row["flag"] for row in rows))
    shapes = {row["flag"]: row["shape"] for row in rows}
    x = {
        "field": "denominator",
        "type": "quantitative",
        "title": x_title,
        "scale": {"zero": False, "nice": True},
        "axis": {"labelFont": _FONT, "titleFont": _FONT, "labelColor": _MUTED},
    }
    y_axis = {"labelFont": _FONT, "titleFont": _FONT, "labelColor": _MUTED}
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "description": (
            f"Funnel plot of {len(rows)} units: {value_title} against {x_title}, with the "
            f"overall value {result.target * multiply:.3g} as a line and 95% and 99.8% limits; "
            f"{sum(row['outside'] for row in rows)} outside the 99.8% limits. The table below "
            "gives the same numbers."
        ),
        "height": 380,
        "config": {"font": _FONT, "legend": {"labelFont": _FONT, "titleFont": _FONT}},
        "layer": [
            {
                "data": {"values": curve},
                "transform": [
                    {"fold": ["lower95", "upper95", "lower998", "upper998"], "as": ["side", "y"]},
                    {
                        "calculate": f"indexof(datum.side, '95') > 0 && "
                        f"indexof(datum.side, '998') < 0 ? '{_LEVEL_95}' : '{_LEVEL_998}'",
                        "as": "level",
                    },
                ],
                "mark": {"type": "line", "color": _LIMIT, "strokeWidth": 1.3, "clip": True},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "y",
                        "type": "quantitative",
                        "title": value_title,
                        "scale": {"zero": False},
                        "axis": y_axis,
                    },
                    "detail": {"field": "side"},
                    "strokeDash": {
                        "field": "level",
                        "type": "nominal",
                        "title": "Limits",
                        "scale": {
                            "domain": [_LEVEL_95, _LEVEL_998],
                            "range": [_DASH_95, _DASH_998],
                        },
                    },
                },
            },
            {
                "data": {"values": [{"target": result.target * multiply}]},
                "mark": {"type": "rule", "color": _INK, "strokeWidth": 1.5},
                "encoding": {"y": {"field": "target", "type": "quantitative"}},
            },
            {
                "data": {"values": rows},
                "mark": {"type": "point", "filled": True, "size": 90, "opacity": 0.9},
                "encoding": {
                    "x": {"field": "denominator", "type": "quantitative"},
                    "y": {"field": "value", "type": "quantitative"},
                    "shape": {
                        "field": "flag",
                        "type": "nominal",
                        "title": "Unit",
                        "scale": {
                            "domain": flags_present,
                            "range": [shapes[words] for words in flags_present],
                        },
                    },
                    "color": {
                        "field": "flag",
                        "type": "nominal",
                        "title": "Unit",
                        "scale": {
                            "domain": flags_present,
                            "range": [_colour(words) for words in flags_present],
                        },
                    },
                    "href": {"field": "url"},
                    "tooltip": [
                        {"field": "unit", "title": "Unit"},
                        {"field": "numerator", "title": "Numerator", "format": ",.4~g"},
                        {"field": "denominator", "title": "Denominator", "format": ",.4~g"},
                        {"field": "value", "title": "Value", "format": value_format},
                        {"field": "lower998", "title": "Lower 99.8%", "format": value_format},
                        {"field": "upper998", "title": "Upper 99.8%", "format": value_format},
                        {"field": "flag", "title": "Compared with the limits"},
                    ],
                },
            },
            {
                "data": {"values": [row for row in rows if row["outside"]]},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "dx": 8,
                    "font": _FONT,
                    "fontSize": 12,
                    "color": _INK,
                },
                "encoding": {
                    "x": {"field": "denominator", "type": "quantitative"},
                    "y": {"field": "value", "type": "quantitative"},
                    "text": {"field": "unit"},
                },
            },
        ],
        "resolve": {"scale": {"strokeDash": "independent"}},
    }
    if title:
        spec["title"] = title
    return spec
