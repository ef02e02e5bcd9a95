"""Funnel plots: comparing units that measure the same thing against the overall value, with
95% and 99.8% limits that narrow as a unit's denominator grows. Pure numpy and scipy; no Django.

Methods (docs/learning.md, "Funnel plots", says the same for readers):

- Proportions (events out of cases): the target is the overall proportion, sum of numerators
  over sum of denominators. Limits are drawn on the arcsine square-root scale, where a
  proportion out of n has a variance of 1/(4n), and transformed back, as FunnelPlotR does
  (R/calculate_limits.R, data_type "PR"); Spiegelhalter (2005, Statist. Med. 24:1185-1202,
  appendix A.1) gives this normal approximation beside the exact binomial one. Limits are kept
  within [0, 1]: the angle is held in [0, pi/2], which is what FunnelPlotR's truncation and
  its monotonicity correction amount to.
- Ratios (indirectly standardised, observed over expected): the target is 1, and the limits at
  an expected count E are the exact Poisson limits FunnelPlotR uses (data_type "SR"):
  chi2_{p/2}(2E) / 2E below and chi2_{1-p/2}(2(E + 1)) / 2E above.
- Overdispersion (optional): Spiegelhalter's additive random-effects method (Qual Saf Health
  Care 2005;14:347-351). Each unit's z-score on a variance-stabilising scale, arcsine square
  root for proportions and square root for ratios (FunnelPlotR's "CQC" method, the one it
  winsorises; its "SHMI" log method truncates instead and cannot take a unit with no events),
  is winsorised at `trim` in each tail (quantiles as R's default, type 7); phi is the mean of
  the squared winsorised z-scores, and tau^2 the DerSimonian-Laird-type moment estimate
  (n phi - (n - 1)) / (sum w - sum w^2 / sum w) with w = 1/s^2, zero when n phi < n - 1
  (FunnelPlotR R/od_adjustment.R, tau_func). As FunnelPlotR does, limits are widened only
  when phi > 1; they become target -/+ z sqrt(s^2 + tau^2) on the transformed scale,
  transformed back (for ratios squared back, where FunnelPlotR plots the square-root scale
  limits unsquared).

`tau2` is None when no overdispersion adjustment was asked for, and 0.0 when it was asked for
but the units are not overdispersed (phi <= 1), so the limits are the unadjusted ones.

>>> result = funnel([10, 30, 90], [100, 200, 300], kind="proportion")
>>> round(result.target, 4)
0.2167
>>> [group.flag for group in result.groups]
['low', 'within', 'high']
>>> round(result.groups[2].upper998, 4)
0.2943
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from scipy.stats import chi2, norm

__all__ = [
    "FLAGS",
    "KINDS",
    "Z_95",
    "Z_998",
    "Funnel",
    "FunnelGroup",
    "FunnelInputError",
    "FunnelLimits",
    "funnel",
    "funnel_limits",
]

Kind = Literal["proportion", "ratio"]
KINDS: tuple[str, ...] = ("proportion", "ratio")
# A unit's flag against the 99.8% limits.
FLAGS: tuple[str, ...] = ("high", "low", "within")

# Two-sided 95% and 99.8% limits: the normal quantiles 0.975 and 0.999 (FunnelPlotR writes
# them 1.959964 and 3.090232; Spiegelhalter 2005 section 3 chose 99.8% as about 3 sigma).
P_95 = 0.95
P_998 = 0.998
Z_95 = float(norm.ppf(1 - (1 - P_95) / 2))
Z_998 = float(norm.ppf(1 - (1 - P_998) / 2))
# Spiegelhalter (2005, QSHC) winsorises 10% of the z-scores at each end by default.
DEFAULT_TRIM = 0.1
_HALF_PI = math.pi / 2


class FunnelInputError(ValueError):
    """The input cannot make a funnel plot. `problems` lists (row, column, message) with the
    row counted from 0 (None when the problem is not one row's)."""

    def __init__(self, problems: list[tuple[int | None, str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(_describe(problem) for problem in problems[:5]))


def _describe(problem: tuple[int | None, str, str]) -> str:
    row, column, message = problem
    return f"row {row + 1}, {column}: {message}" if row is not None else f"{column}: {message}"


@dataclass(frozen=True)
class FunnelLimits:
    """The limits at one denominator (cases for proportions, expected count for ratios)."""

    denominator: float
    lower95: float
    upper95: float
    lower998: float
    upper998: float


@dataclass(frozen=True)
class FunnelGroup:
    """One unit on the funnel: its value (numerator over denominator), its limits and its flag
    ("high", "low" or "within" the 99.8% limits; on a limit counts as within)."""

    group: str
    numerator: float
    denominator: float
    value: float
    lower95: float
    upper95: float
    lower998: float
    upper998: float
    flag: str
    z: float

    def to_dict(self) -> dict[str, object]:
        return {
            "group": self.group,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": self.value,
            "lower95": self.lower95,
            "upper95": self.upper95,
            "lower998": self.lower998,
            "upper998": self.upper998,
            "flag": self.flag,
        }


@dataclass(frozen=True)
class Funnel:
    """A funnel plot's numbers.

    `target` is the overall value; `tau2` the between-unit variance added to the limits
    (None without overdispersion, 0.0 when asked for but not needed); `phi` the dispersion
    ratio of the winsorised z-scores (None without overdispersion); `adjusted` whether the
    limits were widened; `groups` in the order first given."""

    kind: str
    target: float
    tau2: float | None
    phi: float | None
    adjusted: bool
    groups: tuple[FunnelGroup, ...]

    def limits(self, denominators: Iterable[float]) -> tuple[FunnelLimits, ...]:
        """This funnel's limits at other denominators (e.g. to draw its curves)."""
        return funnel_limits(
            denominators, kind=self.kind, target=self.target, tau2=self.tau2 or 0.0
        )

    def curve(self, points: int = 120) -> tuple[FunnelLimits, ...]:
        """Limits at `points` denominators spread evenly on a log scale from a little below
        the smallest unit's denominator to a little above the largest, the units' own
        denominators included, for drawing the funnel."""
        if points < 2:
            raise FunnelInputError([(None, "points", "a curve needs at least 2 points")])
        sizes = [group.denominator for group in self.groups]
        low, high = min(sizes) * 0.8, max(sizes) * 1.1
        step = math.log(high / low) / (points - 1)
        grid = {low * math.exp(step * index) for index in range(points)} | set(sizes)
        return self.limits(sorted(grid))

    def to_dict(self) -> dict[str, object]:
        """The shape `qms funnel` writes."""
        return {
            "target": self.target,
            "tau2": self.tau2,
            "groups": [group.to_dict() for group in self.groups],
        }


def funnel(
    numerators: Sequence[float],
    denominators: Sequence[float],
    *,
    kind: Kind | str,
    groups: Sequence[str] | None = None,
    overdispersion: bool = False,
    trim: float = DEFAULT_TRIM,
) -> Funnel:
    """Compare units on a funnel plot.

    Parameters
    ----------
    numerators : sequence of float
        Events (proportions) or observed counts (ratios), one per row; not negative.
    denominators : sequence of float
        Cases (proportions, at least the numerator) or expected counts (ratios); above 0.
    kind : {"proportion", "ratio"}
        A proportion of cases, or an indirectly standardised ratio (observed over expected).
    groups : sequence of str, optional
        The units' names; rows of the same name are added together (as FunnelPlotR does).
        Default: "1", "2", ... by row.
    overdispersion : bool, default False
        Widen the limits by Spiegelhalter's additive random-effects method when the units
        vary more than chance allows.
    trim : float, default 0.1
        The share of z-scores winsorised at each end when estimating overdispersion, in
        [0, 0.5).

    Returns
    -------
    Funnel
        The target, tau2 and phi, and each unit's value, limits and flag.

    Raises
    ------
    FunnelInputError
        Naming the row and column of each problem (nothing is computed from bad input).

    Examples
    --------
    Three hospitals' observed and expected deaths:

    >>> result = funnel([30, 12, 5], [15.0, 20.0, 30.0], kind="ratio", groups=["A", "B", "C"])
    >>> result.target, result.tau2
    (1.0, None)
    >>> [(g.group, round(g.value, 2), round(g.lower95, 4), g.flag) for g in result.groups]
    [('A', 2.0, 0.5597, 'within'), ('B', 0.6, 0.6108, 'within'), ('C', 0.17, 0.6747, 'low')]
    """
    if kind not in KINDS:
        raise FunnelInputError([(None, "kind", f"must be one of {', '.join(KINDS)}")])
    if isinstance(trim, bool) or not isinstance(trim, (int, float)) or not 0 <= trim < 0.5:
        raise FunnelInputError([(None, "trim", "must be a number from 0 up to (not) 0.5")])
    names, tops, bottoms = _aggregate(*_validated(numerators, denominators, groups, kind))
    # An indirectly standardised ratio's target is 1 by construction (FunnelPlotR, "SR").
    target = sum(tops) / sum(bottoms) if kind == "proportion" else 1.0
    tau2: float | None = None
    phi: float | None = None
    adjusted = False
    z_scores = [
        _z_score(top, bottom, target, kind) for top, bottom in zip(tops, bottoms, strict=True)
    ]
    if overdispersion:
        phi, estimate = _dispersion(z_scores, bottoms, trim)
        adjusted = phi > 1 and estimate > 0
        tau2 = estimate if adjusted else 0.0
    limits = funnel_limits(bottoms, kind=kind, target=target, tau2=tau2 or 0.0)
    rows = tuple(
        _group(name, top, bottom, at, z)
        for name, top, bottom, at, z in zip(names, tops, bottoms, limits, z_scores, strict=True)
    )
    return Funnel(kind=kind, target=target, tau2=tau2, phi=phi, adjusted=adjusted, groups=rows)


def funnel_limits(
    denominators: Iterable[float], *, kind: Kind | str, target: float, tau2: float = 0.0
) -> tuple[FunnelLimits, ...]:
    """The 95% and 99.8% limits at each denominator, for drawing the funnel's curves.

    Parameters
    ----------
    denominators : iterable of float
        Cases (proportions) or expected counts (ratios), each above 0.
    kind : {"proportion", "ratio"}
    target : float
        The overall proportion (in [0, 1]), or the target ratio (1 for indirectly
        standardised ratios).
    tau2 : float, default 0.0
        Between-unit variance on the transformed scale; 0 gives the unadjusted limits
        (exact Poisson for ratios).

    Examples
    --------
    The exact Poisson limits FunnelPlotR's tests check (tests/testthat/test-poisson_limits.R):

    >>> [round(limit.upper998, 6) for limit in funnel_limits([15, 20, 30], kind="ratio",
    ...                                                       target=1.0)]
    [2.082907, 1.902094, 1.702771]
    """
    if kind not in KINDS:
        raise FunnelInputError([(None, "kind", f"must be one of {', '.join(KINDS)}")])
    if not math.isfinite(tau2) or tau2 < 0:
        raise FunnelInputError([(None, "tau2", "must be a finite number, 0 or more")])
    if not math.isfinite(target) or target < 0 or (kind == "proportion" and target > 1):
        raise FunnelInputError([(None, "target", "is outside the range of the kind")])
    result = []
    for row, size in enumerate(denominators):
        if not math.isfinite(size) or size <= 0:
            raise FunnelInputError([(row, "denominator", "must be a number above 0")])
        if kind == "proportion":
            bounds = [_proportion_limits(size, target, tau2, z) for z in (Z_95, Z_998)]
        elif tau2 > 0:
            bounds = [_ratio_limits_adjusted(size, target, tau2, z) for z in (Z_95, Z_998)]
        else:
            bounds = [_ratio_limits_exact(size, target, p) for p in (P_95, P_998)]
        (lower95, upper95), (lower998, upper998) = bounds
        result.append(FunnelLimits(float(size), lower95, upper95, lower998, upper998))
    return tuple(result)


def _proportion_limits(size: float, target: float, tau2: float, z: float) -> tuple[float, float]:
    # Arcsine square root scale: variance 1/(4n), plus tau2 when adjusted.
    spread = z * math.sqrt(1 / (4 * size) + tau2)
    centre = math.asin(math.sqrt(target))
    lower = math.sin(max(0.0, centre - spread)) ** 2
    upper = math.sin(min(_HALF_PI, centre + spread)) ** 2
    return lower, upper


def _ratio_limits_exact(size: float, target: float, coverage: float) -> tuple[float, float]:
    # Exact Poisson limits for an expected count `size` (FunnelPlotR, data_type "SR").
    tail = (1 - coverage) / 2
    lower = float(chi2.ppf(tail, 2 * size)) / 2 / size
    upper = float(chi2.ppf(1 - tail, 2 * (size + 1))) / 2 / size
    return target * lower, target * upper


def _ratio_limits_adjusted(
    size: float, target: float, tau2: float, z: float
) -> tuple[float, float]:
    # Square-root scale: sqrt(O/E) has variance 1/(4E); squared back to the ratio.
    spread = z * math.sqrt(1 / (4 * size) + tau2)
    centre = math.sqrt(target)
    return max(0.0, centre - spread) ** 2, (centre + spread) ** 2


def _z_score(top: float, bottom: float, target: float, kind: str) -> float:
    """A unit's unadjusted z-score on the variance-stabilising scale."""
    spread = 1 / (2 * math.sqrt(bottom))
    if kind == "proportion":
        return (math.asin(math.sqrt(top / bottom)) - math.asin(math.sqrt(target))) / spread
    return (math.sqrt(top / bottom) - math.sqrt(target)) / spread


def _dispersion(z_scores: list[float], sizes: list[float], trim: float) -> tuple[float, float]:
    """phi and tau2 from winsorised z-scores (Spiegelhalter 2005, QSHC; FunnelPlotR)."""
    count = len(z_scores)
    low, high = _quantile(z_scores, trim), _quantile(z_scores, 1 - trim)
    winsorised = [min(max(z, low), high) for z in z_scores]
    phi = sum(z * z for z in winsorised) / count
    if count < 2 or count * phi < count - 1:
        return phi, 0.0
    weights = [4 * size for size in sizes]  # 1 / s^2 with s = 1 / (2 sqrt(n))
    total = sum(weights)
    spread = total - sum(w * w for w in weights) / total
    if spread <= 0:
        return phi, 0.0
    return phi, max(0.0, (count * phi - (count - 1)) / spread)


def _quantile(values: list[float], probability: float) -> float:
    # R's default quantile (type 7): linear between the order statistics.
    ordered = sorted(values)
    position = (len(ordered) - 1) * probability
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (position - below) * (ordered[above] - ordered[below])


def _group(name: str, top: float, bottom: float, limits: FunnelLimits, z: float) -> FunnelGroup:
    value = top / bottom
    if value > limits.upper998:
        flag = "high"
    elif value < limits.lower998:
        flag = "low"
    else:
        flag = "within"
    return FunnelGroup(
        group=name,
        numerator=top,
        denominator=bottom,
        value=value,
        lower95=limits.lower95,
        upper95=limits.upper95,
        lower998=limits.lower998,
        upper998=limits.upper998,
        flag=flag,
        z=z,
    )


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, (int, float)):
        try:
            value = float(value)  # type: ignore[arg-type]  # numpy and Decimal numbers
        except (TypeError, ValueError):
            return None
    number = float(value)
    return number if math.isfinite(number) else None


def _validated(
    numerators: Sequence[float],
    denominators: Sequence[float],
    groups: Sequence[str] | None,
    kind: str,
) -> tuple[list[str], list[float], list[float]]:
    if isinstance(numerators, (str, bytes)) or isinstance(denominators, (str, bytes)):
        raise FunnelInputError([(None, "numerator", "give sequences of numbers")])
    tops_in, bottoms_in = list(numerators), list(denominators)
    names = [str(row + 1) for row in range(len(tops_in))] if groups is None else list(groups)
    if not tops_in:
        raise FunnelInputError([(None, "numerator", "there are no rows: a funnel needs one")])
    if len(bottoms_in) != len(tops_in) or len(names) != len(tops_in):
        raise FunnelInputError(
            [(None, "denominator", "numerators, denominators and groups differ in length")]
        )
    problems: list[tuple[int | None, str, str]] = []
    tops: list[float] = []
    bottoms: list[float] = []
    below = "expected count" if kind == "ratio" else "denominator"
    for row, (top_in, bottom_in, name) in enumerate(zip(tops_in, bottoms_in, names, strict=True)):
        if not str(name).strip():
            problems.append((row, "group", "is empty"))
        top, bottom = _number(top_in), _number(bottom_in)
        if top is None:
            problems.append((row, "numerator", f"{top_in!r} is not a finite number"))
        elif top < 0:
            problems.append((row, "numerator", f"{top:g} is negative"))
        if bottom is None:
            problems.append((row, "denominator", f"{bottom_in!r} is not a finite number"))
        elif bottom <= 0:
            problems.append((row, "denominator", f"the {below} must be above 0, not {bottom:g}"))
        if kind == "proportion" and top is not None and bottom is not None and top > bottom > 0:
            problems.append((row, "numerator", f"{top:g} is more than the denominator {bottom:g}"))
        tops.append(top or 0.0)
        bottoms.append(bottom or 0.0)
    if problems:
        raise FunnelInputError(problems)
    return [str(name).strip() for name in names], tops, bottoms


def _aggregate(
    names: list[str], tops: list[float], bottoms: list[float]
) -> tuple[list[str], list[float], list[float]]:
    """Rows of the same group added together, in the order each group first appears."""
    totals: dict[str, list[float]] = {}
    for name, top, bottom in zip(names, tops, bottoms, strict=True):
        pair = totals.setdefault(name, [0.0, 0.0])
        pair[0] += top
        pair[1] += bottom
    return (
        list(totals),
        [pair[0] for pair in totals.values()],
        [pair[1] for pair in totals.values()],
    )
