"""Bright spots from funnel plots: the units better than their peers, beyond the 99.8% limits in
the measure's direction of improvement, among the units measuring one library definition.

The statistics are `qms.stats.funnel`'s; which measures are compared, and how, is the funnel
part's (`qms.learning.selectors.funnel`: proportions as proportions, rates as indirectly
standardised ratios; measures with no data in the window, more events than cases, or covering
units compared beside them are left out). The nightly run reads every measure's window in one
query (`control.selectors.comparable_totals`); recording one a person saw uses the comparison
their compare page showed them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from qms.control import selectors as control_selectors
from qms.learning.models import BrightSpotKind
from qms.learning.selectors import funnel as funnel_selectors
from qms.stats.funnel import FunnelInputError, funnel

# The side of the funnel that is better, by the measure's direction of improvement.
BETTER_FLAG = {"increase": "high", "decrease": "low"}


def _by_definition(rows) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.measure.definition_id].append(row)
    return grouped


def _in_scope(measure, paths: list[str] | None) -> bool:
    return paths is None or any(measure.unit.path.startswith(path) for path in paths)


def _compare(rows, kind: str):
    """The funnel of `rows` as the compare page draws it, and the denominators it used
    (expected events for ratios); None when the data make none."""
    kept = funnel_selectors._kept(rows, kind, [])
    if len({row.measure.unit_id for row in kept}) < 2:
        return None
    numerators = [row.numerator for row in kept]
    denominators = [row.denominator for row in kept]
    if kind == "ratio":
        events = sum(numerators)
        if events <= 0:
            return None
        rate = events / sum(denominators)
        denominators = [exposure * rate for exposure in denominators]
    try:
        result = funnel(
            numerators, denominators, kind=kind, groups=[str(r.measure.pk) for r in kept]
        )
    except FunnelInputError:
        return None
    return kept, result


def finding_data(measure, *, kind: str, value, target, limits, numerator, denominator,
                 units: int, months: int, window: tuple[dt.date, dt.date]) -> dict:  # fmt: skip
    """A funnel finding as a bright spot keeps it: values as the measure shows them (a
    percentage for a proportion; ratios as ratios), the window and the number of units."""
    scale = measure.definition.multiply if kind == "proportion" else 1.0
    label = measure.unit_label if kind == "proportion" else ""
    lower95, upper95, lower998, upper998 = (limit * scale for limit in limits)
    better = "higher" if measure.direction == "increase" else "lower"
    beyond = upper998 if better == "higher" else lower998
    what = "ratio of observed to expected events" if kind == "ratio" else "value"
    explanation = (
        f"{measure.unit.name}'s {what} over the last {months} months, {value * scale:.3g}"
        f"{label}, is {better} than the 99.8% limit for its size ({beyond:.3g}{label}) on the "
        f"funnel plot of the {units} units measuring {measure.definition.name}, whose overall "
        f"value is {target * scale:.3g}{label}."
    )
    return {
        "definition": measure.definition.code,
        "definition_name": measure.definition.name,
        "comparison": kind,
        "value": value * scale,
        "target": target * scale,
        "lower95": lower95,
        "upper95": upper95,
        "lower998": lower998,
        "upper998": upper998,
        "unit_label": label,
        "numerator": numerator,
        "denominator": denominator,
        "units": units,
        "window_months": months,
        "window_start": window[0].isoformat(),
        "window_end": window[1].isoformat(),
        "window_label": f"{window[0]:%b %Y} to {window[1]:%b %Y}",
        "direction": measure.direction,
        "explanation": explanation,
    }


def findings(paths: list[str] | None, today: dt.date, *, window_months: int) -> list:
    """The units (at or below `paths`, or anywhere when None) better than their peers on the
    funnel of each library definition that several units measure, over the last
    `window_months` months; the funnel compares every unit measuring it. One query."""
    from qms.learning.services.bright_spots import _Finding

    rows = control_selectors.comparable_totals(months=window_months, today=today)
    found = []
    for group in _by_definition(rows).values():
        kind = control_selectors.comparable_kind(group[0].measure.definition.chart)
        if kind is None:
            continue
        compared = _compare(group, kind)
        if compared is None:
            continue
        kept, result = compared
        units = len({row.measure.unit_id for row in kept})
        for row, point in zip(kept, result.groups, strict=True):
            measure = row.measure
            if BETTER_FLAG.get(measure.direction) != point.flag or not _in_scope(measure, paths):
                continue
            limits = (point.lower95, point.upper95, point.lower998, point.upper998)
            data = finding_data(
                measure, kind=kind, value=point.value, target=result.target, limits=limits,
                numerator=row.numerator, denominator=point.denominator, units=units,
                months=window_months, window=(row.window_start, row.window_end),
            )  # fmt: skip
            found.append(_Finding(measure, BrightSpotKind.FUNNEL, row.window_end, data))
    return found


def seen_by(user, measure, today: dt.date, *, window_months: int):
    """The finding for `measure` on the funnel `user` sees on the compare page (the units they
    may see), or None when it is not flagged better there."""
    from qms.learning.services.bright_spots import _Finding

    definition = getattr(measure, "definition", None)
    if definition is None:
        return None
    comparison = funnel_selectors.unit_comparison(
        user, definition, months=window_months, today=today
    )
    row = next((r for r in comparison.rows if r.measure.pk == measure.pk and r.better), None)
    if row is None:
        return None
    limits = (row.lower95, row.upper95, row.lower998, row.upper998)
    data = finding_data(
        measure, kind=comparison.kind, value=row.value, target=comparison.target, limits=limits,
        numerator=row.numerator, denominator=row.expected or row.denominator,
        units=len(comparison.rows), months=window_months, window=comparison.window,
    )  # fmt: skip
    return _Finding(measure, BrightSpotKind.FUNNEL, comparison.window[1], data)
