"""Pareto rows and chart: ranking, shares, the cumulative line and the 80% reference."""

import pytest

from qms.stats.pareto import PARETO_REFERENCE, pareto_rows, pareto_spec


def test_it_ranks_highest_first_keeping_ties_in_the_order_given():
    rows = pareto_rows([("b", 2), ("a", 5), ("c", 2), ("none", 0)])
    assert [(r.category, r.count, r.cumulative) for r in rows] == [
        ("a", 5, 0.5556),
        ("b", 2, 0.7778),
        ("c", 2, 1.0),
    ]


@pytest.mark.parametrize("count", [-1, 1.5, "3", True, None])
def test_it_refuses_a_count_that_is_not_a_whole_number(count):
    with pytest.raises(ValueError, match="whole number"):
        pareto_rows([("a", count)])


def test_it_draws_bars_a_cumulative_line_and_the_reference_with_links():
    spec = pareto_spec(pareto_rows([("a", 3), ("b", 1)]), links=["/a", "/b"], title="Factors")
    bars, line, reference = spec["layer"]
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["href"] == {"field": "url"}
    assert line["encoding"]["y"]["field"] == "cumulative"
    assert line["encoding"]["y"]["axis"]["format"] == "%"
    assert reference["data"]["values"][0]["reference"] == PARETO_REFERENCE
    assert [v["url"] for v in spec["data"]["values"]] == ["/a", "/b"]
    assert spec["resolve"] == {"scale": {"y": "independent"}}
    assert spec["description"].startswith("Pareto chart of 2 categories")


def test_it_wants_one_link_a_row():
    with pytest.raises(ValueError, match="one link a row"):
        pareto_spec(pareto_rows([("a", 3)]), links=[])
