"""qms.stats.gaps on built cases: the gap between a process's centre line and its target, and
whether it is a gap given the assurance icon."""

import math

import pytest

from qms.stats import gaps
from qms.stats.gaps import rank_key, target_gap


def test_it_calls_a_target_met_by_the_last_point_but_not_assured_a_gap():
    gap = target_gap(
        centre=93.0, target=95.0, direction="increase", assurance="hit_or_miss", last_value=96.0
    )
    assert gap.is_gap and gap.met_by_last_point and gap.misleading_last_point
    assert gap.status == gaps.HIT_OR_MISS and gap.shortfall == 2.0


def test_it_calls_a_failing_process_a_gap_even_when_the_last_point_met_the_target():
    gap = target_gap(centre=8.0, target=5.0, direction="decrease", assurance="fail", last_value=4.0)
    assert gap.is_gap and gap.misleading_last_point and gap.status == gaps.FAIL
    assert gap.shortfall == 3.0 and gap.relative == pytest.approx(0.6)


def test_it_finds_no_gap_when_the_process_is_assured():
    gap = target_gap(
        centre=97.0, target=90.0, direction="increase", assurance="pass", last_value=89
    )
    assert not gap.is_gap and gap.status == gaps.PASS and gap.judged
    assert gap.shortfall == -7.0  # better than the target: negative
    assert gap.met_by_last_point is False and not gap.misleading_last_point


@pytest.mark.parametrize(
    ("direction", "centre", "shortfall"),
    [("increase", 80.0, 10.0), ("increase", 95.0, -5.0), ("decrease", 80.0, -10.0),
     ("decrease", 95.0, 5.0)],
)  # fmt: skip
def test_it_signs_the_gap_by_the_direction_of_improvement(direction, centre, shortfall):
    gap = target_gap(centre=centre, target=90.0, direction=direction, assurance="hit_or_miss")
    assert gap.shortfall == shortfall
    assert gap.relative == pytest.approx(shortfall / 90.0)


def test_it_calls_a_centre_on_the_target_a_gap_of_zero_that_is_hit_and_miss():
    gap = target_gap(centre=90.0, target=90.0, direction="increase", assurance="hit_or_miss")
    assert gap.shortfall == 0.0 and not math.copysign(1, gap.shortfall) < 0
    assert gap.is_gap and gap.status == gaps.HIT_OR_MISS


def test_it_says_not_enough_data_without_limits_and_does_not_judge():
    gap = target_gap(
        centre=4.0, target=2.0, direction="decrease", assurance="none", has_limits=False
    )
    assert gap.status == gaps.NO_LIMITS and not gap.judged and not gap.is_gap
    assert gap.shortfall == 2.0  # still shown
    empty = target_gap(centre=None, target=2.0, direction="decrease", assurance="none")
    assert empty.status == gaps.NO_DATA and empty.shortfall is None and not empty.is_gap


def test_it_does_not_judge_a_measure_without_a_direction():
    gap = target_gap(centre=4.0, target=2.0, direction="neutral", assurance="none")
    assert gap.status == gaps.NO_DIRECTION and not gap.is_gap and gap.shortfall is None


def test_it_calls_a_centre_on_the_wrong_side_a_gap_without_an_icon():
    gap = target_gap(centre=4.0, target=2.0, direction="decrease", assurance="none")
    assert gap.status == gaps.WRONG_SIDE and gap.is_gap


def test_it_has_no_relative_gap_for_a_target_of_zero():
    gap = target_gap(centre=0.5, target=0.0, direction="decrease", assurance="fail")
    assert gap.relative is None and gap.shortfall == 0.5 and gap.is_gap


@pytest.mark.parametrize("bad", [{"target": math.nan}, {"target": math.inf}, {"direction": "up"}])
def test_it_refuses_a_target_or_direction_it_cannot_use(bad):
    arguments = {"centre": 1.0, "target": 2.0, "direction": "increase", "assurance": "pass"}
    with pytest.raises(ValueError):
        target_gap(**{**arguments, **bad})


def test_it_reads_a_nan_centre_as_no_data():
    gap = target_gap(centre=math.nan, target=2.0, direction="increase", assurance="none")
    assert gap.status == gaps.NO_DATA


def test_it_ranks_the_worst_first():
    def make(centre, assurance, target=10.0, has_limits=True):
        return target_gap(
            centre=centre, target=target, direction="decrease", assurance=assurance,
            has_limits=has_limits,
        )  # fmt: skip

    big_fail = make(20.0, "fail")
    small_fail = make(12.0, "fail")
    small_hit = make(12.0, "hit_or_miss")
    good_hit = make(9.0, "hit_or_miss")
    zero_target = make(1.0, "fail", target=0.0)
    passing = make(5.0, "pass")
    no_limits = make(30.0, "none", has_limits=False)
    ordered = [zero_target, big_fail, small_fail, small_hit, good_hit, passing, no_limits]
    shuffled = [no_limits, passing, small_hit, good_hit, small_fail, zero_target, big_fail]
    assert sorted(shuffled, key=rank_key) == ordered
