"""`analyse`: the one entry point. Prepares columns, computes limits and rules for every series
at once, and packs the result."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from qms.stats import _limits, _rules
from qms.stats._input import (
    as_array,
    factorise,
    first_rows,
    numeric_column,
    problem,
)
from qms.stats._results import DIRECTIONS, RULE_SETS, Analysis
from qms.stats._segments import Segments
from qms.stats.charts import CHARTS, COUNTED, NEEDS_DENOMINATOR, PROPORTIONS, SUBGROUPED

_RUNS_DO_NOT_APPLY = {"mr"}  # moving ranges are autocorrelated (qicharts2 turns runs off too)
# IHI uses 6 and 5, Western Electric 9 and 6, Making Data Count 7 and 7 (as the default).
_RULE_LENGTHS = range(3, 21)


def analyse(
    y: Any,
    *,
    n: Any = None,
    x: Any = None,
    series: Any = None,
    chart: str = "i",
    freeze: int | None = None,
    baseline: int | None = None,
    part: Iterable[int] | None = None,
    exclude: Iterable[int] | None = None,
    multiply: float = 1.0,
    screen_mr: bool = False,
    rules: str = "mdc",
    direction: str = "neutral",
    target: float | None = None,
    shift_length: int = 7,
    trend_length: int = 7,
) -> Analysis:
    """Analyse one or many series as control charts (or run charts).

    Parameters
    ----------
    y : sequence, array or pandas/polars column
        The values. For p and pp the count of events, for u, up and c the count, for xbar and s
        one measurement per row. None or NaN is a missing value.
    n : sequence, optional
        Denominators (p, pp, u, up; required there). A zero denominator is a gap: the point's
        value and limits are missing and it takes no part in any calculation.
    x : sequence, optional
        Period labels. For xbar and s, rows of a series with the same x form one subgroup.
    series : sequence, optional
        Series labels. Each series is an independent chart with the same options; results come
        in the order series first appear.
    chart : {"run", "i", "mr", "xbar", "s", "p", "pp", "u", "up", "c", "g", "t"}
    freeze : int, optional
        Centre and limits from the first `freeze` points of each phase (the baseline, as in
        qicharts2), carried forward unchanged. A phase with fewer points has *trial* limits,
        from all its points (`PhaseSummary.trial`).
    baseline : int, optional
        Like `freeze`, but counting only the included points that have a value, so gaps
        (missing values, zero denominators) do not use up the baseline. Give one or neither.
    part : iterable of int, optional
        1-based positions where a new phase begins (in every series).
    exclude : iterable of int, optional
        1-based positions left out of every calculation; still plotted and given limits.
    multiply : float
        Multiply y, centre and limits (e.g. 100 for percentages), after clamping.
    screen_mr : bool
        Drop moving ranges of 3.267 x the average or more before taking sigma (i, t, pp, up).
    rules : {"mdc", "ptd", "anhoej"}
        Making Data Count; the NHSRplotthedots variant; or Anhøj's runs rules.
    direction : {"increase", "decrease", "neutral"}
        Which way is improvement.
    target : float, optional
        The target or standard, in the plotted units, for the assurance icon.
    shift_length, trend_length : int
        Points needed for a shift or a trend (3 to 20; Making Data Count uses 7, IHI 6 and 5,
        Western Electric 9 and 6).

    Returns
    -------
    Analysis
        Frozen results; `analysis[0]` or `analysis["name"]` is one series.

    Raises
    ------
    SpcInputError
        For input that cannot be analysed, naming each bad row and column.

    Examples
    --------
    >>> from qms.stats import analyse
    >>> result = analyse([5, 6, 5, 7, 6, 5, 6, 14], chart="i", direction="increase")
    >>> chart = result[0]
    >>> round(float(chart.cl[0]), 3), round(float(chart.ucl[0]), 3)
    (6.75, 12.449)
    >>> chart.point_type[-1], chart.variation_icon
    ('special_cause_improvement', 'improvement_high')
    """
    options = _check_options(
        chart, rules, direction, freeze, part, exclude, multiply, shift_length, trend_length
    )
    options["baseline"] = _check_baseline(baseline, freeze)
    columns = _prepare(y, n, x, series, chart)
    return _analyse_prepared(columns, chart=chart, screen_mr=screen_mr, target=target, **options)


def _positions(values: Iterable[int] | None, name: str) -> np.ndarray:
    if values is None:
        return np.zeros(0, dtype=np.int64)
    try:
        array = np.asarray(list(values), dtype=np.float64)
    except (TypeError, ValueError):
        raise problem(name, "positions must be whole numbers") from None
    if array.size and (np.any(array != np.round(array)) or np.any(array < 1)):
        raise problem(name, "positions are whole numbers counted from 1")
    return np.unique(array.astype(np.int64))


def _check_options(
    chart, rules, direction, freeze, part, exclude, multiply, shift_length, trend_length
) -> dict[str, Any]:
    if chart not in CHARTS:
        raise problem("chart", f"unknown chart {chart!r}; choose one of {', '.join(CHARTS)}")
    if rules not in RULE_SETS:
        raise problem("rules", f"unknown rules {rules!r}; choose one of {', '.join(RULE_SETS)}")
    if direction not in DIRECTIONS:
        raise problem(
            "direction", f"unknown direction {direction!r}; choose one of {', '.join(DIRECTIONS)}"
        )
    for name, length in (("shift_length", shift_length), ("trend_length", trend_length)):
        if not isinstance(length, int | np.integer) or length not in _RULE_LENGTHS:
            raise problem(name, f"must be a whole number from 3 to 20, not {length!r}")
    if freeze is not None and (not isinstance(freeze, int | np.integer) or freeze < 1):
        raise problem("freeze", f"must be a whole number of points, at least 1, not {freeze!r}")
    try:
        multiply = float(multiply)
    except (TypeError, ValueError):
        raise problem("multiply", f"must be a number, not {multiply!r}") from None
    if not np.isfinite(multiply) or multiply <= 0:
        raise problem("multiply", f"must be a positive number, not {multiply!r}")
    return {
        "rules": rules,
        "direction": direction,
        "freeze": freeze,
        "part": _positions(part, "part"),
        "exclude": _positions(exclude, "exclude"),
        "multiply": multiply,
        "shift_length": int(shift_length),
        "trend_length": int(trend_length),
    }


def _check_baseline(baseline, freeze) -> int | None:
    if baseline is None:
        return None
    if freeze is not None:
        raise problem("baseline", "give freeze (positions) or baseline (points), not both")
    if not isinstance(baseline, int | np.integer) or isinstance(baseline, bool) or baseline < 1:
        raise problem("baseline", f"must be a whole number of points, at least 1, not {baseline!r}")
    return int(baseline)


class _Columns:
    """Clean columns, grouped by series, one entry per plotted point."""

    def __init__(self, *, y, n, sd, x, codes, names, count):
        self.y, self.n, self.sd, self.x = y, n, sd, x
        self.codes, self.names, self.count = codes, names, count


def _prepare(y, n, x, series, chart) -> _Columns:
    y_values = numeric_column(y, "y")
    size = len(y_values)
    if size == 0:
        raise problem("y", "no data: there are no rows to analyse")
    n_values = None if n is None else numeric_column(n, "n")
    x_values = None if x is None else as_array(x)
    s_values = None if series is None else as_array(series)
    for name, column in (("n", n_values), ("x", x_values), ("series", s_values)):
        if column is not None and len(column) != size:
            raise problem(name, f"has {len(column)} rows but y has {size}")
    _check_values(chart, y_values, n_values)

    if s_values is None:
        codes, names = np.zeros(size, dtype=np.int64), np.array([None], dtype=object)
    else:
        codes, names = factorise(s_values)
        if len(codes) > 1 and np.any(codes[1:] < codes[:-1]):  # interleaved: group them
            order = np.argsort(codes, kind="stable")
            codes, y_values = codes[order], y_values[order]
            n_values = None if n_values is None else n_values[order]
            x_values = None if x_values is None else x_values[order]

    if chart in SUBGROUPED:
        if x_values is None:
            raise problem("x", f"the {chart} chart needs x: rows with the same x form a subgroup")
        return _subgroups(y_values, x_values, codes, names)

    count = None
    if chart in NEEDS_DENOMINATOR:
        assert n_values is not None  # _check_values has insisted on it
        count = y_values
        with np.errstate(invalid="ignore", divide="ignore"):
            y_values = np.where(n_values > 0, count / n_values, np.nan)
    return _Columns(
        y=y_values,
        n=n_values,
        sd=None,
        x=x_values,
        codes=codes,
        names=tuple(names.tolist()),
        count=count,
    )


def _check_values(chart: str, y: np.ndarray, n: np.ndarray | None) -> None:
    with np.errstate(invalid="ignore"):
        if chart in COUNTED and np.any(y < 0):
            raise first_rows(y < 0, "y", f"a count cannot be negative on a {chart} chart")
        if chart == "t" and np.any(y <= 0):
            raise first_rows(y <= 0, "y", "times between events must be greater than 0")
        if chart in NEEDS_DENOMINATOR:
            if n is None:
                raise problem("n", f"the {chart} chart needs a denominator column n")
            if np.any(n < 0):
                raise first_rows(n < 0, "n", "a denominator cannot be negative")
            if chart in PROPORTIONS and np.any(y > n):
                raise first_rows(y > n, "n", "the denominator is smaller than the count y")


def _subgroups(y, x, codes, names) -> _Columns:
    """One point per (series, x), in order of first appearance: mean, sd and size."""
    x_codes, _ = factorise(x)
    key = codes * (int(x_codes.max()) + 1) + x_codes
    group, _ = factorise(key)
    first_row = np.full(int(group.max()) + 1, len(group))
    np.minimum.at(first_row, group, np.arange(len(group)))
    present = np.isfinite(y)
    size = np.bincount(group[present], minlength=len(first_row)).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(group[present], weights=y[present], minlength=len(first_row)) / size
        deviation = (y - mean[group]) ** 2
        sd = np.sqrt(
            np.bincount(group[present], weights=deviation[present], minlength=len(first_row))
            / (size - 1)
        )
    sd[size < 2] = np.nan
    group_codes = codes[first_row]
    order = np.argsort(group_codes, kind="stable")  # keep series grouped
    return _Columns(
        y=mean[order],
        n=size[order],
        sd=sd[order],
        x=x[first_row][order],
        codes=group_codes[order],
        names=tuple(names.tolist()),
        count=None,
    )


def _analyse_prepared(
    columns: _Columns,
    *,
    chart,
    rules,
    direction,
    freeze,
    baseline,
    part,
    exclude,
    multiply,
    shift_length,
    trend_length,
    screen_mr,
    target,
) -> Analysis:
    size = len(columns.y)
    codes = columns.codes
    series_start = _starts(codes)
    series_first = np.flatnonzero(series_start)
    # Series are long runs of rows: repeating each first row is cheaper than a cumulative sum.
    series_lengths = np.diff(series_first, append=size)
    position = np.arange(size, dtype=np.int32) - np.repeat(
        series_first.astype(np.int32), series_lengths
    )
    if part.size:
        phase = np.searchsorted(part[part > 1], position + 1, side="right").astype(np.int32)
        segments = Segments.from_boundaries(series_start | _starts(phase))
    else:
        phase = np.zeros(size, dtype=np.int32)
        segments = Segments.from_boundaries(series_start)
    included = ~np.isin(position + 1, exclude) if exclude.size else np.ones(size, dtype=bool)
    del position
    counted = included & np.isfinite(columns.y)
    if freeze is not None:  # as in qicharts2: the first `freeze` positions of the phase
        window = included & (segments.position() < freeze)
        trial = segments.lengths() < freeze
    elif baseline is not None:  # the first `baseline` points with a value
        window = included & (segments.rank(counted) < baseline)
        trial = segments.size(counted) < baseline
    else:
        window = included
        trial = np.zeros(segments.count, dtype=bool)
    baseline_points = segments.size(window & counted).astype(np.int64)

    value = columns.sd if chart == "s" else columns.y
    if chart == "mr":
        value = _moving_ranges(value, segments)
        # A range counts only when both of its points are included.
        previous_included = np.ones(size, dtype=bool)
        previous_included[1:] = included[:-1]
        window = window & previous_included
    has_value = np.isfinite(value)
    data = _limits.ChartInput(
        value=value,
        count=columns.count,
        n=columns.n,
        sd=columns.sd,
        segments=segments,
        base=window & has_value,
        window=window,
        screen_mr=screen_mr,
    )
    lines = _limits.lines(chart, data)
    if chart in NEEDS_DENOMINATOR:
        _gap_without_denominator(lines, columns.n)

    tol = _rules.tolerance(value)
    above, below = _rules.beyond(value, lines.ucl, tol), _rules.beyond(lines.lcl, value, tol)
    outside_side = np.where(above, 1, np.where(below, -1, 0)).astype(np.int8)

    rule_point = included & has_value & np.isfinite(lines.cl)
    flags = _apply_rules(
        chart, rules, value, tol, lines, rule_point, segments, shift_length, trend_length
    )
    types, high_low = _rules.point_types(
        outside_side=outside_side, direction=direction, **flags.point_inputs
    )

    last = np.append(series_first[1:], size) - 1
    variation = _rules.variation_icons(
        types[last], high_low[last], has_value[last] & np.isfinite(lines.cl[last])
    )
    assurance = _rules.assurance_icons(
        lines.lcl[last] * multiply,
        lines.ucl[last] * multiply,
        None if target is None else float(target),
        direction,
        strict=rules == "ptd",
    )

    segment_series = codes[segments.starts]
    phase_offsets = np.concatenate(([0], np.cumsum(np.bincount(segment_series))))
    runs = flags.runs
    plotted = _scaled(value, multiply, copy=value is columns.y)
    line_cl, line_lcl, line_ucl, line_lcl_2s, line_ucl_2s = (
        _scaled(line, multiply, copy=False)
        for line in (lines.cl, lines.lcl, lines.ucl, lines.lcl_2s, lines.ucl_2s)
    )
    points = {
        "x": columns.x if columns.x is not None else np.full(size, None, dtype=object),
        "y": plotted,
        "n": columns.n if columns.n is not None else np.full(size, np.nan),
        "phase": phase + 1,
        "cl": line_cl,
        "lcl": line_lcl,
        "ucl": line_ucl,
        "lcl_2s": line_lcl_2s,
        "ucl_2s": line_ucl_2s,
        "included": included,
        "outside": outside_side != 0,
        "shift": flags.shift,
        "trend": flags.trend,
        "two_of_three": flags.two_of_three,
        "point_type": types,
    }
    return Analysis(
        chart=chart,
        names=columns.names,
        offsets=np.append(series_first, size),
        points=points,
        phase_offsets=phase_offsets,
        phase_table={
            "phase": (phase[segments.starts] + 1).astype(np.int64),
            "n_useful": runs.n_useful,
            "longest_run": runs.longest_run,
            "longest_run_max": runs.longest_run_max,
            "crossings": runs.crossings,
            "crossings_min": runs.crossings_min,
            "runs_signal": runs.runs_signal,
            "baseline": baseline_points,
            "trial": trial,
        },
        variation_codes=variation,
        assurance_codes=assurance,
    )


def _gap_without_denominator(lines: _limits.Lines, n: np.ndarray) -> None:
    """A point with no denominator (0, or missing) has no limits: without this a p chart
    would draw 0 to 1 and a u chart an infinite upper limit there."""
    with np.errstate(invalid="ignore"):
        gap = ~(n > 0)
    if gap.any():
        for line in (lines.lcl, lines.ucl, lines.lcl_2s, lines.ucl_2s):
            line[gap] = np.nan


def _scaled(values: np.ndarray, multiply: float, *, copy: bool) -> np.ndarray:
    """values x multiply. The engine's own arrays are scaled in place (they are large and used
    once); the caller's array is copied, so the frozen result never shares memory with it."""
    if multiply == 1.0:
        return values.copy() if copy else values
    if copy:
        return values * multiply
    values *= multiply
    return values


def _starts(key: np.ndarray) -> np.ndarray:
    new = np.empty(len(key), dtype=bool)
    new[0] = True
    np.not_equal(key[1:], key[:-1], out=new[1:])
    return new


def _moving_ranges(value: np.ndarray, segments: Segments) -> np.ndarray:
    ranges = np.full(len(value), np.nan)
    ranges[1:] = np.abs(np.diff(value))
    ranges[segments.starts] = np.nan  # the first point of each phase has no range
    return ranges


class _Flags:
    def __init__(self, size, segment_count):
        self.shift = np.zeros(size, dtype=bool)
        self.trend = np.zeros(size, dtype=bool)
        self.two_of_three = np.zeros(size, dtype=bool)
        self.trend_direction = np.zeros(size, dtype=np.int8)
        self.two_high = np.zeros(size, dtype=bool)
        self.two_low = np.zeros(size, dtype=bool)
        self.side = np.zeros(size, dtype=np.int8)
        none = np.full(segment_count, -1, dtype=np.int64)
        self.runs = _rules.RunsTable(
            none, none, none, none, none, np.zeros(segment_count, dtype=bool)
        )

    @property
    def point_inputs(self) -> dict[str, np.ndarray]:
        return {
            "trend_flag": self.trend,
            "trend_direction": self.trend_direction,
            "two_high": self.two_high,
            "two_low": self.two_low,
            "shift_flag": self.shift,
            "side": self.side,
        }


def _apply_rules(
    chart, rules, value, tol, lines, rule_point, segments, shift_length, trend_length
) -> _Flags:
    flags = _Flags(len(value), segments.count)
    if chart in _RUNS_DO_NOT_APPLY:
        return flags
    # Usually every point takes part: then the rules work on views, not on compressed copies.
    index = slice(None) if rule_point.all() else np.flatnonzero(rule_point)
    seg = segments.seg[index]
    points, point_tol = value[index], tol[index]
    side = _rules.side_of_centre(points, lines.cl[index], point_tol)
    flags.side[index] = side
    flags.runs, too_long = _rules.runs_analysis(
        side, seg, segments.count, want_long_runs=rules == "anhoej"
    )
    if rules == "anhoej":
        flags.shift[index] = too_long
        return flags
    flags.shift[index] = _rules.shift(side, seg, shift_length)
    trend, trend_direction = _rules.trend(points, seg, trend_length)
    flags.trend[index], flags.trend_direction[index] = trend, trend_direction
    high = _rules.beyond(points, lines.ucl_2s[index], point_tol)
    low = _rules.beyond(lines.lcl_2s[index], points, point_tol)
    if rules == "ptd":  # NHSRplotthedots counts only points between 2 and 3 sigma
        high &= ~_rules.beyond(points, lines.ucl[index], point_tol)
        low &= ~_rules.beyond(lines.lcl[index], points, point_tol)
    two_high, two_low = _rules.two_of_three(side, high, low, seg)
    flags.two_high[index], flags.two_low[index] = two_high, two_low
    flags.two_of_three[index] = two_high | two_low
    return flags
