"""qms.stats.funnel against published values and hand-worked examples (the source of every
expected number is written beside it)."""

import itertools
import math
from decimal import Decimal

import numpy as np
import pytest

from qms.stats.funnel import Z_95, Z_998, FunnelInputError, funnel, funnel_limits


def test_it_gives_the_exact_poisson_limits_published_in_funnelplotr_tests():
    # FunnelPlotR 0.6.0, tests/testthat/test-poisson_limits.R: calculate_limits() at expected
    # counts 15, 20 and 30, target 1, unadjusted (ll95, ul95, ll99 = 99.8%, ul99).
    limits = funnel_limits([15, 20, 30], kind="ratio", target=1.0)
    assert [round(limit.lower95, 7) for limit in limits] == [0.5596924, 0.6108260, 0.6746958]
    assert [round(limit.upper95, 6) for limit in limits] == [1.649348, 1.544419, 1.427562]
    assert [round(limit.lower998, 7) for limit in limits] == [0.3862650, 0.4479107, 0.5289724]
    assert [round(limit.upper998, 6) for limit in limits] == [2.082907, 1.902094, 1.702771]


def test_it_uses_the_normal_quantiles_funnelplotr_writes():
    # FunnelPlotR R/calculate_limits.R uses 1.959964 and 3.090232.
    assert round(Z_95, 6) == 1.959964
    assert round(Z_998, 6) == 3.090232


def test_it_adds_rows_of_the_same_group_as_funnelplotr_aggregates():
    # FunnelPlotR tests/testthat/test-aggregate_fun.R: groups a, a, a, b, b, c give ratios
    # 1.069652, 1.071795 and 1.022727.
    result = funnel(
        [100, 150, 180, 89, 120, 225],
        [102, 135, 165, 95, 100, 220],
        kind="ratio",
        groups=["a", "a", "a", "b", "b", "c"],
    )
    assert [group.group for group in result.groups] == ["a", "b", "c"]
    assert [round(group.value, 6) for group in result.groups] == [1.069652, 1.071795, 1.022727]
    assert result.groups[0].denominator == 402


def test_it_gives_proportion_limits_on_the_arcsine_scale():
    # Target 0.5 (50 of 100 twice): the centre angle is pi/4 and sin^2(pi/4 + x) is
    # (1 + sin 2x) / 2, so at n = 100 (s = 1/20) the limits are (1 -/+ sin(2 z / 20)) / 2.
    result = funnel([50, 50], [100, 100], kind="proportion")
    assert result.target == 0.5
    group = result.groups[0]
    assert group.upper95 == pytest.approx((1 + math.sin(2 * 1.959964 / 20)) / 2, abs=1e-6)
    assert group.lower95 == pytest.approx((1 - math.sin(2 * 1.959964 / 20)) / 2, abs=1e-6)
    assert group.upper998 == pytest.approx((1 + math.sin(2 * 3.090232 / 20)) / 2, abs=1e-6)
    assert round(group.upper95, 6) == 0.597372  # (1 + sin 0.1959964) / 2 by hand
    assert group.flag == "within"


def test_it_flags_against_the_998_limits_only():
    # 10/100, 30/200, 90/300: target 130/600; the first is below and the last above 99.8%.
    result = funnel([10, 30, 90], [100, 200, 300], kind="proportion", groups=["a", "b", "c"])
    assert result.target == pytest.approx(130 / 600)
    assert [group.flag for group in result.groups] == ["low", "within", "high"]
    # Unit b (0.15) lies below its 95% limit but within 99.8%: still "within".
    b = result.groups[1]
    assert b.lower998 < b.value < b.lower95
    assert result.tau2 is None and result.phi is None and not result.adjusted


def test_it_counts_a_value_on_a_limit_as_within():
    # FunnelPlotR's outliers_func: within means lower <= value <= upper.
    result = funnel([30, 30], [30, 30], kind="proportion")  # target 1: upper limit is 1
    assert [group.flag for group in result.groups] == ["within", "within"]
    assert result.groups[0].upper998 == 1.0


def test_it_estimates_tau2_by_hand_on_the_square_root_scale():
    # Observed 64, 81, 100, 121, 144 against 100 expected each: z = 2(sqrt(O) - sqrt(E)) is
    # -4, -2, 0, 2, 4 (Spiegelhalter 2005 QSHC). Without winsorising phi = 40 / 5 = 8; with
    # equal weights w = 4E = 400, sum w - sum w^2 / sum w = 2000 - 400 = 1600, so
    # tau2 = (5 * 8 - 4) / 1600 = 0.0225.
    observed, expected = [64, 81, 100, 121, 144], [100] * 5
    result = funnel(observed, expected, kind="ratio", overdispersion=True, trim=0)
    assert result.phi == pytest.approx(8.0)
    assert result.tau2 == pytest.approx(0.0225)
    assert [round(group.z, 9) for group in result.groups] == [-4, -2, 0, 2, 4]
    # Limits (1 -/+ z sqrt(1/400 + 0.0225))^2 = (1 -/+ z 0.158114)^2.
    group = result.groups[0]
    assert group.upper998 == pytest.approx((1 + 3.090232 * math.sqrt(0.025)) ** 2, abs=1e-5)
    assert group.lower95 == pytest.approx((1 - 1.959964 * math.sqrt(0.025)) ** 2, abs=1e-5)
    assert result.adjusted


def test_it_winsorises_ten_percent_each_end_as_r_quantiles():
    # The same z-scores winsorised at 10%: R's quantile(type 7) of -4,-2,0,2,4 at 0.1 is
    # -4 + 0.4 * 2 = -3.2 and at 0.9 is 3.2, so phi = (2 * 3.2^2 + 2 * 2^2) / 5 = 5.696 and
    # tau2 = (28.48 - 4) / 1600 = 0.0153.
    result = funnel([64, 81, 100, 121, 144], [100] * 5, kind="ratio", overdispersion=True)
    assert result.phi == pytest.approx(5.696)
    assert result.tau2 == pytest.approx(0.0153)


def test_it_estimates_tau2_for_proportions_on_the_arcsine_scale():
    # Equal n = 100: w = 400 each. z = 20 (asin sqrt(p) - asin sqrt(p0)).
    events = [20, 35, 50, 65, 80]
    result = funnel(events, [100] * 5, kind="proportion", overdispersion=True, trim=0)
    centre = math.asin(math.sqrt(0.5))
    z = [20 * (math.asin(math.sqrt(e / 100)) - centre) for e in events]
    phi = sum(value * value for value in z) / 5
    assert result.phi == pytest.approx(phi)
    assert result.tau2 == pytest.approx((5 * phi - 4) / 1600)
    assert result.groups[0].upper998 == pytest.approx(
        math.sin(centre + 3.090232 * math.sqrt(1 / 400 + result.tau2)) ** 2, abs=1e-6
    )


def test_it_gives_tau2_zero_and_unadjusted_limits_when_underdispersed():
    # Every unit exactly on target: phi = 0 < 1, so nothing to add (tau2 0.0, not None).
    adjusted = funnel([10, 20, 30], [10, 20, 30], kind="ratio", overdispersion=True)
    plain = funnel([10, 20, 30], [10, 20, 30], kind="ratio")
    assert adjusted.tau2 == 0.0 and adjusted.phi == 0.0 and not adjusted.adjusted
    assert plain.tau2 is None
    assert [g.upper998 for g in adjusted.groups] == [g.upper998 for g in plain.groups]


def test_it_widens_the_limits_of_the_funnelplotr_example_when_overdispersed():
    # FunnelPlotR tests/testthat/test-funnel_plot.R data; its test expects the adjusted lower
    # 95% limit of group e below the unadjusted one.
    numerators, denominators = [100, 150, 180, 80, 120, 225], [108, 112, 165, 95, 100, 220]
    plain = funnel(numerators, denominators, kind="ratio")
    adjusted = funnel(numerators, denominators, kind="ratio", overdispersion=True)
    assert adjusted.phi > 1 and adjusted.tau2 > 0
    assert adjusted.groups[4].lower95 < plain.groups[4].lower95
    assert adjusted.groups[4].upper998 > plain.groups[4].upper998
    flagged = [g.group for g in plain.groups if g.flag != "within"]
    assert flagged and all(g.flag == "within" for g in adjusted.groups)


def test_it_handles_zero_events():
    ratio = funnel([0, 5], [4.0, 5.0], kind="ratio")
    assert ratio.groups[0].value == 0
    assert ratio.groups[0].lower998 > 0  # chi2 quantile of 2E > 0 at E = 4
    proportion = funnel([0, 0], [50, 80], kind="proportion", overdispersion=True)
    assert proportion.target == 0
    assert [g.lower998 for g in proportion.groups] == [0, 0]
    assert all(g.flag == "within" for g in proportion.groups)
    assert proportion.tau2 == 0.0


def test_it_handles_one_group():
    result = funnel([7], [20], kind="proportion", overdispersion=True)
    (group,) = result.groups
    assert result.target == 0.35 and group.flag == "within"
    assert result.tau2 == 0.0  # one unit cannot vary between units


def test_it_takes_decimals_numpy_and_text_numbers():
    result = funnel(
        [Decimal("3"), np.int64(4), "5"], [Decimal("10.5"), np.float64(11), " 12 "], kind="ratio"
    )
    assert [g.denominator for g in result.groups] == [10.5, 11.0, 12.0]


@pytest.mark.parametrize(
    ("numerators", "denominators", "kind", "row", "column", "words"),
    [
        ([1, 2], [10, 0], "proportion", 1, "denominator", "above 0"),
        ([1, 2], [10, -3], "ratio", 1, "denominator", "expected count must be above 0"),
        ([1, -2], [10, 10], "ratio", 1, "numerator", "negative"),
        ([11, 2], [10, 10], "proportion", 0, "numerator", "more than the denominator"),
        (["x", 2], [10, 10], "ratio", 0, "numerator", "not a finite number"),
        ([1, 2], [10, float("inf")], "ratio", 1, "denominator", "not a finite number"),
        ([1, 2], [10, ""], "ratio", 1, "denominator", "not a finite number"),
        ([True, 2], [10, 10], "ratio", 0, "numerator", "not a finite number"),
    ],
)
def test_it_refuses_bad_rows_naming_the_row(numerators, denominators, kind, row, column, words):
    with pytest.raises(FunnelInputError) as caught:
        funnel(numerators, denominators, kind=kind)
    assert (row, column) in [(r, c) for r, c, _ in caught.value.problems]
    assert words in str(caught.value)
    assert f"row {row + 1}" in str(caught.value)


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"numerators": [], "denominators": []}, "no rows"),
        ({"numerators": [1], "denominators": [1, 2]}, "differ in length"),
        ({"numerators": [1], "denominators": [2], "kind": "rate"}, "one of"),
        ({"numerators": [1], "denominators": [2], "trim": 0.5}, "trim"),
        ({"numerators": [1], "denominators": [2], "groups": [" "]}, "group: is empty"),
    ],
)
def test_it_refuses_bad_arguments(arguments, words):
    with pytest.raises(FunnelInputError, match=words):
        funnel(**{"kind": "ratio", **arguments})


def test_it_draws_curves_that_narrow_and_include_every_unit():
    result = funnel([10, 30, 90], [100, 200, 300], kind="proportion")
    curve = result.curve(points=50)
    sizes = [limit.denominator for limit in curve]
    assert sizes == sorted(sizes) and {100.0, 200.0, 300.0} <= set(sizes)
    widths = [limit.upper998 - limit.lower998 for limit in curve]
    assert all(a >= b for a, b in itertools.pairwise(widths))
    at_200 = next(limit for limit in curve if limit.denominator == 200)
    assert at_200.upper998 == result.groups[1].upper998


def test_it_writes_the_command_line_shape():
    document = funnel([1, 2], [10, 10], kind="ratio", groups=["a", "b"]).to_dict()
    assert set(document) == {"target", "tau2", "groups"}
    assert set(document["groups"][0]) >= {
        "group", "value", "lower95", "upper95", "lower998", "upper998", "flag",
    }  # fmt: skip


def test_the_results_are_frozen():
    result = funnel([1], [2], kind="ratio")
    with pytest.raises(AttributeError):
        result.target = 2  # type: ignore[misc]
