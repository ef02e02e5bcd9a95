"""Signals in words: what the chart shows, said the way a ward team would say it."""

from __future__ import annotations

import datetime as dt

from qms.control.periods import period_label
from qms.stats.mdc import POINT_TYPE_PHRASES


def _run_start(points: list[dict], index: int, flag: str) -> int:
    """The first point of the run of `flag` points ending at `index` (within one phase)."""
    start = index
    phase = points[index]["phase"]
    while start > 0 and points[start - 1][flag] and points[start - 1]["phase"] == phase:
        start -= 1
    return start


def explain_point(points: list[dict], index: int, frequency: str) -> str:
    """Why the point at `index` is special cause variation, in one sentence; "" if it is not."""
    point = points[index]
    words = POINT_TYPE_PHRASES.get(point["point_type"])
    if words is None:
        return ""
    period = _period(point)
    label = period_label(period, frequency)
    if point["outside"]:
        side = "above the upper" if point["y"] > point["ucl"] else "below the lower"
        return f"{label} is {side} control limit: {words}"
    if point["trend"]:
        start = _run_start(points, index, "trend")
        rising = points[index]["y"] > points[start]["y"]
        since = period_label(_period(points[start]), frequency)
        count = index - start + 1
        return f"{count} points {'rising' if rising else 'falling'} since {since}: {words}"
    if point["two_of_three"]:
        side = "upper" if point["y"] > point["cl"] else "lower"
        return f"2 of 3 points close to the {side} control limit at {label}: {words}"
    if point["shift"]:
        start = _run_start(points, index, "shift")
        side = "above" if point["y"] > point["cl"] else "below"
        since = period_label(_period(points[start]), frequency)
        count = index - start + 1
        return f"{count} points {side} the centre line since {since}: {words}"
    return words


def _period(point: dict) -> dt.date:
    period = point["period"]
    return period if isinstance(period, dt.date) else dt.date.fromisoformat(period)
