"""qms.stats properties, with Hypothesis: invariance of the charts under a change of origin and
scale, and the equivalence of analysing many series at once with analysing each one alone.

Values are well conditioned (integers, or multiples of 0.001 within ±100), so results can be
compared with a relative tolerance of 1e-9. Where a flag could flip on a rounding error (a
point within a hair of the centre line or a limit), the example is skipped with `assume`.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qms.stats import DIRECTIONS, RULE_SETS, analyse

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

FLOAT_FIELDS = ("y", "n", "cl", "lcl", "ucl", "lcl_2s", "ucl_2s")
LIMIT_FIELDS = ("cl", "lcl", "ucl", "lcl_2s", "ucl_2s")
EXACT_FIELDS = (
    "phase",
    "included",
    "outside",
    "shift",
    "trend",
    "two_of_three",
    "point_type_code",
)
FLAGS = ("included", "outside", "shift", "trend", "two_of_three", "point_type_code")
NAMES = ("a", "b", "c", "d")

measurement = st.integers(-100_000, 100_000).map(lambda k: k / 1000)
positive = st.sampled_from([0.25, 0.5, 2.0, 3.0, 10.0])


def close(expected):
    return pytest.approx(expected, rel=1e-9, abs=1e-9, nan_ok=True)


def clear_of_lines(result, margin=1e-6):
    """True when no point lies within `margin` (relative to the data's scale) of the centre line
    or any limit, so that no comparison can be decided by a rounding error."""
    y = np.asarray(result.y, dtype=float)
    scale = max(1.0, float(np.nanmax(np.abs(y))) if np.isfinite(y).any() else 1.0)
    for name in LIMIT_FIELDS:
        gap = np.abs(y - getattr(result, name))
        gap = gap[np.isfinite(gap)]
        if gap.size and gap.min() <= margin * scale:
            return False
    return True


def assert_same_flags(actual, expected):
    for name in FLAGS:
        assert np.array_equal(getattr(actual, name), getattr(expected, name)), name
    assert actual.phases == expected.phases
    assert actual.variation_icon == expected.variation_icon


def assert_same(actual, expected):
    """Two SeriesResults agree: floats to 1e-9, flags, phases and icons exactly."""
    assert len(actual) == len(expected)
    assert list(actual.x) == list(expected.x)
    for name in FLOAT_FIELDS:
        assert np.asarray(getattr(actual, name), dtype=float) == close(
            np.asarray(getattr(expected, name), dtype=float)
        ), name
    for name in EXACT_FIELDS:
        assert np.array_equal(getattr(actual, name), getattr(expected, name)), name
    assert actual.phases == expected.phases
    assert actual.variation_icon == expected.variation_icon
    assert actual.assurance_icon == expected.assurance_icon


@st.composite
def rule_options(draw):
    return {
        "rules": draw(st.sampled_from(RULE_SETS)),
        "direction": draw(st.sampled_from(DIRECTIONS)),
        "shift_length": draw(st.integers(6, 8)),
        "trend_length": draw(st.integers(6, 8)),
    }


# origin and scale -------------------------------------------------------------------------------


@PROPERTY
@given(
    y=st.lists(measurement, min_size=2, max_size=40),
    constant=st.integers(-1000, 1000),
    options=rule_options(),
)
def test_it_moves_the_i_chart_with_a_constant_added(y, constant, options):
    before = analyse(y, chart="i", **options)[0]
    after = analyse([v + constant for v in y], chart="i", **options)[0]
    assume(clear_of_lines(before) and clear_of_lines(after))
    for name in LIMIT_FIELDS:
        assert getattr(after, name) == close(getattr(before, name) + constant), name
    assert_same_flags(after, before)


@PROPERTY
@given(y=st.lists(measurement, min_size=2, max_size=40), factor=positive, options=rule_options())
def test_it_scales_the_i_chart_with_the_data(y, factor, options):
    before = analyse(y, chart="i", **options)[0]
    after = analyse([v * factor for v in y], chart="i", **options)[0]
    assume(clear_of_lines(before) and clear_of_lines(after))
    for name in LIMIT_FIELDS:
        assert getattr(after, name) == close(getattr(before, name) * factor), name
    assert_same_flags(after, before)


@st.composite
def subgroups(draw):
    """xbar rows: y and the subgroup label x, for 2 to 12 subgroups of 2 to 5 measurements."""
    sizes = draw(st.lists(st.integers(2, 5), min_size=2, max_size=12))
    y, x = [], []
    for label, size in enumerate(sizes, start=1):
        y += draw(st.lists(measurement, min_size=size, max_size=size))
        x += [label] * size
    return y, x


@PROPERTY
@given(data=subgroups(), constant=st.integers(-1000, 1000), options=rule_options())
def test_it_moves_the_xbar_chart_with_a_constant_added(data, constant, options):
    y, x = data
    before = analyse(y, x=x, chart="xbar", **options)[0]
    after = analyse([v + constant for v in y], x=x, chart="xbar", **options)[0]
    assume(clear_of_lines(before) and clear_of_lines(after))
    for name in LIMIT_FIELDS:
        assert getattr(after, name) == close(getattr(before, name) + constant), name
    assert_same_flags(after, before)


@PROPERTY
@given(data=subgroups(), factor=positive, options=rule_options())
def test_it_scales_the_xbar_chart_with_the_data(data, factor, options):
    y, x = data
    before = analyse(y, x=x, chart="xbar", **options)[0]
    after = analyse([v * factor for v in y], x=x, chart="xbar", **options)[0]
    assume(clear_of_lines(before) and clear_of_lines(after))
    for name in LIMIT_FIELDS:
        assert getattr(after, name) == close(getattr(before, name) * factor), name
    assert_same_flags(after, before)


@PROPERTY
@given(y=st.lists(st.integers(0, 60), min_size=1, max_size=40), options=rule_options())
def test_it_draws_a_c_chart_as_a_u_chart_of_unit_exposure(y, options):
    # Contract: c: cl = mean count, sigma = sqrt(cl); u: cl = sum(y)/sum(n), sigma = sqrt(cl/n).
    c_chart = analyse(y, chart="c", **options)[0]
    u_chart = analyse(y, n=[1] * len(y), chart="u", **options)[0]
    for name in ("y", *LIMIT_FIELDS):
        assert getattr(c_chart, name) == close(getattr(u_chart, name)), name
    assert_same_flags(c_chart, u_chart)


@PROPERTY
@given(
    y=st.lists(st.integers(0, 60), min_size=1, max_size=40),
    factor=positive,
    options=rule_options(),
)
def test_it_multiplies_a_c_chart_without_changing_its_flags(y, factor, options):
    plain = analyse(y, chart="c", **options)[0]
    times = analyse(y, chart="c", multiply=factor, **options)[0]
    for name in ("y", *LIMIT_FIELDS):
        assert getattr(times, name) == close(getattr(plain, name) * factor), name
    assert_same_flags(times, plain)


# many series at once ----------------------------------------------------------------------------

BATCH_CHARTS = ("run", "i", "mr", "p", "pp", "u", "up", "c")


def row(chart):
    """One input row (y, n) of a chart."""
    if chart in ("p", "pp"):
        return st.integers(1, 50).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))
    if chart in ("u", "up"):
        exposure = st.integers(1, 200).map(lambda k: k / 10)
        return st.tuples(st.integers(0, 30), exposure)
    if chart == "c":
        return st.tuples(st.integers(0, 30), st.none())
    return st.tuples(measurement, st.none())


@st.composite
def batch(draw, chart, max_series=4):
    """A list of (name, rows) with 1 to 4 series of 1 to 15 rows each, and shared options."""
    count = draw(st.integers(1, max_series))
    series = []
    for name in NAMES[:count]:
        rows = draw(st.lists(row(chart), min_size=1, max_size=15))
        series.append((name, rows))
    shortest = min(len(rows) for _, rows in series)
    options = draw(rule_options())
    position = st.integers(1, shortest)
    extra = draw(st.sampled_from(["none", "freeze", "part", "exclude"]))
    if extra == "freeze":
        options["freeze"] = draw(position)
    elif extra == "part":
        options["part"] = sorted(draw(st.lists(position, min_size=1, max_size=2, unique=True)))
    elif extra == "exclude" and shortest >= 2:
        options["exclude"] = [draw(position)]
    if draw(st.booleans()):
        options["target"] = draw(st.integers(-5, 50))
    return series, options


def columns(series, chart):
    """The input columns of a list of (name, rows), in the given row order."""
    y = [y for _, rows in series for y, _ in rows]
    n = [n for _, rows in series for _, n in rows]
    x = [k for _, rows in series for k in range(1, len(rows) + 1)]
    names = [name for name, rows in series for _ in rows]
    return {"y": y, "n": n if chart in ("p", "pp", "u", "up") else None, "x": x, "series": names}


def alone(name, rows, chart, options):
    result = analyse(
        [y for y, _ in rows],
        n=[n for _, n in rows] if chart in ("p", "pp", "u", "up") else None,
        x=list(range(1, len(rows) + 1)),
        chart=chart,
        **options,
    )
    assert len(result) == 1
    return result[0]


@pytest.mark.parametrize("chart", BATCH_CHARTS)
@PROPERTY
@given(data=st.data())
def test_it_analyses_a_batch_of_series_as_each_series_alone(chart, data):
    series, options = data.draw(batch(chart))
    analysis = analyse(**columns(series, chart), chart=chart, **options)
    assert list(analysis.names) == [name for name, _ in series]
    for (name, rows), result in zip(series, analysis, strict=True):
        assert result.series == name
        assert_same(result, alone(name, rows, chart, options))


@pytest.mark.parametrize("chart", ("i", "p", "c", "mr"))
@PROPERTY
@given(data=st.data())
def test_it_reorders_the_results_with_the_series(chart, data):
    series, options = data.draw(batch(chart))
    order = data.draw(st.permutations(range(len(series))))
    reordered = [series[k] for k in order]
    first = analyse(**columns(series, chart), chart=chart, **options)
    second = analyse(**columns(reordered, chart), chart=chart, **options)
    assert list(second.names) == [name for name, _ in reordered]
    for k, result in zip(order, second, strict=True):
        assert_same(result, first[k])
    assert list(second.variation_icons) == [first.variation_icons[k] for k in order]
    assert list(second.assurance_icons) == [first.assurance_icons[k] for k in order]


def interleave(series, labels):
    """The rows of `series` in the order given by `labels` (a permutation of the multiset of
    series names), each series keeping its own row order."""
    queues = {name: list(enumerate(rows, start=1)) for name, rows in series}
    y, n, x, names = [], [], [], []
    for name in labels:
        k, (value, size) = queues[name].pop(0)
        y.append(value)
        n.append(size)
        x.append(k)
        names.append(name)
    return y, n, x, names


@pytest.mark.parametrize("chart", ("run", "i", "mr", "p", "u", "c"))
@PROPERTY
@given(data=st.data())
def test_it_gives_interleaved_rows_the_same_result_as_grouped_rows(chart, data):
    series, options = data.draw(batch(chart))
    labels = data.draw(st.permutations([name for name, rows in series for _ in rows]))
    y, n, x, names = interleave(series, labels)
    mixed = analyse(
        y,
        n=n if chart in ("p", "pp", "u", "up") else None,
        x=x,
        series=names,
        chart=chart,
        **options,
    )
    grouped = analyse(**columns(series, chart), chart=chart, **options)
    assert sorted(mixed.names) == sorted(grouped.names)
    assert list(mixed.names) == list(dict.fromkeys(names))  # order of first appearance
    for name in grouped.names:
        assert_same(mixed[name], grouped[name])


@PROPERTY
@given(data=st.data())
def test_it_groups_interleaved_xbar_rows_by_series_and_subgroup(data):
    count = data.draw(st.integers(1, 3))
    series = []
    for name in NAMES[:count]:
        y, x = data.draw(subgroups())
        series.append((name, list(zip(y, x, strict=True))))
    options = data.draw(rule_options())
    labels = data.draw(st.permutations([name for name, rows in series for _ in rows]))
    queues = {name: list(rows) for name, rows in series}
    y, x, names = [], [], []
    for name in labels:
        value, label = queues[name].pop(0)
        y.append(value)
        x.append(label)
        names.append(name)
    mixed = analyse(y, x=x, series=names, chart="xbar", **options)
    for name, rows in series:
        single = analyse([v for v, _ in rows], x=[k for _, k in rows], chart="xbar", **options)
        assert_same(mixed[name], single[0])


def test_it_compares_nan_limits_as_equal_in_these_properties():
    # The helpers above must not pass vacuously: NaN equals NaN, a different number does not.
    assert np.array([math.nan, 1.0]) == close(np.array([math.nan, 1.0]))
    assert np.array([math.nan, 1.0]) != close(np.array([math.nan, 1.1]))
