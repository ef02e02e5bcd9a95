"""The pure scoring rule: weights, ranking, ties and unscored criteria (qms.planning.scoring)."""

import math

import pytest

from qms.planning import scoring

ALL_THREE = {name: 3 for name in scoring.CRITERIA}


def test_it_scores_impact_and_feasibility_as_weighted_means_and_overall_as_their_product():
    scores = {**ALL_THREE, "people_affected": 5, "severity": 1, "effort": 5, "cost": 1}
    weights = {**scoring.DEFAULT_WEIGHTS, "people_affected": 3.0}
    result = scoring.score(scores, weights)
    assert result.impact == pytest.approx((3 * 5 + 1 + 3 + 3) / 6)
    assert result.feasibility == pytest.approx(3.0)
    assert result.overall == pytest.approx(result.impact * 3.0)
    assert result.fully_scored


def test_it_keeps_scores_between_one_and_twenty_five():
    low = scoring.score({name: 1 for name in scoring.CRITERIA})
    high = scoring.score({name: 5 for name in scoring.CRITERIA})
    assert (low.overall, high.overall) == (1, 25)


def test_it_leaves_a_priority_not_fully_scored_when_a_counted_criterion_is_missing():
    result = scoring.score({**ALL_THREE, "equity": None})
    assert result.impact is None and result.overall is None
    assert result.feasibility == 3
    assert result.missing == ("equity",)
    assert not result.fully_scored


def test_it_does_not_count_a_missing_criterion_whose_weight_is_zero():
    result = scoring.score({**ALL_THREE, "equity": None}, {**scoring.DEFAULT_WEIGHTS, "equity": 0})
    assert result.fully_scored and result.impact == 3


def test_it_ranks_by_score_then_impact_then_the_older_first():
    items = {
        "low": scoring.score({**ALL_THREE, "severity": 1}),
        "high": scoring.score({**ALL_THREE, "severity": 5}),
        "unscored": scoring.score({**ALL_THREE, "cost": None}),
        "same_a": scoring.score(ALL_THREE),
        "same_b": scoring.score(ALL_THREE),
    }
    ages = {"low": 1, "high": 2, "unscored": 0, "same_a": 4, "same_b": 3}
    ranked = scoring.rank(items, items.get, ages.get)
    assert ranked == ["high", "same_b", "same_a", "low", "unscored"]


def test_it_breaks_a_tie_of_score_by_the_higher_impact():
    # 4 x 2 = 8 and 2 x 4 = 8: the one with more impact ranks first.
    more_impact = scoring.score(
        {**{n: 4 for n in scoring.IMPACT}, **{n: 2 for n in scoring.FEASIBILITY}}
    )
    less_impact = scoring.score(
        {**{n: 2 for n in scoring.IMPACT}, **{n: 4 for n in scoring.FEASIBILITY}}
    )
    items = {"less": less_impact, "more": more_impact}
    assert scoring.rank(items, items.get, {"less": 1, "more": 2}.get) == ["more", "less"]


def test_it_changes_the_ranking_when_the_weights_change():
    safety = {**ALL_THREE, "severity": 5, "equity": 1}
    fairness = {**ALL_THREE, "severity": 1, "equity": 5}
    items = {"safety": safety, "fairness": fairness}
    for heavy, first in (("severity", "safety"), ("equity", "fairness")):
        weights = {**scoring.DEFAULT_WEIGHTS, heavy: 5.0}
        ranked = scoring.rank(
            items, lambda k, w=weights: scoring.score(items[k], w), {"safety": 1, "fairness": 2}.get
        )
        assert ranked[0] == first


@pytest.mark.parametrize(
    "weights, field",
    [
        ({"severity": -1.0}, "severity"),
        ({"severity": math.nan}, "severity"),
        ({"severity": math.inf}, "severity"),
        ({"severity": 1000.0}, "severity"),
        ({"severity": "x"}, "severity"),
        ({"people_affected": 0, "severity": 0, "equity": 0, "strategic_fit": 0}, "impact"),
        ({"effort": 0, "cost": 0, "readiness": 0}, "feasibility"),
    ],
)
def test_it_refuses_weights_that_cannot_be_used(weights, field):
    problems = scoring.weight_problems({**scoring.DEFAULT_WEIGHTS, **weights})
    assert field in problems


@pytest.mark.parametrize("value", [0, 6, -1, 2.5, "3", True, math.nan])
def test_it_refuses_a_score_outside_one_to_five_or_not_whole(value):
    assert scoring.score_problem(value)
    with pytest.raises(ValueError):
        scoring.score({**ALL_THREE, "severity": value})


@pytest.mark.parametrize(
    "impact, feasibility, quadrant",
    [(5, 5, "Quick win"), (5, 1, "Major project"), (1, 5, "Fill-in"), (1, 1, "Thankless")],
)
def test_it_places_a_priority_in_its_quadrant(impact, feasibility, quadrant):
    result = scoring.score(
        {**{n: impact for n in scoring.IMPACT}, **{n: feasibility for n in scoring.FEASIBILITY}}
    )
    assert scoring.quadrant(result) == quadrant


def test_it_places_an_unscored_priority_in_no_quadrant():
    assert scoring.quadrant(scoring.score({})) == ""
