"""Comparing units that measure the same library definition on a funnel plot (qms.stats.funnel):
proportions as proportions, rates as indirectly standardised ratios (each unit's observed events
over the events expected from its exposure at the overall rate)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from qms.control import selectors as control_selectors
from qms.learning import roles
from qms.people import access
from qms.stats.funnel import Funnel, FunnelInputError, funnel
from qms.stats.funnel_chart import flag_words, funnel_chart_spec

WINDOWS = control_selectors.COMPARE_WINDOWS
DEFAULT_WINDOW = 12
# Which side of the funnel is better, by the measure's direction of improvement.
_BETTER = {"increase": "high", "decrease": "low"}


@dataclass(frozen=True)
class CompareRow:
    """One unit's measure on the funnel: its events and denominator over the window, the value
    compared (a proportion, or observed over expected), its limits and flag. `rate` is a rate
    measure's events per exposure times the definition's multiplier (per 1,000 bed days)."""

    measure: Any
    numerator: float
    denominator: float
    expected: float | None
    value: float
    rate: float | None
    lower95: float
    upper95: float
    lower998: float
    upper998: float
    flag: str
    flag_words: str
    better: bool
    periods: int
    multiply: float = 1.0
    bright_spot_url: str = ""

    # The value and limits as the page shows them (a percentage when the definition's is).
    value_shown = property(lambda self: self.value * self.multiply)
    lower95_shown = property(lambda self: self.lower95 * self.multiply)
    upper95_shown = property(lambda self: self.upper95 * self.multiply)
    lower998_shown = property(lambda self: self.lower998 * self.multiply)
    upper998_shown = property(lambda self: self.upper998 * self.multiply)


@dataclass(frozen=True)
class LeftOut:
    measure: Any
    reason: str


@dataclass
class Comparison:
    """What the compare page shows. `kind` is "proportion" or "ratio" (None when the
    definition is neither); `problem` says why there is no funnel, if there is none."""

    definition: Any
    kind: str | None
    months: int
    window: tuple[dt.date, dt.date]
    overdispersion: bool
    rows: list[CompareRow] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    target: float | None = None
    overall_rate: float | None = None
    tau2: float | None = None
    phi: float | None = None
    adjusted: bool = False
    chart: dict | None = None
    problem: str = ""
    visible: int = 0

    @property
    def multiply(self) -> float:
        return self.definition.multiply if self.kind == "proportion" else 1.0

    @property
    def target_shown(self) -> float | None:
        return None if self.target is None else self.target * self.multiply

    @property
    def rate_shown(self) -> float | None:
        """The overall rate of a rate measure, per the definition's multiplier."""
        rate = self.overall_rate
        return None if rate is None else rate * self.definition.multiply

    @property
    def outside(self) -> int:
        return sum(row.flag != "within" for row in self.rows)


def unit_comparison(
    user,
    definition,
    *,
    months: int = DEFAULT_WINDOW,
    overdispersion: bool = False,
    today: dt.date | None = None,
) -> Comparison:
    """The funnel plot of the units measuring `definition` that `user` may see, over the last
    `months` months: a bounded number of queries whatever the number of units (the measures
    with their sums in one, the user's roles cached)."""
    kind = control_selectors.comparable_kind(definition.chart)
    today = today or timezone.localdate()
    window = control_selectors.compare_window(today, months, definition.frequency)
    comparison = Comparison(definition, kind, months, window, overdispersion)
    if kind is None:
        comparison.problem = (
            "This definition is not a proportion or a rate, so units cannot be compared on a "
            "funnel plot."
        )
        return comparison
    items = control_selectors.comparable_measures(user, definition, months=months, today=today)
    comparison.visible = len(items)
    kept = _kept(items, kind, comparison.left_out)
    if len(kept) < 2:
        comparison.problem = (
            "Fewer than two units you may see have data for this definition in the window, so "
            "there is nothing to compare."
        )
        return comparison
    numerators = [item.numerator for item in kept]
    denominators = [item.denominator for item in kept]
    expected: list[float] | None = None
    if kind == "ratio":
        events = sum(numerators)
        if events <= 0:
            comparison.problem = "No events were recorded in the window: nothing to compare."
            return comparison
        comparison.overall_rate = events / sum(denominators)
        expected = [exposure * comparison.overall_rate for exposure in denominators]
    try:
        result = funnel(
            numerators,
            expected or denominators,
            kind=kind,
            groups=[str(item.measure.pk) for item in kept],
            overdispersion=overdispersion,
        )
    except FunnelInputError as error:  # the data checks should make this impossible
        comparison.problem = f"The data cannot be compared: {error}"
        return comparison
    comparison.target, comparison.tau2, comparison.phi = result.target, result.tau2, result.phi
    comparison.adjusted = result.adjusted
    comparison.rows = _rows(user, kept, expected, result, comparison)
    comparison.chart = _chart(result, kept, comparison)
    return comparison


def _kept(items, kind: str, left_out: list[LeftOut]) -> list:
    """The measures that go on the funnel; the rest, with the reason, into `left_out`."""
    with_data = []
    for item in items:
        if item.denominator <= 0 or item.periods == 0:
            left_out.append(LeftOut(item.measure, "no data in the window"))
        elif kind == "proportion" and item.numerator > item.denominator:
            left_out.append(LeftOut(item.measure, "more events than cases recorded"))
        else:
            with_data.append(item)
    # A unit whose measure covers units compared here (a division beside its wards) would count
    # their patients twice: it is left out.
    paths = [item.measure.unit.path for item in with_data]
    kept = []
    for item in with_data:
        path = item.measure.unit.path
        if any(other != path and other.startswith(path) for other in paths):
            left_out.append(LeftOut(item.measure, "it includes units compared here"))
        else:
            kept.append(item)
    return kept


def _bright_spot_base() -> str:
    try:
        return reverse("learning:bright-spot-new")
    except NoReverseMatch:  # bright spots not built yet
        return ""


def _rows(user, kept, expected, result: Funnel, comparison: Comparison) -> list[CompareRow]:
    base = _bright_spot_base()
    scale = comparison.definition.multiply  # rates shown per 1,000 bed days, say
    rows = []
    for index, (item, group) in enumerate(zip(kept, result.groups, strict=True)):
        measure = item.measure
        side = _BETTER.get(measure.direction)
        better = side is not None and group.flag == side
        url = ""
        if better and base and access.can(user, measure.unit, roles.BRIGHT_SPOT_DECIDERS):
            url = f"{base}?measure={measure.pk}&kind=funnel"
        rows.append(
            CompareRow(
                measure=measure,
                numerator=item.numerator,
                denominator=item.denominator,
                expected=None if expected is None else expected[index],
                value=group.value,
                rate=None if expected is None else item.numerator / item.denominator * scale,
                lower95=group.lower95,
                upper95=group.upper95,
                lower998=group.lower998,
                upper998=group.upper998,
                flag=group.flag,
                flag_words=flag_words(group.flag, side),
                better=better,
                periods=item.periods,
                multiply=comparison.multiply,
                bright_spot_url=url,
            )
        )
    return rows


def _chart(result: Funnel, kept, comparison: Comparison) -> dict:
    definition = comparison.definition
    if comparison.kind == "ratio":
        value_title = "Observed over expected (1 = the overall rate)"
        x_title = "Expected events"
        value_format = ".2f"
    else:
        label = definition.unit_label or ("%" if definition.multiply == 100 else "")
        value_title = f"{definition.name}{f' ({label})' if label else ''}"
        x_title = "Cases (denominator)"
        value_format = ".1f" if definition.multiply >= 100 else ".3f"
    return funnel_chart_spec(
        result,
        value_title=value_title,
        x_title=x_title,
        multiply=comparison.multiply,
        labels={str(item.measure.pk): item.measure.unit.name for item in kept},
        urls={str(item.measure.pk): item.measure.get_absolute_url() for item in kept},
        better=_BETTER.get(definition.direction),
        value_format=value_format,
    )


def definition_or_none(code: str):
    """The library definition with this code, or None."""
    return control_selectors.definition_of(code)


def comparable_definitions(user) -> list:
    """The definitions at least two units the user may see measure (for the Learn home)."""
    return control_selectors.comparable_definitions(user)
