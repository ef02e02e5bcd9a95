"""The equity gap: how far the worst-off population group is from the best-off, for one period of
a measure broken down by group (deprivation quintile, age band...). Pure Python; no Django.

The gap is read in the measure's direction of improvement: where higher is better the best
group has the highest value, where lower is better the lowest. For a measure with no direction
the groups are only highest and lowest. The difference of two proportions has a confidence
interval by Newcombe's hybrid score method (Wilson intervals of each proportion combined).

>>> gap = equity_gap({"Most deprived": 12.0, "Least deprived": 4.0}, direction="decrease")
>>> gap.worst, gap.best, gap.difference, gap.ratio
('Most deprived', 'Least deprived', 8.0, 3.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "EquityGapError",
    "GroupGap",
    "equity_gap",
    "proportion_difference_interval",
    "wilson_interval",
]

# The normal quantile for a two-sided 95% interval.
Z_95 = 1.959963984540054
_DIRECTIONS = ("increase", "decrease", "neutral")


class EquityGapError(ValueError):
    """The input cannot give a gap (names what is wrong)."""


@dataclass(frozen=True)
class GroupGap:
    """The gap between two groups of one period.

    `worst` and `best` name the groups (for a measure with no direction, `directional` is
    False and they are the lowest and the highest); `difference` is worst minus best (signed,
    negative where higher is better); `gap` its size; `ratio` worst over best, None when the
    best is zero."""

    worst: str
    worst_value: float
    best: str
    best_value: float
    difference: float
    gap: float
    ratio: float | None
    directional: bool
    groups: int


def _finite(label: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise EquityGapError(f"the value of {label!r} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise EquityGapError(f"the value of {label!r} is not finite")
    return number


def equity_gap(values: Mapping[str, float], *, direction: str) -> GroupGap | None:
    """The gap between the worst and the best of a period's groups.

    Parameters
    ----------
    values : mapping of str to float
        Each group's value (a rate or a proportion already multiplied, or a plain value).
    direction : {"increase", "decrease", "neutral"}
        The measure's direction of improvement.

    Returns
    -------
    GroupGap or None
        None when fewer than two groups have a value. Ties keep the first group given.

    Examples
    --------
    >>> equity_gap({"Q1": 60.0, "Q5": 80.0}, direction="increase").difference
    -20.0
    >>> equity_gap({"Q1": 60.0}, direction="increase") is None
    True
    """
    if direction not in _DIRECTIONS:
        raise EquityGapError(f"unknown direction {direction!r}; choose one of {_DIRECTIONS}")
    numbers = {str(label): _finite(str(label), value) for label, value in values.items()}
    if len(numbers) < 2:
        return None
    ordered = list(numbers.items())
    highest = max(ordered, key=lambda item: item[1])
    lowest = min(ordered, key=lambda item: item[1])
    if direction == "decrease":
        worst, best = highest, lowest
    else:  # increase; neutral names the lowest and the highest
        worst, best = lowest, highest
    difference = worst[1] - best[1]
    return GroupGap(
        worst=worst[0],
        worst_value=worst[1],
        best=best[0],
        best_value=best[1],
        difference=difference,
        gap=abs(difference),
        ratio=None if best[1] == 0 else worst[1] / best[1],
        directional=direction != "neutral",
        groups=len(numbers),
    )


def wilson_interval(count: float, total: float, *, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion `count` / `total`.

    Examples
    --------
    >>> low, high = wilson_interval(10, 100)
    >>> round(low, 4), round(high, 4)
    (0.0552, 0.1744)
    """
    if not (math.isfinite(count) and math.isfinite(total)) or total <= 0:
        raise EquityGapError("a proportion needs a positive denominator")
    if not 0 <= count <= total:
        raise EquityGapError("a proportion's count must be between 0 and its denominator")
    p = count / total
    z2 = z * z
    centre = (p + z2 / (2 * total)) / (1 + z2 / total)
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / (1 + z2 / total)
    return max(0.0, centre - half), min(1.0, centre + half)


def proportion_difference_interval(
    count1: float, total1: float, count2: float, total2: float, *, z: float = Z_95
) -> tuple[float, float, float]:
    """The difference of two proportions, p1 - p2, with its confidence interval (Newcombe's
    hybrid score method, his method 10), as (difference, low, high), in proportions (0 to 1).

    Examples
    --------
    >>> d, low, high = proportion_difference_interval(56, 70, 48, 80)
    >>> round(d, 4), round(low, 4), round(high, 4)
    (0.2, 0.0524, 0.3339)
    """
    low1, high1 = wilson_interval(count1, total1, z=z)
    low2, high2 = wilson_interval(count2, total2, z=z)
    p1, p2 = count1 / total1, count2 / total2
    difference = p1 - p2
    low = difference - math.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2)
    high = difference + math.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2)
    return difference, low, high
