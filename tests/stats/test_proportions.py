"""Confidence intervals for audit proportions, against published values."""

import math

import pytest

from qms.stats.compliance import compliance_spec
from qms.stats.proportions import newcombe_difference, two_proportion_z, wilson_interval


@pytest.mark.parametrize(
    ("successes", "n", "lower", "upper"),
    [
        # Newcombe RG. Stat Med 1998;17:857-72, table II, method 3 (score, no correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_it_gives_the_wilson_interval_newcombe_published(successes, n, lower, upper):
    result = wilson_interval(successes, n)
    assert result.estimate == pytest.approx(successes / n)
    assert (result.lower, result.upper) == pytest.approx((lower, upper), abs=5e-5)


def test_it_reaches_one_exactly_when_every_case_met():
    result = wilson_interval(20, 20)
    assert result.upper == 1.0
    assert result.lower == pytest.approx(1 - 0.1611, abs=5e-5)


def test_it_widens_with_the_confidence_asked_for():
    assert wilson_interval(8, 10, 0.99).lower < wilson_interval(8, 10, 0.95).lower


@pytest.mark.parametrize(
    ("successes", "n", "confidence"),
    [(1, 0, 0.95), (-1, 10, 0.95), (11, 10, 0.95), (1.5, 10, 0.95), (True, 10, 0.95),
     (1, 10, 1.0), (1, 10, 0.0), (1, 10, math.nan)],
)  # fmt: skip
def test_it_refuses_counts_and_levels_that_make_no_interval(successes, n, confidence):
    with pytest.raises(ValueError):
        wilson_interval(successes, n, confidence)


@pytest.mark.parametrize(
    ("before", "after", "lower", "upper"),
    [
        # Newcombe RG. Stat Med 1998;17:873-90, table II, method 10 (hybrid score).
        ((48, 80), (56, 70), 0.0524, 0.3339),
        ((3, 10), (9, 10), 0.1705, 0.8090),
    ],
)
def test_it_gives_newcombes_hybrid_score_interval_for_a_difference(before, after, lower, upper):
    result = newcombe_difference(before, after)
    assert result.difference == pytest.approx(after[0] / after[1] - before[0] / before[1])
    assert (result.lower, result.upper) == pytest.approx((lower, upper), abs=5e-5)
    assert result.significant


def test_it_calls_a_difference_spanning_zero_not_significant():
    result = newcombe_difference((7, 10), (8, 10))
    assert result.lower < 0 < result.upper and not result.significant


def test_it_gives_the_pooled_z_tests_p_value():
    # z = (0.8 - 0.6) / sqrt(0.6933 * 0.3067 * (1/80 + 1/70)) = 2.650, two-sided p = 0.0080.
    assert two_proportion_z((48, 80), (56, 70)) == pytest.approx(0.00805, abs=5e-5)
    assert two_proportion_z((10, 10), (20, 20)) == 1.0


def test_it_draws_each_criterion_with_its_interval_and_expected_tick():
    spec = compliance_spec(
        [
            {"criterion": "1. A", "audit": "First", "estimate": 80, "lower": 60, "upper": 90,
             "expected": 95},
            {"criterion": "1. A", "audit": "Second", "estimate": None, "lower": None,
             "upper": None, "expected": 95},
        ],
        title="Audit",
    )  # fmt: skip
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["tick", "rule", "point"]
    assert spec["data"]["values"][1]["estimate"] is None
    assert spec["encoding"]["yOffset"]["field"] == "audit"
    assert spec["description"]
