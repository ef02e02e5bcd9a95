"""The gap between a process and its target, as Making Data Count reads it: current performance
is the centre line of the current phase, not the last point, and the assurance icon says
whether the process will meet the target unless it changes. A target the process will not
reliably meet is a gap even when the last point met it.

>>> gap = target_gap(centre=88.0, target=95.0, direction="increase", assurance="fail",
...                  last_value=96.0, has_limits=True)
>>> gap.status, gap.shortfall, gap.is_gap, gap.met_by_last_point
('fail', 7.0, True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The statuses of a measure with a target, worst first: the order gaps are ranked in when
# their relative shortfalls are equal, and the words pages say them in.
FAIL = "fail"  # the target lies beyond the limits on the wrong side
HIT_OR_MISS = "hit_or_miss"  # the target lies between the limits: met some of the time
WRONG_SIDE = "wrong_side"  # no assurance icon, but the centre line is on the wrong side
PASS = "pass"  # the target lies beyond the limits on the good side
NO_LIMITS = "no_limits"  # a centre line but no control limits yet (or a run chart)
NO_DIRECTION = "no_direction"  # the measure has no better direction: nothing to judge
NO_DATA = "no_data"  # no centre line yet
STATUSES = (FAIL, HIT_OR_MISS, WRONG_SIDE, PASS, NO_LIMITS, NO_DIRECTION, NO_DATA)
# Judged: the process has limits and a direction, so its status says whether there is a gap.
JUDGED = frozenset({FAIL, HIT_OR_MISS, WRONG_SIDE, PASS})


@dataclass(frozen=True, slots=True)
class TargetGap:
    """A process against its target.

    `shortfall` is signed, in the measure's units: positive when the centre line falls short of
    the target in the measure's direction of improvement, negative when it is better; None
    without a centre line or a direction. `relative` is the shortfall as a share of the target
    (None when the target is 0). `is_gap`: the process will not reliably meet the target.
    `met_by_last_point`: the latest value met the target (None without one)."""

    status: str
    shortfall: float | None
    relative: float | None
    is_gap: bool
    met_by_last_point: bool | None

    @property
    def judged(self) -> bool:
        """Whether the process has the limits and direction to say if there is a gap."""
        return self.status in JUDGED

    @property
    def misleading_last_point(self) -> bool:
        """The last point met the target, but the process does not reliably meet it."""
        return self.is_gap and bool(self.met_by_last_point)


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _meets(value: float, target: float, direction: str) -> bool:
    return value >= target if direction == "increase" else value <= target


def target_gap(
    *,
    centre: float | None,
    target: float,
    direction: str,
    assurance: str,
    last_value: float | None = None,
    has_limits: bool = True,
) -> TargetGap:
    """Classify a process against its target from its current centre line, its assurance icon
    (`pass`, `fail`, `hit_or_miss` or `none`) and its latest value.

    Parameters
    ----------
    centre : the centre line of the current phase, or None without data.
    target : the target (a finite number).
    direction : "increase", "decrease" or "neutral": the measure's direction of improvement.
    assurance : the stored assurance icon of the last point with a value.
    last_value : the latest value, to say whether it met the target.
    has_limits : whether the current phase has control limits (not a run chart, enough data).

    Examples
    --------
    The last point met the target but the process is not assured: still a gap.

    >>> g = target_gap(centre=94.0, target=95.0, direction="increase",
    ...                assurance="hit_or_miss", last_value=97.0)
    >>> g.is_gap, g.misleading_last_point, g.shortfall, round(g.relative, 4)
    (True, True, 1.0, 0.0105)

    Assured: no gap, and the surplus is negative.

    >>> target_gap(centre=2.0, target=5.0, direction="decrease", assurance="pass").shortfall
    -3.0
    """
    target_number = _finite(target)
    if target_number is None:
        raise ValueError("The target must be a finite number.")
    if direction not in ("increase", "decrease", "neutral"):
        raise ValueError(f"Unknown direction {direction!r}: increase, decrease or neutral.")
    centre = _finite(centre)
    last = _finite(last_value)
    if direction == "neutral":
        return TargetGap(NO_DIRECTION, None, None, False, None)
    met = None if last is None else _meets(last, target_number, direction)
    if centre is None:
        return TargetGap(NO_DATA, None, None, False, met)
    shortfall = target_number - centre if direction == "increase" else centre - target_number
    shortfall = shortfall + 0.0  # never -0.0
    relative = shortfall / abs(target_number) if target_number else None
    if not has_limits:
        return TargetGap(NO_LIMITS, shortfall, relative, False, met)
    if assurance in (FAIL, HIT_OR_MISS):
        status = assurance
    elif assurance == PASS and shortfall <= 0:
        status = PASS
    elif shortfall > 0:
        # No icon (or a stored icon out of step with the centre): the centre line alone says
        # the process falls short.
        status = WRONG_SIDE
    else:
        # No icon and the centre line on the good side: nothing says how reliably.
        return TargetGap(NO_LIMITS, shortfall, relative, False, met)
    return TargetGap(status, shortfall, relative, status != PASS, met)


def rank_key(gap: TargetGap) -> tuple[int, int, float, int]:
    """A sort key putting the worst first: gaps before targets met, by relative shortfall
    (largest first; a shortfall against a target of 0 counts as the largest), then fail before
    hit and miss; measures that cannot be judged (no data, no limits, no direction) last.

    >>> a = target_gap(centre=10.0, target=5.0, direction="decrease", assurance="fail")
    >>> b = target_gap(centre=6.0, target=5.0, direction="decrease", assurance="hit_or_miss")
    >>> sorted([b, a], key=rank_key) == [a, b]
    True
    """
    unjudged = 0 if gap.judged else 1
    relative = gap.relative
    if relative is None:
        shortfall = gap.shortfall or 0.0
        relative = math.inf if shortfall > 0 else (-math.inf if shortfall < 0 else 0.0)
    return (unjudged, 0 if gap.is_gap else 1, -relative, STATUSES.index(gap.status))
