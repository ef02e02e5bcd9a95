"""The chart kind sets name only charts the engine draws, and agree with each other."""

import pytest

from qms.stats import CHARTS, SpcInputError, analyse
from qms.stats import charts as kinds


def test_it_names_only_charts_the_engine_draws():
    for name in dir(kinds):
        value = getattr(kinds, name)
        if name.isupper() and isinstance(value, frozenset):
            assert value <= set(CHARTS), name


def test_it_keeps_proportions_and_rates_among_the_charts_with_a_denominator():
    assert kinds.PROPORTIONS | kinds.RATES == kinds.NEEDS_DENOMINATOR
    assert kinds.WHOLE_COUNTS <= kinds.COUNTED


@pytest.mark.parametrize("chart", sorted(kinds.NEEDS_DENOMINATOR))
def test_it_asks_a_denominator_of_the_charts_that_need_one(chart):
    with pytest.raises(SpcInputError, match="denominator"):
        analyse([1, 2, 3], chart=chart)
