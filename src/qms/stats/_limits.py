"""Centre lines and limits of every chart, computed for all segments at once.

Each chart function returns the centre line shown, the centre the limits are built around, and
sigma for each point; `lines` turns those into the limits and the two-sigma lines and clamps
them. Conventions follow qicharts2 and Montgomery (see /tmp notes in the issue; sources inline).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qms.stats._constants import D2, D3, MR_UCL_FACTOR, SIGMA_LIMIT, SIGMA_WARNING, T_EXPONENT, c4
from qms.stats._segments import Segments
from qms.stats.charts import FLOOR_ZERO, PROPORTIONS


@dataclass(frozen=True)
class Lines:
    cl: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray
    lcl_2s: np.ndarray
    ucl_2s: np.ndarray


@dataclass(frozen=True)
class ChartInput:
    """What a chart function needs. `base` marks the included baseline points with a value;
    `window` the included baseline points whether or not they have a value (for moving
    ranges, which must not bridge a missing value)."""

    value: np.ndarray
    count: np.ndarray | None
    n: np.ndarray | None
    sd: np.ndarray | None
    segments: Segments
    base: np.ndarray
    window: np.ndarray
    screen_mr: bool

    # The charts that need denominators, counts or subgroup sds are only called with them.
    @property
    def sizes(self) -> np.ndarray:
        assert self.n is not None
        return self.n

    @property
    def counts(self) -> np.ndarray:
        assert self.count is not None
        return self.count

    @property
    def sds(self) -> np.ndarray:
        assert self.sd is not None
        return self.sd


def lines(chart: str, data: ChartInput) -> Lines:
    """Centre line, limits and two-sigma lines for every point."""
    if chart == "run":
        cl = data.segments.median(data.value, data.base)[data.segments.seg]
        missing = np.full(len(cl), np.nan)
        return Lines(cl, missing, missing, missing, missing)
    if chart == "t":
        return _t_lines(data)
    cl, centre, sigma = _CHARTS[chart](data)
    lower, upper = centre - SIGMA_LIMIT * sigma, centre + SIGMA_LIMIT * sigma
    lower_2s, upper_2s = centre - SIGMA_WARNING * sigma, centre + SIGMA_WARNING * sigma
    if chart == "mr":  # the moving-range chart's limits come from D4, not from +-3 sigma
        upper = MR_UCL_FACTOR * centre
        lower = np.zeros_like(centre)
    if chart in FLOOR_ZERO:
        for line in (lower, lower_2s):
            np.maximum(line, 0.0, out=line, where=np.isfinite(line))
    if chart in PROPORTIONS:
        for line in (upper, upper_2s):
            np.minimum(line, 1.0, out=line, where=np.isfinite(line))
    return Lines(cl, lower, upper, lower_2s, upper_2s)


def _broadcast(per_segment: np.ndarray, segments: Segments) -> np.ndarray:
    return per_segment[segments.seg]


def _individuals(data: ChartInput, values: np.ndarray):
    segments = data.segments
    centre = _broadcast(segments.mean(values, data.base), segments)
    amr = segments.moving_range_mean(values, data.window, screen=data.screen_mr)
    sigma = _broadcast(amr / D2, segments)
    return centre, centre, sigma


def _i(data: ChartInput):
    return _individuals(data, data.value)


def _mr(data: ChartInput):
    # value is already the moving range; the mean is over baseline ranges of included points.
    centre = _broadcast(data.segments.mean(data.value, data.base), data.segments)
    return centre, centre, centre * (D3 / D2)


def _proportion_centre(data: ChartInput) -> np.ndarray:
    segments = data.segments
    with np.errstate(invalid="ignore", divide="ignore"):
        per_segment = segments.total(data.counts, data.base) / segments.total(data.sizes, data.base)
    return _broadcast(per_segment, segments)


def _p(data: ChartInput):
    centre = _proportion_centre(data)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(centre * (1 - centre) / data.sizes)
    return centre, centre, sigma


def _u(data: ChartInput):
    centre = _proportion_centre(data)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(centre / data.sizes)
    return centre, centre, sigma


def _laney(binomial_or_poisson):
    """Laney (2002): widen the per-point sigma by sigma_z, the moving-range sigma of the
    z-scores of the baseline points, for data too overdispersed for p or u limits."""

    def chart(data: ChartInput):
        centre, _, sigma = binomial_or_poisson(data)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (data.value - centre) / sigma
        amr = data.segments.moving_range_mean(z, data.window, screen=data.screen_mr)
        return centre, centre, sigma * _broadcast(amr / D2, data.segments)

    return chart


def _c(data: ChartInput):
    centre = _broadcast(data.segments.mean(data.value, data.base), data.segments)
    return centre, centre, np.sqrt(centre)


def _g(data: ChartInput):
    # Limits from the mean of the geometric distribution; the line shown is the median, which
    # is where half the points fall for such skewed data (qicharts2, Provost and Murray 2011).
    segments = data.segments
    mean = _broadcast(segments.mean(data.value, data.base), segments)
    median = _broadcast(segments.median(data.value, data.base), segments)
    return median, mean, np.sqrt(mean * (mean + 1))


def _sbar(data: ChartInput) -> np.ndarray:
    """s-bar per segment: the mean of subgroup sds when sizes are constant in the phase, the
    pooled sd otherwise (Montgomery 6.30-6.31)."""
    segments = data.segments
    smallest = np.full(segments.count, np.inf)
    largest = np.full(segments.count, -np.inf)
    np.minimum.at(smallest, segments.seg, data.sizes)
    np.maximum.at(largest, segments.seg, data.sizes)
    usable = data.base & np.isfinite(data.sds)
    mean_sd = segments.mean(data.sds, usable)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.sqrt(
            segments.total((data.sizes - 1) * data.sds**2, usable)
            / segments.total(data.sizes - 1, usable)
        )
    return np.where(smallest == largest, mean_sd, pooled)


def _xbar(data: ChartInput):
    segments = data.segments
    with np.errstate(invalid="ignore", divide="ignore"):
        weighted = segments.total(data.value * data.sizes, data.base) / segments.total(
            data.sizes, data.base
        )
        centre = _broadcast(weighted, segments)
        sigma = _broadcast(_sbar(data), segments) / (c4(data.sizes) * np.sqrt(data.sizes))
    return centre, centre, sigma


def _s(data: ChartInput):
    sbar = _broadcast(_sbar(data), data.segments)
    factor = c4(data.sizes)
    with np.errstate(invalid="ignore"):
        sigma = sbar * np.sqrt(1 - factor**2) / factor
    return sbar, sbar, sigma


def _t_lines(data: ChartInput) -> Lines:
    """Nelson (1994): an I chart of y^(1/3.6), back-transformed; a negative lower line is 0."""
    transformed = ChartInput(
        value=data.value ** (1 / T_EXPONENT),
        count=None,
        n=None,
        sd=None,
        segments=data.segments,
        base=data.base,
        window=data.window,
        screen_mr=data.screen_mr,
    )
    cl, _, sigma = _individuals(transformed, transformed.value)

    def back(line: np.ndarray) -> np.ndarray:
        out = np.where(line < 0, 0.0, line)
        return out**T_EXPONENT

    return Lines(
        back(cl),
        back(cl - SIGMA_LIMIT * sigma),
        back(cl + SIGMA_LIMIT * sigma),
        back(cl - SIGMA_WARNING * sigma),
        back(cl + SIGMA_WARNING * sigma),
    )


_CHARTS = {
    "i": _i,
    "mr": _mr,
    "xbar": _xbar,
    "s": _s,
    "p": _p,
    "pp": _laney(_p),
    "u": _u,
    "up": _laney(_u),
    "c": _c,
    "g": _g,
}
