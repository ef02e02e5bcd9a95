"""Rules that find special-cause variation, the Anhøj runs analysis, point types and icons.

Everything works on the "rule points": included points with a value and a centre line, in order.
Excluded points are skipped (they neither break nor extend a run), and a rule never reaches
across a segment (phase) boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from qms.stats._constants import CROSSINGS_PERCENTILE
from qms.stats.mdc import ASSURANCE_ICONS

# Point type codes (indices into _results.POINT_TYPES).
COMMON, IMPROVEMENT, CONCERN, NEUTRAL_HIGH, NEUTRAL_LOW = range(5)
DIRECTION_SIGN = {"increase": 1, "decrease": -1, "neutral": 0}


@dataclass(frozen=True)
class RunsTable:
    """Anhøj runs analysis per segment; -1 stands for "does not exist"."""

    n_useful: np.ndarray
    longest_run: np.ndarray
    longest_run_max: np.ndarray
    crossings: np.ndarray
    crossings_min: np.ndarray
    runs_signal: np.ndarray


def _run_lengths(new_run: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run number of each element and the length of each run, given where runs start."""
    run_id = np.cumsum(new_run, dtype=np.int32) - 1
    return run_id, np.bincount(run_id) if len(run_id) else np.zeros(0, dtype=np.int64)


def _starts(*keys: np.ndarray) -> np.ndarray:
    """True where any key differs from the element before (and at the first element)."""
    size = len(keys[0])
    new = np.zeros(size, dtype=bool)
    if size:
        new[0] = True
        for key in keys:
            new[1:] |= key[1:] != key[:-1]
    return new


# Differences this small, relative to the values, are floating-point rounding: a constant
# series' mean (or a back-transformed t chart centre) can differ from its values in the last bit.
ROUNDING = 1e-12


def tolerance(values: np.ndarray) -> np.ndarray:
    """How far apart two numbers near `values` must be to differ by more than rounding."""
    return ROUNDING * np.abs(values)


def beyond(upper: np.ndarray, lower: np.ndarray, tolerance: np.ndarray) -> np.ndarray:
    """Where `upper` exceeds `lower` by more than `tolerance` (NaN compares as False)."""
    with np.errstate(invalid="ignore"):
        return upper - lower > tolerance


def side_of_centre(value: np.ndarray, cl: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """+1 above the centre line, -1 below, 0 on it (within rounding)."""
    with np.errstate(invalid="ignore"):
        difference = value - cl
    return (difference > tol).astype(np.int8) - (difference < -tol).astype(np.int8)


def shift(side: np.ndarray, seg: np.ndarray, length: int) -> np.ndarray:
    """Points in a run of `length` or more on one side of the centre line. A point on the line
    (side 0) starts a run of its own, so it breaks a shift."""
    run_id, lengths = _run_lengths(_starts(side, seg))
    return (side != 0) & (lengths[run_id] >= length)


def trend(value: np.ndarray, seg: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Points in `length` or more consecutive points each strictly above (or below) the one
    before; a tie breaks the trend. Returns the flags and each flagged point's direction."""
    size = len(value)
    flagged = np.zeros(size, dtype=bool)
    direction = np.zeros(size, dtype=np.int8)
    if size < 2:
        return flagged, direction
    step = np.sign(np.diff(value)).astype(np.int8)
    step[seg[1:] != seg[:-1]] = 0  # no step crosses a phase boundary
    run_id, lengths = _run_lengths(_starts(step))
    in_trend = (step != 0) & (lengths[run_id] + 1 >= length)  # k steps join k + 1 points
    after = np.zeros(size, dtype=bool)  # the step after the point is part of a trend
    after[:-1] = in_trend
    before = np.zeros(size, dtype=bool)
    before[1:] = in_trend
    flagged = after | before
    step_after = np.zeros(size, dtype=np.int8)
    step_after[:-1] = step
    step_before = np.zeros(size, dtype=np.int8)
    step_before[1:] = step
    direction = np.where(after, step_after, np.where(before, step_before, 0)).astype(np.int8)
    return flagged, direction


def two_of_three(
    side: np.ndarray, high: np.ndarray, low: np.ndarray, seg: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Points beyond a two-sigma line in a window of three consecutive points, all strictly on
    the same side of the centre line, at least two of them beyond that side's line. Only the
    points beyond the line are flagged. Returns flags for the high and the low side."""
    size = len(side)
    if size < 3:
        empty = np.zeros(size, dtype=bool)
        return empty, empty.copy()
    same_segment = seg[2:] == seg[:-2]

    def qualifying(beyond: np.ndarray, wanted_side: int) -> np.ndarray:
        on_side = side == wanted_side
        window = (
            same_segment
            & on_side[:-2]
            & on_side[1:-1]
            & on_side[2:]
            & (beyond[:-2].astype(np.int8) + beyond[1:-1] + beyond[2:] >= 2)
        )
        member = np.zeros(size, dtype=bool)  # the point belongs to some qualifying window
        member[:-2] |= window
        member[1:-1] |= window
        member[2:] |= window
        return member & beyond

    return qualifying(high, 1), qualifying(low, -1)


@lru_cache(maxsize=4096)
def _crossings_minimum(n_useful: int) -> int:
    from scipy.stats import binom

    return int(binom.ppf(CROSSINGS_PERCENTILE, n_useful - 1, 0.5))


def runs_analysis(
    side: np.ndarray, seg: np.ndarray, segment_count: int, *, want_long_runs: bool = False
) -> tuple[RunsTable, np.ndarray | None]:
    """Anhøj's rules per segment, ignoring points on the centre line. With `want_long_runs`,
    also says for every rule point whether it lies in a run longer than its segment allows."""
    useful = side != 0
    all_useful = bool(useful.all())
    useful_side = side if all_useful else side[useful]
    useful_seg = seg if all_useful else seg[useful]
    new_run = _starts(useful_side, useful_seg)
    run_id, lengths = _run_lengths(new_run)
    run_seg = useful_seg[new_run]  # runs are in segment order
    n_useful = np.bincount(useful_seg, minlength=segment_count)
    runs = np.bincount(run_seg, minlength=segment_count)
    has = n_useful > 0
    longest = np.zeros(segment_count, dtype=np.int64)
    if len(lengths):
        first_run = np.concatenate(([0], np.cumsum(runs)[:-1]))
        longest[has] = np.maximum.reduceat(lengths, first_run[has])
    longest_max = np.full(segment_count, -1, dtype=np.int64)
    longest_max[has] = np.round(np.log2(n_useful[has])).astype(np.int64) + 3
    crossings_min = np.full(segment_count, -1, dtype=np.int64)
    for value in np.unique(n_useful[has]):  # a handful of distinct phase lengths
        crossings_min[n_useful == value] = _crossings_minimum(int(value))
    crossings = np.where(has, runs - 1, -1)
    signal = has & ((longest > longest_max) | (crossings < crossings_min))
    table = RunsTable(
        # A phase whose points all lie on the centre line has 0 useful points and no signal
        # (qicharts2's convention); its other counts do not exist.
        n_useful=n_useful.astype(np.int64),
        longest_run=np.where(has, longest, -1),
        longest_run_max=longest_max,
        crossings=crossings,
        crossings_min=crossings_min,
        runs_signal=signal,
    )
    if not want_long_runs:
        return table, None
    too_long = np.zeros(len(side), dtype=bool)
    too_long[useful] = lengths[run_id] > longest_max[useful_seg]
    return table, too_long


def point_types(
    *,
    outside_side: np.ndarray,
    trend_flag: np.ndarray,
    trend_direction: np.ndarray,
    two_high: np.ndarray,
    two_low: np.ndarray,
    shift_flag: np.ndarray,
    side: np.ndarray,
    direction: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Type code and side (+1 high, -1 low, 0 none) of every point. Priority: outside the
    limits, then trend, then two of three, then shift."""
    high_low = np.where(
        outside_side != 0,
        outside_side,
        np.where(
            trend_flag,
            trend_direction,
            np.where(two_high, 1, np.where(two_low, -1, np.where(shift_flag, side, 0))),
        ),
    ).astype(np.int8)
    sign = DIRECTION_SIGN[direction]
    if sign == 0:
        codes = np.where(high_low > 0, NEUTRAL_HIGH, np.where(high_low < 0, NEUTRAL_LOW, COMMON))
    else:
        goodness = high_low * sign
        codes = np.where(goodness > 0, IMPROVEMENT, np.where(goodness < 0, CONCERN, COMMON))
    return codes.astype(np.int8), high_low


# Variation icon codes (indices into _results.VARIATION_ICONS).
_ICON_BY_TYPE_AND_SIDE = {
    (IMPROVEMENT, 1): 2,
    (IMPROVEMENT, -1): 3,
    (CONCERN, 1): 4,
    (CONCERN, -1): 5,
    (NEUTRAL_HIGH, 1): 6,
    (NEUTRAL_LOW, -1): 7,
}


def variation_icons(codes: np.ndarray, high_low: np.ndarray, has_value: np.ndarray) -> np.ndarray:
    """Icon code of each series' last point (arrays hold one entry per series)."""
    icons = np.where(has_value, 1, 0).astype(np.int8)  # common cause, or none
    for (code, side), icon in _ICON_BY_TYPE_AND_SIDE.items():
        icons[has_value & (codes == code) & (high_low == side)] = icon
    return icons


def assurance_icons(
    lcl: np.ndarray, ucl: np.ndarray, target: float | None, direction: str, strict: bool
) -> np.ndarray:
    """Pass (1), fail (2) or hit and miss (3) from the target against the last point's limits;
    none (0) without a target, a direction, or limits."""
    size = len(lcl)
    if target is None or direction == "neutral":
        return np.zeros(size, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        if strict:
            below_lower, above_upper = target < lcl, target > ucl
        else:
            below_lower, above_upper = target <= lcl, target >= ucl
    if direction == "increase":
        passes, fails = below_lower, above_upper
    else:
        passes, fails = above_upper, below_lower
    icons = np.where(passes, 1, np.where(fails, 2, 3)).astype(np.int8)
    icons[~(np.isfinite(lcl) & np.isfinite(ucl))] = 0
    return icons


def assurance_icon(
    lcl: float | None, ucl: float | None, target: float | None, direction: str, rules: str = "mdc"
) -> str:
    """The assurance icon for one chart from its last point's limits.

    Examples
    --------
    >>> assurance_icon(80.0, 95.0, 75.0, "increase")
    'pass'
    >>> assurance_icon(80.0, 95.0, 95.0, "increase", rules="ptd")
    'hit_or_miss'
    """
    limits = [np.nan if value is None else float(value) for value in (lcl, ucl)]
    codes = assurance_icons(
        np.array(limits[:1]), np.array(limits[1:]), target, direction, strict=rules == "ptd"
    )
    return ASSURANCE_ICONS[int(codes[0])]
