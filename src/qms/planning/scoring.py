"""Scoring and ranking candidate priorities: pure Python, no Django, so the rule is read and
tested in one place.

Each priority is scored 1 to 5 on four impact criteria (people affected, severity, equity,
strategic fit) and three feasibility criteria (effort, cost, readiness), higher always better: for
effort and cost 5 means *little* effort or cost, so nothing needs inverting.

- Impact = the weighted mean of the impact criteria; feasibility likewise (both stay 1 to 5).
- Overall = impact × feasibility (1 to 25). A product, not a sum, so a priority that is very
  important but impossible now (5 × 1 = 5) ranks below a solid, doable one (3 × 3 = 9): the
  impact-against-effort grid's "quick wins" rise to the top and "thankless" tasks sink, which is
  how the grid is read (NHS England, *Impact and effort matrix*, Quality, Service Improvement and
  Redesign tools).
- A criterion with weight 0 does not count, so leaving it unscored does not matter. A group with
  any counted criterion unscored has no score: the priority is "not fully scored" and ranks after
  every fully scored one.
- Ranking: overall highest first; ties by impact, then the older priority first.

Weights are not negative, finite, at most `WEIGHT_MAX`, and not all zero within a group.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

IMPACT = ("people_affected", "severity", "equity", "strategic_fit")
FEASIBILITY = ("effort", "cost", "readiness")
CRITERIA = IMPACT + FEASIBILITY
LABELS = {
    "people_affected": "People affected",
    "severity": "Severity",
    "equity": "Equity",
    "strategic_fit": "Strategic fit",
    "effort": "Effort (5 = little)",
    "cost": "Cost (5 = little)",
    "readiness": "Readiness",
}
SCORE_MIN, SCORE_MAX = 1, 5
# A weight is relative: 100 times another is already overwhelming, and bounding it keeps
# nonsense (1e308) out of the arithmetic.
WEIGHT_MAX = 100.0
DEFAULT_WEIGHTS: dict[str, float] = {name: 1.0 for name in CRITERIA}

T = TypeVar("T")


@dataclass(frozen=True)
class Score:
    """A priority's scores under some weights: impact and feasibility (1 to 5) and overall
    (impact × feasibility, 1 to 25), None where a counted criterion is unscored; `missing`
    names those criteria."""

    impact: float | None
    feasibility: float | None
    overall: float | None
    missing: tuple[str, ...]

    @property
    def fully_scored(self) -> bool:
        return self.overall is not None


def weight_problems(weights: Mapping[str, Any]) -> dict[str, list[str]]:
    """What is wrong with `weights` (every criterion's), by criterion, plus "impact" or
    "feasibility" when all of a group's are zero. Empty when they may be used."""
    problems: dict[str, list[str]] = {}
    for name in CRITERIA:
        value = weights.get(name)
        label = LABELS[name].split(" (")[0]
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems[name] = [f"{label}: give a weight, a number from 0 to {WEIGHT_MAX:g}."]
        elif not math.isfinite(value) or not 0 <= value <= WEIGHT_MAX:
            problems[name] = [f"{label}: a weight is a number from 0 to {WEIGHT_MAX:g}."]
    if problems:
        return problems
    for group, names in (("impact", IMPACT), ("feasibility", FEASIBILITY)):
        if all(weights[name] == 0 for name in names):
            problems[group] = [f"At least one {group} weight must be more than 0."]
    return problems


def score_problem(value: Any) -> str | None:
    """Why `value` is not a score (a whole number from 1 to 5, or None for unscored)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return f"A score is a whole number from {SCORE_MIN} to {SCORE_MAX}."
    if not SCORE_MIN <= value <= SCORE_MAX:
        return f"A score is from {SCORE_MIN} to {SCORE_MAX}."
    return None


def _group(scores: Mapping[str, int | None], weights: Mapping[str, float], names) -> float | None:
    counted = [name for name in names if weights[name] > 0]
    if any(scores.get(name) is None for name in counted):
        return None
    total = sum(weights[name] for name in counted)
    return sum(weights[name] * scores[name] for name in counted) / total  # type: ignore[operator]


def score(scores: Mapping[str, int | None], weights: Mapping[str, float] | None = None) -> Score:
    """The priority's `Score` from its criterion scores (1 to 5 or None) under `weights`
    (DEFAULT_WEIGHTS when None).

    >>> score({"people_affected": 5, "severity": 3, "equity": 4, "strategic_fit": 4,
    ...        "effort": 2, "cost": 2, "readiness": 5}).overall
    12.0
    """
    weights = DEFAULT_WEIGHTS if weights is None else weights
    problems = weight_problems(weights)
    if problems:
        raise ValueError(f"Weights cannot be used: {problems}")
    for name in CRITERIA:
        problem = score_problem(scores.get(name))
        if problem:
            raise ValueError(f"{name}: {problem}")
    impact = _group(scores, weights, IMPACT)
    feasibility = _group(scores, weights, FEASIBILITY)
    overall = impact * feasibility if impact is not None and feasibility is not None else None
    missing = tuple(name for name in CRITERIA if weights[name] > 0 and scores.get(name) is None)
    return Score(impact, feasibility, overall, missing)


def rank_key(result: Score, age: Any) -> tuple:
    """Sort key putting fully scored first, by overall then impact highest first, then the
    older (smaller `age`: a creation time or id) first."""
    if result.overall is None:
        return (1, 0.0, 0.0, age)
    return (0, -round(result.overall, 9), -round(result.impact or 0.0, 9), age)


def rank(items: Iterable[T], score_of: Callable[[T], Score], age_of: Callable[[T], Any]) -> list[T]:
    """`items` in rank order (see the module's rules)."""
    return sorted(items, key=lambda item: rank_key(score_of(item), age_of(item)))


def quadrant(result: Score) -> str:
    """Where a fully scored priority sits on the impact-against-feasibility grid (the middle,
    3, counts as high): "Quick win", "Major project", "Fill-in" or "Thankless"; "" unscored."""
    if result.impact is None or result.feasibility is None:
        return ""
    high_impact, easy = result.impact >= 3, result.feasibility >= 3
    if high_impact:
        return "Quick win" if easy else "Major project"
    return "Fill-in" if easy else "Thankless"
