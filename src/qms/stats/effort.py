"""The balance of a unit's quality effort as a Vega-Lite specification: hours a week going to
planning, control, improvement and assurance, a stacked bar per unit. The page shows the same
numbers in a table, the chart's text alternative.

The module is pure: it imports no Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["ACTIVITIES", "ACTIVITY_LABELS", "effort_balance_spec"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
ACTIVITIES = ("planning", "control", "improvement", "assurance")
ACTIVITY_LABELS = {
    "planning": "Planning",
    "control": "Control",
    "improvement": "Improvement",
    "assurance": "Assurance",
}
# Distinct in hue and lightness (NHS identity palette), and each segment is also labelled with
# its activity in the tooltip and the legend, so colour is not the only cue.
_COLOURS = ("#005EB8", "#007F3B", "#8A1538", "#ED8B00")
_FONT = "Arial, Liberation Sans, Helvetica, sans-serif"


def effort_balance_spec(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A horizontal stacked bar per unit of the hours a week on each activity.

    Parameters
    ----------
    rows : iterable of mappings
        One per unit: ``unit`` (its name) and a number of hours (or None) for each of
        `ACTIVITIES`.

    Examples
    --------
    >>> spec = effort_balance_spec([{"unit": "Ward 7", "planning": 2, "control": 3,
    ...                              "improvement": 10, "assurance": None}])
    >>> [v["hours"] for v in spec["data"]["values"]]
    [2.0, 3.0, 10.0, 0.0]
    """
    values: list[dict[str, Any]] = []
    units: list[str] = []
    for row in rows:
        units.append(str(row["unit"]))
        for order, activity in enumerate(ACTIVITIES):
            values.append(
                {
                    "unit": str(row["unit"]),
                    "activity": ACTIVITY_LABELS[activity],
                    "order": order,
                    "hours": float(row.get(activity) or 0),
                }
            )
    return {
        "$schema": SCHEMA,
        "description": "Hours a week on quality work by activity, per unit: "
        + "; ".join(
            f"{unit}: "
            + ", ".join(
                f"{str(v['activity']).lower()} {v['hours']:g}" for v in values if v["unit"] == unit
            )
            for unit in units
        ),
        "width": 600,
        "height": {"step": 28},
        "background": "white",
        "config": {"font": _FONT},
        "data": {"values": values},
        "mark": {"type": "bar", "stroke": "white", "strokeWidth": 1},
        "encoding": {
            "y": {"field": "unit", "type": "nominal", "sort": units, "title": None},
            "x": {"field": "hours", "type": "quantitative", "title": "Hours a week"},
            "color": {
                "field": "activity",
                "type": "nominal",
                "scale": {
                    "domain": [ACTIVITY_LABELS[a] for a in ACTIVITIES],
                    "range": list(_COLOURS),
                },
                "legend": {"title": "Activity", "orient": "bottom"},
            },
            "order": {"field": "order", "type": "quantitative"},
            "tooltip": [
                {"field": "unit", "title": "Unit"},
                {"field": "activity", "title": "Activity"},
                {"field": "hours", "title": "Hours a week", "format": ",.1f"},
            ],
        },
    }
