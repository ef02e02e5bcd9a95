"""qms.stats rules and limits on small hand-made series.

Most tests put a few points after a frozen baseline of twelve points alternating 11 and 9: the
centre line is 10, the average moving range 2, sigma 2 / 1.128 = 1.773, so the two-sigma lines
are at 6.454 and 13.546 and the limits at 4.681 and 15.319. The baseline has no signal of its
own and ends below the centre line (on 9). Positions in the tests are 1-based; the tail's first
point is position 13.
"""

import math

import numpy as np
import pytest

from qms.stats import analyse

BASE = [11.0, 9.0] * 6
K = len(BASE)
SIGMA = 2 / 1.128
FLAGS = ("outside", "shift", "trend", "two_of_three")


def tail(values, **options):
    """The baseline followed by `values`, as an i chart with limits frozen on the baseline."""
    options.setdefault("freeze", K)
    return analyse(BASE + list(values), chart="i", **options)[0]


def at(flags):
    """1-based positions where `flags` is true."""
    return [int(i) + 1 for i in np.flatnonzero(flags)]


def tail_at(*positions_in_tail):
    """Positions of the tail's points (1 = the first point after the baseline)."""
    return [K + p for p in positions_in_tail]


def test_it_puts_the_baseline_limits_where_the_tests_expect_them():
    result = tail([10.5])
    assert result.cl == pytest.approx(10.0, abs=1e-12)
    assert result.ucl == pytest.approx(10 + 3 * SIGMA, rel=1e-12)
    assert result.lcl == pytest.approx(10 - 3 * SIGMA, rel=1e-12)
    assert result.ucl_2s == pytest.approx(10 + 2 * SIGMA, rel=1e-12)
    assert result.lcl_2s == pytest.approx(10 - 2 * SIGMA, rel=1e-12)
    for name in FLAGS:
        assert not getattr(result, name).any(), name
    assert set(result.point_type) == {"common_cause"}


# trend ------------------------------------------------------------------------------------------


def test_it_flags_all_seven_points_of_a_rising_trend():
    result = tail([7, 8, 9, 9.5, 10.5, 11, 12])
    assert at(result.trend) == tail_at(1, 2, 3, 4, 5, 6, 7)
    assert not result.shift.any()


def test_it_flags_all_seven_points_of_a_falling_trend():
    result = tail([13, 12, 11, 10.5, 9.5, 9, 8])
    assert at(result.trend) == tail_at(1, 2, 3, 4, 5, 6, 7)


def test_it_needs_seven_points_for_a_trend():
    assert not tail([8, 9, 9.5, 10.5, 11, 12]).trend.any()


def test_it_takes_six_points_for_a_trend_of_length_six():
    result = tail([8, 9, 9.5, 10.5, 11, 12], trend_length=6)
    assert at(result.trend) == tail_at(1, 2, 3, 4, 5, 6)


def test_it_takes_eight_points_for_a_trend_of_length_eight():
    assert not tail([7, 8, 9, 9.5, 10.5, 11, 12], trend_length=8).trend.any()
    result = tail([6.5, 7, 8, 9, 9.5, 10.5, 11, 12], trend_length=8)
    assert at(result.trend) == tail_at(1, 2, 3, 4, 5, 6, 7, 8)


def test_it_breaks_a_trend_at_a_tie():
    assert at(tail([7, 8, 9, 9.5, 9.6, 10.5, 11, 12]).trend) == tail_at(1, 2, 3, 4, 5, 6, 7, 8)
    assert not tail([7, 8, 9, 9.5, 9.5, 10.5, 11, 12]).trend.any()


# shift ------------------------------------------------------------------------------------------


def test_it_flags_all_seven_points_of_a_shift():
    result = tail([10.5] * 7)
    assert at(result.shift) == tail_at(1, 2, 3, 4, 5, 6, 7)
    assert not result.trend.any()


def test_it_needs_seven_points_for_a_shift():
    assert not tail([10.5] * 6).shift.any()


def test_it_flags_every_point_of_a_shift_that_began_in_the_baseline():
    # The baseline's last point (9) is below the centre line too: a run of eight.
    result = tail([9.5] * 7)
    assert at(result.shift) == [K, *tail_at(1, 2, 3, 4, 5, 6, 7)]


def test_it_breaks_a_shift_at_a_point_on_the_centre_line():
    result = tail([10.5] * 3 + [10.0] + [10.5] * 4)
    assert result.y[K + 3] == result.cl[K + 3]
    assert not result.shift.any()
    # The runs analysis drops the point on the centre line: the 3 and 4 points make one run.
    (phase,) = result.phases
    assert phase.n_useful == K + 7
    assert phase.longest_run == 7
    assert phase.crossings == K


@pytest.mark.parametrize(
    ("shift_length", "points", "flagged"),
    [(6, 5, False), (6, 6, True), (8, 7, False), (8, 8, True)],
)
def test_it_uses_the_shift_length(shift_length, points, flagged):
    result = tail([10.5] * points, shift_length=shift_length)
    assert at(result.shift) == (tail_at(*range(1, points + 1)) if flagged else [])


# two of three -----------------------------------------------------------------------------------


@pytest.mark.parametrize("rules", ["mdc", "ptd"])
def test_it_flags_only_the_two_points_beyond_two_sigma(rules):
    result = tail([14, 10.5, 14.5, 10.5], rules=rules)
    assert at(result.two_of_three) == tail_at(1, 3)
    assert list(result.point_type[K:]) == [
        "special_cause_neutral_high",
        "common_cause",
        "special_cause_neutral_high",
        "common_cause",
    ]


def test_it_counts_a_point_beyond_three_sigma_for_two_of_three_in_mdc():
    result = tail([14, 10.5, 16], rules="mdc")
    assert at(result.outside) == tail_at(3)
    assert at(result.two_of_three) == tail_at(1, 3)
    assert result.point_type[K] == "special_cause_neutral_high"


def test_it_does_not_count_a_point_beyond_three_sigma_for_two_of_three_in_ptd():
    result = tail([14, 10.5, 16], rules="ptd")
    assert at(result.outside) == tail_at(3)
    assert not result.two_of_three.any()
    assert result.point_type[K] == "common_cause"


@pytest.mark.parametrize("rules", ["mdc", "ptd"])
@pytest.mark.parametrize(
    "values",
    [
        [14, 6, 10.5, 9.5],  # two points beyond two sigma, on opposite sides
        [14, 9.5, 14],  # the middle point is on the other side
        [14, 10.0, 14],  # the middle point is on the centre line
    ],
)
def test_it_needs_all_three_points_on_one_side_for_two_of_three(rules, values):
    result = tail(values, rules=rules)
    assert not result.two_of_three.any()
    assert not result.outside.any()
    assert set(result.point_type) == {"common_cause"}


def test_it_flags_two_of_three_below_the_centre_line():
    result = tail([6, 9.5, 6.2])
    assert at(result.two_of_three) == tail_at(1, 3)
    assert result.point_type[K] == "special_cause_neutral_low"


# anhoej rules -----------------------------------------------------------------------------------


def test_it_flags_a_run_longer_than_the_anhoej_limit():
    result = tail([10.5] * 8, rules="anhoej")
    (phase,) = result.phases
    assert (phase.n_useful, phase.longest_run, phase.longest_run_max) == (20, 8, 7)
    assert phase.runs_signal is True
    assert at(result.shift) == tail_at(*range(1, 9))
    assert set(result.point_type[K:]) == {"special_cause_neutral_high"}


def test_it_does_not_flag_a_run_at_the_anhoej_limit():
    result = tail([10.5] * 7, rules="anhoej")
    (phase,) = result.phases
    assert (phase.longest_run, phase.longest_run_max) == (7, 7)
    assert not result.shift.any()


def test_it_flags_no_trend_and_no_two_of_three_with_anhoej_rules():
    assert not tail([7, 8, 9, 9.5, 10.5, 11, 12], rules="anhoej").trend.any()
    result = tail([14, 10.5, 14.5], rules="anhoej")
    assert not result.two_of_three.any()
    assert set(result.point_type) == {"common_cause"}


def test_it_still_flags_points_outside_the_limits_with_anhoej_rules():
    result = tail([16, 4], rules="anhoej")
    assert at(result.outside) == tail_at(1, 2)
    assert list(result.point_type[K:]) == [
        "special_cause_neutral_high",
        "special_cause_neutral_low",
    ]


# phases -----------------------------------------------------------------------------------------


def test_it_never_lets_a_shift_cross_a_phase_boundary():
    y = [8.0] * 4 + [12.0] * 4 + [12.0] * 4 + [8.0] * 4
    one_phase = analyse(y, chart="i")[0]
    assert at(one_phase.shift) == list(range(5, 13))
    two_phases = analyse(y, chart="i", part=[9])[0]
    assert two_phases.cl == pytest.approx(10.0)
    assert not two_phases.shift.any()
    assert [phase.longest_run for phase in two_phases.phases] == [4, 4]


def test_it_never_lets_a_trend_cross_a_phase_boundary():
    y = [5.0, 1, 2, 3, 4] + [5.0, 6, 7, 8, 0]
    assert at(analyse(y, chart="i")[0].trend) == list(range(2, 10))
    assert not analyse(y, chart="i", part=[6])[0].trend.any()


def test_it_never_lets_two_of_three_cross_a_phase_boundary():
    # The second part has its own baseline (mean 10, two-sigma line 13.38); 14, 14 at the end of
    # the first part and 10.5 at the start of the second are a qualifying window only as one phase.
    second_part = [10.5, 9, 11, 9, 11, 9, 11, 9, 11, 9, 11, 9.5]
    y = BASE + [14.0, 14.0] + second_part
    one_phase = analyse(y, chart="i", freeze=K)[0]
    assert at(one_phase.two_of_three) == [K + 1, K + 2]
    two_phases = analyse(y, chart="i", freeze=K, part=[K + 3])[0]
    assert len(two_phases.phases) == 2
    assert two_phases.cl[K + 2 :] == pytest.approx(10.0)
    assert two_phases.ucl_2s[K + 2] < 14
    assert not two_phases.two_of_three.any()


def test_it_restarts_the_runs_analysis_in_each_phase():
    result = analyse([1.0, 3] * 5 + [10.0, 30] * 6, chart="i", part=[11])[0]
    first, second = result.phases
    assert (first.n_useful, first.crossings, first.longest_run) == (10, 9, 1)
    assert (second.n_useful, second.crossings, second.longest_run) == (12, 11, 1)
    assert result.cl[:10] == pytest.approx(2.0)
    assert result.cl[10:] == pytest.approx(20.0)


def test_it_freezes_on_the_first_points_of_each_phase():
    y = [1.0, 2, 3, 100, 50] + [10.0, 20, 30, 5, 99]
    result = analyse(y, chart="i", freeze=3, part=[6])[0]
    assert result.cl[:5] == pytest.approx(2.0)
    assert result.ucl[:5] == pytest.approx(2 + 3 * 1 / 1.128)
    assert result.cl[5:] == pytest.approx(20.0)
    assert result.ucl[5:] == pytest.approx(20 + 3 * 10 / 1.128)
    assert result.lcl[5:] == pytest.approx(20 - 3 * 10 / 1.128)
    assert at(result.outside) == [4, 5, 10]


# excluded and missing points --------------------------------------------------------------------


def test_it_skips_an_excluded_point_inside_a_shift():
    values = [10.5] * 3 + [2.0] + [10.5] * 4
    assert not tail(values).shift.any()
    result = tail(values, exclude=[K + 4])
    assert at(~result.included) == [K + 4]
    assert at(result.shift) == tail_at(1, 2, 3, 5, 6, 7, 8)
    # Excluded points keep their limits and `outside`.
    assert result.lcl[K + 3] == pytest.approx(10 - 3 * SIGMA)
    assert result.outside[K + 3]
    (phase,) = result.phases
    assert phase.n_useful == K + 7


def test_it_skips_an_excluded_point_inside_a_trend():
    values = [7, 8, 9, 20, 9.5, 10.5, 11, 12]
    assert not tail(values).trend.any()
    result = tail(values, exclude=[K + 4])
    assert at(result.trend) == tail_at(1, 2, 3, 5, 6, 7, 8)
    assert not result.trend[K + 3]
    assert result.outside[K + 3]


def test_it_skips_an_excluded_point_inside_two_of_three():
    assert not tail([14, 9.5, 14, 10.5]).two_of_three.any()
    result = tail([14, 9.5, 14, 10.5], exclude=[K + 2])
    assert at(result.two_of_three) == tail_at(1, 3)


def test_it_leaves_excluded_points_out_of_the_limits_and_bridges_their_moving_range():
    result = analyse([1.0, 2, 100, 5, 6], chart="i", exclude=[3])[0]
    assert result.cl == pytest.approx(3.5)
    assert result.ucl == pytest.approx(3.5 + 3 * (1 + 3 + 1) / 3 / 1.128)
    assert result.outside[2]
    assert list(result.included) == [True, True, False, True, True]


def test_it_does_not_bridge_the_moving_range_over_a_missing_value():
    result = analyse([1.0, 2, None, 5, 6], chart="i")[0]
    assert np.isnan(result.y[2])
    assert result.cl == pytest.approx(3.5)
    assert result.ucl == pytest.approx(3.5 + 3 * 1 / 1.128)


def test_it_lets_a_shift_run_on_over_a_missing_value():
    # Rules run on the non-missing points; a missing point neither breaks nor extends a run.
    result = tail([10.5] * 3 + [None] + [10.5] * 4)
    assert at(result.shift) == tail_at(1, 2, 3, 5, 6, 7, 8)
    assert not result.shift[K + 3]


# point types and icons --------------------------------------------------------------------------


def test_it_ranks_a_trend_above_two_of_three_and_a_shift():
    # Falling from 15 to 10.5 above the centre line: a trend (falling), two of three (high) and a
    # shift (high); the trend decides, so with direction increase every point is a concern.
    result = tail([15, 14.5, 14, 13, 12, 11, 10.5], direction="increase")
    assert at(result.trend) == tail_at(*range(1, 8))
    assert at(result.two_of_three) == tail_at(1, 2, 3)
    assert at(result.shift) == tail_at(*range(1, 8))
    assert not result.outside.any()
    assert set(result.point_type[K:]) == {"special_cause_concern"}
    assert result.variation_icon == "concern_low"


def test_it_ranks_outside_above_a_trend():
    result = tail([16, 15, 14.5, 14, 13, 12, 11], direction="increase")
    assert at(result.outside) == tail_at(1)
    assert at(result.trend) == tail_at(*range(1, 8))
    assert result.point_type[K] == "special_cause_improvement"
    assert set(result.point_type[K + 1 :]) == {"special_cause_concern"}


@pytest.mark.parametrize(
    ("direction", "in_trend", "shift_only", "icon"),
    [
        ("increase", "special_cause_improvement", "special_cause_concern", "improvement_high"),
        ("decrease", "special_cause_concern", "special_cause_improvement", "concern_high"),
        ("neutral", "special_cause_neutral_high", "special_cause_neutral_low", "neutral_high"),
    ],
)
def test_it_gives_a_trend_its_own_direction(direction, in_trend, shift_only, icon):
    # Rising from 5 to 9.5, all below the centre line: a rising trend, two of three (low: 5, 5.5,
    # 6) and, with the baseline's last point, a shift of eight low points. The trend outranks both.
    result = tail([5, 5.5, 6, 7, 8, 9, 9.5], direction=direction)
    assert at(result.trend) == tail_at(*range(1, 8))
    assert at(result.two_of_three) == tail_at(1, 2, 3)
    assert at(result.shift) == [K, *tail_at(*range(1, 8))]
    assert not result.outside.any()
    assert set(result.point_type[K:]) == {in_trend}
    assert result.point_type[K - 1] == shift_only
    assert result.variation_icon == icon


def test_it_gives_the_peak_of_two_trends_the_direction_of_its_next_step():
    rising = [7, 7.5, 8, 8.5, 9.5, 10.5, 11.5]
    falling = [11, 10.6, 9.8, 9.2, 8.7, 8.2]
    result = tail(rising + falling, direction="increase")
    assert at(result.trend) == tail_at(*range(1, 14))
    assert not result.shift.any()
    types = list(result.point_type[K:])
    assert types[:6] == ["special_cause_improvement"] * 6
    assert types[6:] == ["special_cause_concern"] * 7  # the peak and the falling trend
    assert result.variation_icon == "concern_low"


@pytest.mark.parametrize(
    ("value", "direction", "point_type", "icon"),
    [
        (16, "increase", "special_cause_improvement", "improvement_high"),
        (16, "decrease", "special_cause_concern", "concern_high"),
        (16, "neutral", "special_cause_neutral_high", "neutral_high"),
        (4, "increase", "special_cause_concern", "concern_low"),
        (4, "decrease", "special_cause_improvement", "improvement_low"),
        (4, "neutral", "special_cause_neutral_low", "neutral_low"),
        (10.5, "increase", "common_cause", "common_cause"),
        (10.5, "decrease", "common_cause", "common_cause"),
        (10.5, "neutral", "common_cause", "common_cause"),
    ],
)
def test_it_types_the_last_point_and_picks_the_variation_icon(value, direction, point_type, icon):
    result = tail([value], direction=direction)
    assert result.point_type[-1] == point_type
    assert result.variation_icon == icon


@pytest.mark.parametrize(
    ("value", "direction", "point_type"),
    [
        (10.5, "increase", "special_cause_improvement"),
        (10.5, "decrease", "special_cause_concern"),
        (9.5, "increase", "special_cause_concern"),
        (9.5, "decrease", "special_cause_improvement"),
    ],
)
def test_it_types_a_shift_by_its_side_and_the_direction(value, direction, point_type):
    result = tail([value] * 8, direction=direction)
    assert set(result.point_type[K:]) == {point_type}


def test_it_shows_no_variation_icon_when_the_last_point_is_missing():
    result = tail([16, None], direction="increase")
    assert result.point_type[K] == "special_cause_improvement"
    assert result.variation_icon == "none"


def test_it_lists_the_icons_of_every_series():
    analysis = analyse(
        BASE + [16] + BASE + [10.5], series=["a"] * 13 + ["b"] * 13, chart="i", freeze=K
    )
    assert list(analysis.variation_icons) == ["neutral_high", "common_cause"]
    assert list(analysis.assurance_icons) == ["none", "none"]


# assurance --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "direction", "icon"),
    [
        (3, "increase", "pass"),
        (20, "increase", "fail"),
        (10, "increase", "hit_or_miss"),
        (3, "decrease", "fail"),
        (20, "decrease", "pass"),
        (10, "decrease", "hit_or_miss"),
    ],
)
@pytest.mark.parametrize("rules", ["mdc", "ptd", "anhoej"])
def test_it_compares_the_target_with_the_limits(target, direction, icon, rules):
    assert tail([10.5], target=target, direction=direction, rules=rules).assurance_icon == icon


@pytest.mark.parametrize(
    ("limit", "direction", "mdc_icon"),
    [
        ("lcl", "increase", "pass"),
        ("ucl", "increase", "fail"),
        ("lcl", "decrease", "fail"),
        ("ucl", "decrease", "pass"),
    ],
)
@pytest.mark.parametrize(
    ("rules", "on_the_limit_counts"), [("mdc", True), ("anhoej", True), ("ptd", False)]
)
def test_it_counts_a_target_on_a_limit_in_mdc_but_not_in_ptd(
    limit, direction, mdc_icon, rules, on_the_limit_counts
):
    target = float(getattr(tail([10.5]), limit)[-1])
    result = tail([10.5], target=target, direction=direction, rules=rules)
    assert result.assurance_icon == (mdc_icon if on_the_limit_counts else "hit_or_miss")


def test_it_gives_no_assurance_icon_without_a_target():
    assert tail([10.5], direction="increase").assurance_icon == "none"


def test_it_gives_no_assurance_icon_for_a_neutral_direction():
    assert tail([10.5], target=3, direction="neutral").assurance_icon == "none"


def test_it_gives_no_assurance_icon_without_limits():
    result = analyse(BASE + [10.5], chart="run", target=3, direction="increase")[0]
    assert np.isnan(result.lcl).all()
    assert result.assurance_icon == "none"


def test_it_takes_the_assurance_from_the_last_phase():
    y = BASE + [v + 20 for v in BASE]
    result = analyse(y, chart="i", part=[K + 1], target=20, direction="increase")[0]
    assert result.ucl[0] < 20 < result.lcl[-1]
    assert result.assurance_icon == "pass"


# multiply ---------------------------------------------------------------------------------------


def test_it_multiplies_the_values_and_limits_but_not_the_flags():
    values = [16, 10.5, 14, 10.5, 14.5, 4]
    plain = tail(values, direction="increase")
    times = tail(values, direction="increase", multiply=100)
    for name in ("y", "cl", "lcl", "ucl", "lcl_2s", "ucl_2s"):
        assert getattr(times, name) == pytest.approx(100 * getattr(plain, name), rel=1e-12), name
    for name in (*FLAGS, "included", "phase", "point_type_code"):
        assert np.array_equal(getattr(times, name), getattr(plain, name)), name
    assert plain.outside.any() and plain.two_of_three.any()
    assert times.phases == plain.phases
    assert times.variation_icon == plain.variation_icon


def test_it_clamps_p_limits_to_zero_and_one_before_multiplying():
    plain = analyse([1, 1, 0, 1], n=[1, 1, 1, 1], chart="p")[0]
    assert plain.cl == pytest.approx(0.75)
    assert (plain.ucl == 1).all()
    assert (plain.lcl == 0).all()
    percent = analyse([1, 1, 0, 1], n=[1, 1, 1, 1], chart="p", multiply=100)[0]
    assert percent.y == pytest.approx([100, 100, 0, 100])
    assert percent.cl == pytest.approx(75)
    assert percent.ucl == pytest.approx(100)
    assert (percent.lcl == 0).all()


def test_it_multiplies_a_p_chart_without_changing_the_flags():
    y, n = [5, 6, 4, 30, 5, 6], [100] * 6
    plain = analyse(y, n=n, chart="p")[0]
    percent = analyse(y, n=n, chart="p", multiply=100)[0]
    assert at(plain.outside) == at(percent.outside) == [4]
    assert percent.y == pytest.approx(100 * plain.y)


# limits of the other charts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chart", "kwargs"),
    [
        ("p", {"y": [0, 1, 0, 1], "n": [10, 10, 10, 10]}),
        ("pp", {"y": [0, 1, 0, 2, 1], "n": [10, 12, 10, 9, 11]}),
        ("u", {"y": [0, 1, 2, 1], "n": [1, 2, 1, 1]}),
        ("up", {"y": [0, 1, 2, 1, 0], "n": [1, 2, 1, 1, 2]}),
        ("c", {"y": [0, 1, 2, 1, 0, 1]}),
        ("g", {"y": [0, 1, 3, 2, 5]}),
        ("t", {"y": [0.1, 10, 0.5, 30, 2]}),
        ("s", {"y": [1, 2, 3, 4, 5, 2, 4, 6, 8, 10], "x": [1] * 5 + [2] * 5}),
        ("mr", {"y": [1, 5, 2, 8]}),
    ],
)
def test_it_clamps_lower_limits_at_zero(chart, kwargs):
    y = kwargs.pop("y")
    result = analyse(y, chart=chart, **kwargs)[0]
    limits = result.lcl[~np.isnan(result.lcl)]
    assert len(limits) >= len(result) - 1
    assert (limits == 0).all()


def test_it_does_not_clamp_the_i_chart():
    result = analyse([0.0, 1, 2, 1, 0], chart="i")[0]
    assert result.lcl == pytest.approx(0.8 - 3 * 1 / 1.128)


def test_it_does_not_clamp_the_xbar_chart():
    result = analyse([0.0, 0.1, 0.2, 0.1, 0.0, 0.3], x=[1, 1, 2, 2, 3, 3], chart="xbar")[0]
    assert (result.lcl < 0).all()


def test_it_draws_the_g_chart_centre_line_at_the_median_and_its_limits_from_the_mean():
    result = analyse([0.0, 1, 2, 10, 3], chart="g")[0]
    mean = 3.2
    assert result.cl == pytest.approx(2.0)
    assert result.ucl == pytest.approx(mean + 3 * math.sqrt(mean * (mean + 1)))
    assert (result.lcl == 0).all()
    (phase,) = result.phases
    assert phase.n_useful == 4  # the runs analysis uses the median line: 2 is on it


def test_it_back_transforms_the_t_chart():
    y = [1.0, 2, 4, 8, 3, 5]
    z = np.array(y) ** (1 / 3.6)
    centre = z.mean()
    sigma = np.abs(np.diff(z)).mean() / 1.128
    assert centre - 3 * sigma > 0
    result = analyse(y, chart="t")[0]
    assert result.y == pytest.approx(y)
    assert result.cl == pytest.approx(centre**3.6, rel=1e-12)
    assert result.ucl == pytest.approx((centre + 3 * sigma) ** 3.6, rel=1e-12)
    assert result.lcl == pytest.approx((centre - 3 * sigma) ** 3.6, rel=1e-12)


def test_it_leaves_the_first_moving_range_of_each_phase_missing():
    result = analyse([1.0, 3, 2, 6, 10, 13, 11, 15], chart="mr", part=[5])[0]
    assert result.y == pytest.approx([math.nan, 2, 1, 4, math.nan, 3, 2, 4], nan_ok=True)
    assert result.cl[:4] == pytest.approx(7 / 3)
    assert result.cl[4:] == pytest.approx(3.0)
    assert result.ucl[:4] == pytest.approx(3.267 * 7 / 3)
    assert result.ucl[4:] == pytest.approx(3.267 * 3)
    assert (result.lcl == 0).all()
    for name in ("shift", "trend", "two_of_three"):
        assert not getattr(result, name).any()
    for phase in result.phases:
        assert phase.n_useful is None
        assert phase.longest_run is None
        assert phase.crossings is None
        assert phase.runs_signal is False


def test_it_flags_no_shift_or_trend_on_a_moving_range_chart():
    result = analyse([1.0, 2, 4, 7, 11, 16, 22, 29, 37, 46], chart="mr")[0]  # rising ranges
    assert not result.trend.any()
    assert not result.shift.any()


def test_it_averages_only_moving_ranges_between_two_included_points():
    result = analyse([1.0, 3, 2, 6, 4], chart="mr", exclude=[3])[0]
    assert result.y == pytest.approx([math.nan, 2, 1, 4, 2], nan_ok=True)
    assert result.cl == pytest.approx(2.0)


def test_it_screens_moving_ranges_once():
    # Twenty moving ranges of 1, then 4 and 40. AMR = 64/22; 40 >= 3.267 x 64/22 is dropped, AMR
    # becomes 24/21 and is not screened again (4 >= 3.267 x 24/21 would be dropped by a second
    # pass).
    y = [0.0, 1] * 10 + [0.0, 4, 44]
    mean = sum(y) / len(y)
    assert 4 >= 3.267 * 24 / 21
    screened = analyse(y, chart="i", screen_mr=True)[0]
    assert screened.cl == pytest.approx(mean)
    assert screened.ucl == pytest.approx(mean + 3 * (24 / 21) / 1.128, rel=1e-12)
    plain = analyse(y, chart="i")[0]
    assert plain.ucl == pytest.approx(mean + 3 * (64 / 22) / 1.128, rel=1e-12)


@pytest.mark.parametrize("screen", [False, True])
@pytest.mark.parametrize("chart", ["pp", "up"])
def test_it_widens_laney_limits_by_the_moving_range_sigma_of_the_z_scores(chart, screen):
    y = np.array([12.0, 20, 15, 18, 22, 14, 19, 16, 21, 17, 13, 18, 95, 16, 20, 15])
    n = np.array([100.0, 120, 90, 110, 150, 80, 100, 95, 130, 105, 100, 110, 120, 90, 100, 105])
    rate = y / n
    centre = y.sum() / n.sum()
    binomial = chart == "pp"
    sigma = np.sqrt(centre * (1 - centre) / n) if binomial else np.sqrt(centre / n)
    ranges = np.abs(np.diff((rate - centre) / sigma))
    if screen:
        ranges = ranges[ranges < 3.267 * ranges.mean()]
        assert len(ranges) == 13  # the jumps to and from point 13 are screened out
    sigma_z = ranges.mean() / 1.128
    upper = centre + 3 * sigma * sigma_z
    lower = np.maximum(centre - 3 * sigma * sigma_z, 0)
    result = analyse(y, n=n, chart=chart, screen_mr=screen)[0]
    assert result.y == pytest.approx(rate, rel=1e-12)
    assert result.cl == pytest.approx(centre, rel=1e-12)
    assert result.ucl == pytest.approx(np.minimum(upper, 1) if binomial else upper, rel=1e-9)
    assert result.lcl == pytest.approx(lower, rel=1e-9, abs=1e-12)


def test_it_pools_the_subgroup_sds_of_an_xbar_chart_with_unequal_subgroups():
    groups = [[10.0, 12, 11], [9.0, 13], [10.0, 11, 12, 14], [8.0, 12, 10], [11.0]]
    y = [v for group in groups for v in group]
    x = [k for k, group in enumerate(groups) for _ in group]
    sized = [np.array(group) for group in groups[:4]]
    sizes = np.array([len(g) for g in sized])
    sds = np.array([g.std(ddof=1) for g in sized])
    pooled = math.sqrt(((sizes - 1) * sds**2).sum() / (sizes - 1).sum())
    centre = sum(y) / len(y)  # sum(n_i xbar_i) / sum(n_i) = the mean of every measurement
    c4 = np.sqrt(2 / (sizes - 1)) * np.exp(
        np.array([math.lgamma(k / 2) - math.lgamma((k - 1) / 2) for k in sizes])
    )
    result = analyse(y, x=x, chart="xbar")[0]
    assert result.y == pytest.approx([np.mean(g) for g in groups], rel=1e-12)
    assert result.cl == pytest.approx(centre, rel=1e-12)
    assert result.ucl[:4] == pytest.approx(centre + 3 * pooled / (c4 * np.sqrt(sizes)), rel=1e-9)
    assert result.lcl[:4] == pytest.approx(centre - 3 * pooled / (c4 * np.sqrt(sizes)), rel=1e-9)
    # A subgroup of one has no limits.
    assert np.isnan(result.ucl[4]) and np.isnan(result.lcl[4])


def test_it_averages_the_subgroup_sds_of_an_xbar_chart_with_equal_subgroups():
    groups = [[10.0, 12, 11], [9.0, 13, 10], [10.0, 11, 14], [8.0, 12, 10]]
    y = [v for group in groups for v in group]
    x = [k for k, group in enumerate(groups) for _ in group]
    sbar = np.mean([np.std(g, ddof=1) for g in groups])
    c4 = math.sqrt(2 / 2) * math.exp(math.lgamma(3 / 2) - math.lgamma(1))
    result = analyse(y, x=x, chart="xbar")[0]
    assert result.ucl == pytest.approx(np.mean(y) + 3 * sbar / (c4 * math.sqrt(3)), rel=1e-9)
    s_chart = analyse(y, x=x, chart="s")[0]
    assert s_chart.cl == pytest.approx(sbar, rel=1e-12)
    factor = math.sqrt(1 - c4**2) / c4
    assert s_chart.ucl == pytest.approx(sbar * (1 + 3 * factor), rel=1e-9)


def test_it_compares_the_target_with_the_multiplied_limits():
    # Limits are reported multiplied, so the target is in the same (plotted) units.
    y, n = [20, 22, 18, 21, 19, 20], [100] * 6
    fraction = analyse(y, n=n, chart="p", target=0.05, direction="decrease")[0]
    assert fraction.lcl[-1] > 0.05
    assert fraction.assurance_icon == "fail"
    percent = analyse(y, n=n, chart="p", multiply=100, target=5, direction="decrease")[0]
    assert percent.lcl[-1] > 5
    assert percent.assurance_icon == "fail"
    assert analyse(y, n=n, chart="p", multiply=100, target=20, direction="decrease")[
        0
    ].assurance_icon == ("hit_or_miss")


def test_it_draws_the_run_chart_centre_line_at_the_median_of_the_included_baseline():
    y = [1.0, 5, 3, 100, 2, 4]
    assert analyse(y, chart="run")[0].cl == pytest.approx(3.5)
    assert analyse(y, chart="run", exclude=[4])[0].cl == pytest.approx(3.0)
    result = analyse(y, chart="run", freeze=3)[0]
    assert result.cl == pytest.approx(3.0)
    for name in ("lcl", "ucl", "lcl_2s", "ucl_2s"):
        assert np.isnan(getattr(result, name)).all(), name
    assert not result.outside.any()


def test_it_shows_no_variation_icon_when_the_last_point_has_no_centre_line():
    # The last phase holds one point, and it is excluded: nothing to draw its centre line from.
    result = analyse(BASE + [16.0], chart="i", part=[K + 1], exclude=[K + 1])[0]
    assert np.isnan(result.cl[-1])
    assert result.variation_icon == "none"


def test_it_orders_xbar_subgroups_by_first_appearance():
    y = [5.0, 7, 1, 3, 2, 4, 6.0, 8]
    x = [30, 30, 10, 10, 20, 20, 30, 30]
    result = analyse(y, x=x, chart="xbar")[0]
    assert list(result.x) == [30, 10, 20]
    assert result.y == pytest.approx([6.5, 2.0, 3.0])
