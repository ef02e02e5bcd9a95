"""Confidence intervals for proportions and their differences, as clinical audits report them.

Pure Python (the standard library's normal distribution): an audit has a few criteria and a few
hundred cases, so nothing here needs numpy.

- `wilson_interval`: the Wilson score interval for one proportion (Wilson 1927), which keeps
  its coverage close to the nominal level for small samples and for proportions near 0 or 1,
  where the simple (Wald) interval fails; recommended for audit results (Newcombe 1998a).
- `newcombe_difference`: the hybrid score interval for the difference of two independent
  proportions (Newcombe 1998b, method 10), built from the two Wilson intervals: a re-audit
  against the audit before it.
- `two_proportion_z`: the pooled two-proportion z test of the same difference (its p value).

References
----------
Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat
Assoc 1927;22:209-12.
Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of seven
methods. Stat Med 1998;17:857-72.
Newcombe RG. Interval estimation for the difference between independent proportions:
comparison of eleven methods. Stat Med 1998;17:873-90.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

__all__ = [
    "Difference",
    "Interval",
    "newcombe_difference",
    "two_proportion_z",
    "wilson_interval",
]


@dataclass(frozen=True)
class Interval:
    """A proportion (0 to 1) with its confidence interval."""

    successes: int
    n: int
    estimate: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Difference:
    """The difference `after - before` of two proportions with its confidence interval and the
    two-sided p value of the pooled z test. `significant` when the interval excludes 0."""

    difference: float
    lower: float
    upper: float
    p_value: float

    @property
    def significant(self) -> bool:
        return self.lower > 0 or self.upper < 0


def _z(confidence: float) -> float:
    if not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def _counts(successes: int, n: int) -> tuple[int, int]:
    if isinstance(successes, bool) or isinstance(n, bool):
        raise ValueError("counts must be whole numbers")
    if not isinstance(successes, int) or not isinstance(n, int):
        raise ValueError("counts must be whole numbers")
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n ({n}), not {successes}")
    return successes, n


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """The Wilson score interval for the proportion `successes / n`.

    Parameters
    ----------
    successes : int
        Cases meeting the criterion (0 to n).
    n : int
        Cases the criterion applies to (at least 1; leave out those not applicable).
    confidence : float, optional
        The interval's confidence level, 0.95 unless given.

    Returns
    -------
    Interval
        The estimate and its lower and upper limits, as proportions from 0 to 1.

    Raises
    ------
    ValueError
        When n is below 1, successes is outside 0 to n, or confidence outside (0, 1).

    Examples
    --------
    Newcombe (1998a), table I: 81 of 263 gives 0.2553 to 0.3662.

    >>> result = wilson_interval(81, 263)
    >>> round(result.lower, 4), round(result.upper, 4)
    (0.2553, 0.3662)
    >>> wilson_interval(0, 20).upper.__round__(4)
    0.1611
    """
    successes, n = _counts(successes, n)
    z = _z(confidence)
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # At 0 and n the interval touches 0 or 1 exactly; rounding must not leave it a hair away.
    lower = 0.0 if successes == 0 else max(0.0, centre - half)
    upper = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(successes, n, p, lower, upper)


def newcombe_difference(
    before: tuple[int, int], after: tuple[int, int], confidence: float = 0.95
) -> Difference:
    """The hybrid score interval (Newcombe 1998b, method 10) for `after - before`, where each
    is (successes, n), and the p value of the pooled two-proportion z test.

    Examples
    --------
    Newcombe (1998b), table II, example (a): 56/70 against 48/80 gives a difference of 0.2000
    with 95% limits 0.0524 to 0.3339.

    >>> result = newcombe_difference((48, 80), (56, 70))
    >>> round(result.difference, 4), round(result.lower, 4), round(result.upper, 4)
    (0.2, 0.0524, 0.3339)
    """
    first = wilson_interval(*before, confidence=confidence)
    second = wilson_interval(*after, confidence=confidence)
    delta = second.estimate - first.estimate
    lower = delta - math.sqrt(
        (second.estimate - second.lower) ** 2 + (first.upper - first.estimate) ** 2
    )
    upper = delta + math.sqrt(
        (second.upper - second.estimate) ** 2 + (first.estimate - first.lower) ** 2
    )
    return Difference(delta, max(-1.0, lower), min(1.0, upper), two_proportion_z(before, after))


def two_proportion_z(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The two-sided p value of the pooled z test that two proportions are equal (1.0 when
    every case of both met, or none did: there is no variation to test).

    >>> round(two_proportion_z((48, 80), (56, 70)), 4)
    0.008
    """
    x1, n1 = _counts(*before)
    x2, n2 = _counts(*after)
    pooled = (x1 + x2) / (n1 + n2)
    spread = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if spread <= 0:
        return 1.0
    z = (x2 / n2 - x1 / n1) / math.sqrt(spread)
    return 2 * (1 - NormalDist().cdf(abs(z)))
