"""qms.stats input: bad input raises SpcInputError naming the row and column, documented edge
cases are handled, every kind of column gives the same result, and results export cleanly."""

import json
import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qms.stats import (
    CHARTS,
    PHASE_FIELDS,
    POINT_FIELDS,
    POINT_TYPES,
    Analysis,
    SpcInputError,
    analyse,
)

COLUMNS = {"y", "n", "x", "series"}
OPTIONS = {
    "chart",
    "freeze",
    "part",
    "exclude",
    "multiply",
    "screen_mr",
    "rules",
    "direction",
    "target",
    "shift_length",
    "trend_length",
}


def rejected(*args, **kwargs):
    """The SpcInputError that analyse raises (any other exception fails the test)."""
    with pytest.raises(SpcInputError) as info:
        analyse(*args, **kwargs)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.problems, "an SpcInputError lists its problems"
    return error


def assert_names(error, row, column):
    """The error lists a problem at 0-based `row` (or None) in `column`, and says so 1-based."""
    assert any(r == row and c == column for r, c, _ in error.problems), error.problems
    if row is None:
        assert column in str(error)
    else:
        assert f"row {row + 1}, column {column}" in str(error)


# values -----------------------------------------------------------------------------------------


def test_it_rejects_a_value_that_is_not_a_number():
    error = rejected([1, "abc", 3])
    assert_names(error, 1, "y")
    assert "abc" in str(error)


def test_it_rejects_a_denominator_that_is_not_a_number():
    assert_names(rejected([1, 2, 3], n=[5, 5, "five"], chart="p"), 2, "n")


def test_it_names_every_bad_row():
    error = rejected([1, "abc", 3, "def"])
    assert_names(error, 1, "y")
    assert_names(error, 3, "y")


def test_it_accepts_numbers_written_as_strings():
    from_strings = analyse(["1", "2.5", "3", "4"], chart="i")
    from_numbers = analyse([1, 2.5, 3, 4], chart="i")
    assert from_strings.to_dict() == from_numbers.to_dict()


@pytest.mark.parametrize(
    ("chart", "n"),
    [
        ("p", [5, 5, 5]),
        ("pp", [5, 5, 5]),
        ("u", [5, 5, 5]),
        ("up", [5, 5, 5]),
        ("c", None),
        ("g", None),
        ("t", None),
    ],
)
def test_it_rejects_a_negative_count(chart, n):
    assert_names(rejected([1, -2, 3], n=n, chart=chart), 1, "y")


def test_it_rejects_a_zero_time_between_events_on_a_t_chart():
    assert_names(rejected([1, 0, 3], chart="t"), 1, "y")


@pytest.mark.parametrize("chart", ["p", "pp"])
def test_it_rejects_more_events_than_the_denominator(chart):
    error = rejected([1, 6, 2], n=[5, 5, 5], chart=chart)
    assert any(r == 1 and c in ("y", "n") for r, c, _ in error.problems), error.problems
    assert "row 2, column" in str(error)


@pytest.mark.parametrize("chart", ["p", "pp", "u", "up"])
def test_it_requires_a_denominator(chart):
    assert_names(rejected([1, 2, 3], chart=chart), None, "n")


@pytest.mark.parametrize("chart", ["xbar", "s"])
def test_it_requires_subgroups_for_an_xbar_or_s_chart(chart):
    assert_names(rejected([1, 2, 3, 4], chart=chart), None, "x")


def test_it_rejects_empty_input():
    error = rejected([])
    assert all(row is None for row, _, _ in error.problems)
    assert "no data" in str(error)


@pytest.mark.parametrize(
    ("column", "kwargs"),
    [
        ("n", {"n": [5, 5], "chart": "p"}),
        ("x", {"x": [1, 2]}),
        ("series", {"series": ["a", "a", "b", "b"]}),
    ],
)
def test_it_rejects_columns_of_different_lengths(column, kwargs):
    error = rejected([1, 2, 3], **kwargs)
    assert any(c == column for _, c, _ in error.problems), error.problems
    assert column in str(error)


# options ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("chart", "pie"),
        ("rules", "westgard"),
        ("direction", "up"),
        ("shift_length", 2),
        ("shift_length", 21),
        ("trend_length", 2),
        ("trend_length", 21),
        ("shift_length", 6.5),
        ("freeze", 0),
        ("part", [0]),
        ("part", [3, 0]),
        ("exclude", [0]),
        ("exclude", [-1]),
    ],
)
def test_it_rejects_a_bad_option(option, value):
    error = rejected([1, 2, 3, 4, 5, 6], **{option: value})
    assert_names(error, None, option)


@pytest.mark.parametrize(
    ("option", "value"),
    [("shift_length", 3), ("shift_length", 9), ("trend_length", 5), ("trend_length", 20)],
)
def test_it_accepts_lengths_from_three_to_twenty(option, value):
    assert isinstance(analyse([1, 2, 3, 4, 5, 6], **{option: value}), Analysis)


def test_it_flags_a_shift_of_six_with_the_ihi_rules_and_not_with_seven():
    y = [10.0, 12, 11, 13, 9, 12, 11, 10, 14, 14, 15, 14, 15, 14]  # the last 6 above the centre
    ihi = analyse(y, chart="i", shift_length=6, trend_length=5)[0]
    mdc = analyse(y, chart="i")[0]
    assert ihi.shift[-6:].all() and not ihi.shift[:-6].any()
    assert not mdc.shift.any()


def test_it_plots_a_zero_denominator_as_a_gap():
    result = analyse([3, 0, 4, 5, 2], n=[50, 0, 40, 45, 50], chart="p")[0]
    assert np.isnan(result.y[1])
    for name in ("lcl", "ucl", "lcl_2s", "ucl_2s"):
        assert np.isnan(getattr(result, name)[1]), name
    # Left out of the centre line: (3 + 4 + 5 + 2) / (50 + 40 + 45 + 50).
    assert result.cl[0] == pytest.approx(14 / 185)
    assert result.point_type[1] == "common_cause"
    records = result.to_records()
    assert records[1]["y"] is None and records[1]["ucl"] is None


def test_it_never_returns_infinity_for_a_rate_without_exposure():
    result = analyse([3, 2, 4], n=[10, 0, 12], chart="u")[0]
    assert np.isnan(result.ucl[1]) and np.isfinite(result.ucl[[0, 2]]).all()
    for record in result.to_records():
        assert all(
            not isinstance(value, float) or math.isfinite(value) for value in record.values()
        )


def test_it_holds_the_baseline_and_marks_shorter_phases_as_trial():
    baseline = [50.0, 52, 49, 51, 50, 48, 52, 51, 49, 50]
    held = analyse([*baseline, 10, 12], chart="i", freeze=10)[0]
    alone = analyse(baseline, chart="i")[0]
    assert held.cl[-1] == pytest.approx(alone.cl[0])  # new points do not move the limits
    assert held.ucl[-1] == pytest.approx(alone.ucl[0])
    (phase,) = held.phases
    assert (phase.baseline, phase.trial) == (10, False)
    short = analyse(baseline[:6], chart="i", freeze=10)[0]
    assert short.phases[0].trial is True and short.phases[0].baseline == 6
    assert analyse(baseline, chart="i")[0].phases[0].trial is False  # no freeze asked for


junk = st.one_of(
    st.integers(-5, 60),
    st.integers(-100_000, 100_000).map(lambda k: k / 1000),
    st.none(),
    st.just(math.nan),
    st.sampled_from(["abc", "", "1.5", "7", "x1", "-2"]),
)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    chart=st.sampled_from(CHARTS),
    rows=st.lists(st.tuples(junk, junk, st.integers(1, 4)), max_size=12),
    with_n=st.booleans(),
)
def test_it_raises_nothing_but_spc_input_errors(chart, rows, with_n):
    y = [r[0] for r in rows]
    n = [r[1] for r in rows] if with_n else None
    x = [r[2] for r in rows]
    try:
        result = analyse(y, n=n, x=x, chart=chart)
    except SpcInputError as error:
        for row, column, message in error.problems:
            assert row is None or 0 <= row < len(rows)
            assert column in COLUMNS | OPTIONS | {"input"}
            assert message
        return
    assert isinstance(result, Analysis)
    assert sum(len(series) for series in result) <= len(rows)


# documented handling ----------------------------------------------------------------------------


def assert_no_flags(result, index):
    for name in ("outside", "shift", "trend", "two_of_three"):
        assert not getattr(result, name)[index], name
    assert result.point_type[index] == "common_cause"


@pytest.mark.parametrize("chart", ["p", "u"])
def test_it_treats_a_zero_denominator_as_a_missing_point(chart):
    result = analyse([1, 0, 2, 3], n=[10, 0, 10, 10], chart=chart)[0]
    assert len(result) == 4
    assert np.isnan(result.y[1])
    assert result.cl[0] == pytest.approx(0.2)
    assert_no_flags(result, 1)


@pytest.mark.parametrize("chart", ["p", "pp", "u", "up"])
def test_it_treats_a_missing_denominator_as_a_missing_point(chart):
    result = analyse([1, 1, 2, 3, 1], n=[10, None, 10, 10, 10], chart=chart)[0]
    assert len(result) == 5
    assert np.isnan(result.y[1])
    assert result.cl[0] == pytest.approx(7 / 40)
    assert_no_flags(result, 1)


def test_it_treats_missing_values_as_missing_points():
    result = analyse([1, None, 3, math.nan, 5, 100], chart="i")[0]
    assert len(result) == 6
    assert np.isnan(result.y[1]) and np.isnan(result.y[3])
    assert result.cl[0] == pytest.approx(27.25)
    assert_no_flags(result, 1)
    assert_no_flags(result, 3)
    (phase,) = result.phases
    assert phase.n_useful == 4


def test_it_draws_a_centre_line_but_no_limits_for_a_single_point():
    result = analyse([5.0], chart="i")[0]
    assert result.cl[0] == 5
    for name in ("lcl", "ucl", "lcl_2s", "ucl_2s"):
        assert np.isnan(getattr(result, name)[0]), name
    assert not result.outside[0]
    (phase,) = result.phases
    assert phase.n_useful == 0  # the only point is on the centre line (qicharts2's convention)
    assert phase.longest_run is None
    assert phase.runs_signal is False
    assert result.variation_icon == "common_cause"


def test_it_gives_a_single_count_its_poisson_limits():
    result = analyse([4], chart="c")[0]
    assert result.cl[0] == 4
    assert result.ucl[0] == pytest.approx(10.0)
    assert result.lcl[0] == 0


def test_it_gives_a_single_point_run_chart_its_centre_line():
    result = analyse([5.0], chart="run")[0]
    assert result.cl[0] == 5


@pytest.mark.parametrize(
    ("chart", "kwargs", "centre"),
    [
        ("i", {"y": [3.0] * 10}, 3.0),
        ("t", {"y": [2.0] * 10}, 2.0),
        ("xbar", {"y": [7.0] * 12, "x": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]}, 7.0),
    ],
)
def test_it_gives_a_constant_series_limits_on_the_centre_line(chart, kwargs, centre):
    result = analyse(chart=chart, **kwargs)[0]
    assert result.cl == pytest.approx(centre)
    assert result.ucl == pytest.approx(result.cl)
    assert result.lcl == pytest.approx(result.cl)
    for name in ("outside", "shift", "trend", "two_of_three"):
        assert not getattr(result, name).any(), name
    assert set(result.point_type) == {"common_cause"}
    (phase,) = result.phases
    assert phase.n_useful == 0
    assert phase.crossings is None
    assert phase.runs_signal is False


# column types -----------------------------------------------------------------------------------

Y = [3.0, 5.0, None, 4.0, 9.0, 2.0, 6.0, 5.0]
N = [10.0, 12.0, 10.0, None, 15.0, 10.0, 11.0, 10.0]
SERIES = ["a", "a", "a", "a", "b", "b", "b", "b"]


def as_kind(values, kind):
    if kind == "list":
        return list(values)
    if kind == "numpy":
        if all(isinstance(v, str) for v in values):
            return np.array(values, dtype=object)
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    if kind == "pandas":
        return pd.Series(values)
    return pl.Series(values)


@pytest.mark.parametrize("kind", ["numpy", "pandas", "polars"])
@pytest.mark.parametrize("chart", ["i", "p"])
def test_it_gives_the_same_result_for_every_kind_of_column(kind, chart):
    n = N if chart == "p" else None
    expected = analyse(Y, n=n, series=SERIES, chart=chart).to_dict()
    result = analyse(
        as_kind(Y, kind),
        n=None if n is None else as_kind(n, kind),
        series=as_kind(SERIES, kind),
        chart=chart,
    )
    assert result.to_dict() == expected
    assert [series["series"] for series in expected["series"]] == ["a", "b"]


@pytest.mark.parametrize("kind", ["numpy", "pandas", "polars"])
def test_it_gives_the_same_xbar_subgroups_for_every_kind_of_column(kind):
    y = [1.0, 2.0, 3.0, 2.0, 4.0, 3.0, 5.0, 4.0]
    x = [1, 1, 2, 2, 3, 3, 4, 4]
    expected = analyse(y, x=x, chart="xbar").to_dict()
    result = analyse(as_kind(y, kind), x=as_kind(x, kind), chart="xbar")
    assert result.to_dict() == expected


# exports ----------------------------------------------------------------------------------------


@pytest.fixture
def analysis():
    return analyse([3.0, 5, 4, 9, 2, 6, 5, 4], series=["a"] * 5 + ["b"] * 3, chart="run")


def test_it_exports_one_record_per_point(analysis):
    records = analysis.to_records()
    assert len(records) == 8
    for record in records:
        assert set(record) == {"series", *POINT_FIELDS}
        assert record["lcl"] is None and record["ucl"] is None
        assert isinstance(record["y"], float)
        assert isinstance(record["outside"], bool)
        assert record["point_type"] in POINT_TYPES
    assert [record["series"] for record in records] == ["a"] * 5 + ["b"] * 3
    assert analysis[1].to_records() == records[5:]


def test_it_exports_a_json_ready_dict(analysis):
    exported = analysis.to_dict()
    assert list(exported) == ["series"]
    assert [series["series"] for series in exported["series"]] == ["a", "b"]
    for series, length in zip(exported["series"], (5, 3), strict=True):
        assert set(series) == {"series", "points", "phases", "variation_icon", "assurance_icon"}
        assert len(series["points"]) == length
        for point in series["points"]:
            assert set(point) == set(POINT_FIELDS)
            assert point["lcl"] is None and point["ucl_2s"] is None
            assert point["cl"] is not None
        for phase in series["phases"]:
            assert set(phase) == set(PHASE_FIELDS)
    json.dumps(exported, allow_nan=False)


def test_it_exports_none_for_missing_values_in_the_dict():
    exported = analyse([1.0, None, 3, 2, 4], chart="i").to_dict()
    points = exported["series"][0]["points"]
    assert points[1]["y"] is None
    assert points[0]["ucl"] is not None
    json.dumps(exported, allow_nan=False)


def test_it_exports_a_pandas_data_frame(analysis):
    frame = analysis.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["series", *POINT_FIELDS]
    assert len(frame) == 8
    assert list(frame["series"]) == ["a"] * 5 + ["b"] * 3
    assert set(frame["point_type"]) <= set(POINT_TYPES)
    assert frame["ucl"].isna().all()


def test_it_exports_a_polars_data_frame(analysis):
    frame = analysis.to_polars()
    assert isinstance(frame, pl.DataFrame)
    assert frame.columns == ["series", *POINT_FIELDS]
    assert frame.height == 8
    assert frame["series"].to_list() == ["a"] * 5 + ["b"] * 3
    assert set(frame["point_type"].to_list()) <= set(POINT_TYPES)


def test_it_makes_result_arrays_read_only(analysis):
    result = analysis[0]
    for name in [*POINT_FIELDS, "point_type_code"]:
        if name == "point_type":
            continue
        array = getattr(result, name)
        assert not array.flags.writeable, name
        with pytest.raises(ValueError):
            array[0] = array[1]


def test_it_does_not_share_its_arrays_with_the_input():
    y = np.array([3.0, 5, 4, 9, 2, 6])
    result = analyse(y, chart="i")[0]
    y[0] = 100.0
    assert result.y[0] == 3.0


def test_it_counts_only_points_with_a_value_towards_a_baseline():
    counts = [5, 0, 6, 0, 5, 7, 0, 6, 5, 6, 30, 31]
    sizes = [50, 0, 50, 0, 50, 50, 0, 50, 50, 50, 50, 50]
    result = analyse(counts, n=sizes, chart="p", baseline=6)[0]
    (phase,) = result.phases
    assert (phase.baseline, phase.trial) == (6, False)
    # The limits come from the first six months with a value (positions 1, 3, 5, 6, 8, 9).
    assert result.cl[0] == pytest.approx(34 / 300)
    by_position = analyse(counts, n=sizes, chart="p", freeze=6)[0]
    assert by_position.phases[0].baseline == 4  # freeze counts positions, gaps included
    short = analyse(counts[:8], n=sizes[:8], chart="p", baseline=6)[0]
    assert short.phases[0].trial is True and short.phases[0].baseline == 5


@pytest.mark.parametrize("value", [0, -1, 2.5, True])
def test_it_rejects_a_bad_baseline(value):
    error = rejected([1, 2, 3, 4, 5, 6], baseline=value)
    assert_names(error, None, "baseline")


def test_it_takes_freeze_or_baseline_not_both():
    error = rejected([1, 2, 3, 4, 5, 6], baseline=3, freeze=3)
    assert_names(error, None, "baseline")
