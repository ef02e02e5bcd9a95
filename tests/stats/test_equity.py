"""The equity gap between population groups, and the interval of a difference of proportions."""

import math

import pytest

from qms.stats.equity import (
    EquityGapError,
    equity_gap,
    proportion_difference_interval,
    wilson_interval,
)


def test_it_reads_the_gap_where_lower_is_better():
    gap = equity_gap(
        {"1 (most deprived)": 9.0, "3": 6.0, "5 (least deprived)": 3.0}, direction="decrease"
    )
    assert (gap.worst, gap.best) == ("1 (most deprived)", "5 (least deprived)")
    assert gap.difference == 6.0
    assert gap.gap == 6.0
    assert gap.ratio == 3.0
    assert gap.directional and gap.groups == 3


def test_it_reads_the_gap_where_higher_is_better():
    gap = equity_gap(
        {"Under 65": 80.0, "65 to 74": 70.0, "75 and over": 40.0}, direction="increase"
    )
    assert (gap.worst, gap.best) == ("75 and over", "Under 65")
    assert gap.difference == -40.0
    assert gap.gap == 40.0
    assert gap.ratio == 0.5


def test_it_names_lowest_and_highest_when_the_measure_has_no_direction():
    gap = equity_gap({"A": 2.0, "B": 5.0}, direction="neutral")
    assert not gap.directional
    assert (gap.worst, gap.best, gap.gap) == ("A", "B", 3.0)


def test_it_gives_no_gap_for_one_group():
    assert equity_gap({"A": 2.0}, direction="increase") is None
    assert equity_gap({}, direction="decrease") is None


def test_it_gives_no_ratio_when_the_best_group_is_zero():
    gap = equity_gap({"A": 0.0, "B": 4.0}, direction="decrease")
    assert gap.best == "A" and gap.ratio is None and gap.gap == 4.0


@pytest.mark.parametrize("bad", [math.nan, math.inf, "7", None, True])
def test_it_refuses_values_that_are_not_finite_numbers(bad):
    with pytest.raises(EquityGapError):
        equity_gap({"A": 1.0, "B": bad}, direction="increase")


def test_it_refuses_an_unknown_direction():
    with pytest.raises(EquityGapError):
        equity_gap({"A": 1.0, "B": 2.0}, direction="up")


def test_it_matches_newcombes_worked_example():
    # Newcombe (1998), Statistics in Medicine 17:873-890, table II, example (a): 56/70 - 48/80.
    difference, low, high = proportion_difference_interval(56, 70, 48, 80)
    assert difference == pytest.approx(0.2)
    assert low == pytest.approx(0.0524, abs=1e-4)
    assert high == pytest.approx(0.3339, abs=1e-4)


def test_it_keeps_wilson_intervals_within_zero_and_one():
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == pytest.approx(1.0)
    low, high = wilson_interval(10, 100)
    assert low == pytest.approx(0.0552, abs=1e-4) and high == pytest.approx(0.1744, abs=1e-4)


@pytest.mark.parametrize("count,total", [(5, 0), (11, 10), (-1, 10), (math.nan, 10)])
def test_it_refuses_a_proportion_that_cannot_be(count, total):
    with pytest.raises(EquityGapError):
        wilson_interval(count, total)
