"""What each adoption's measures show since the adoption date, from quality control's stored
charts: improving (and how long after adoption), or not yet (and how much data there is)."""

import datetime as dt

import pytest
from helpers import make_measure, record

from improvement.spread_support import *  # noqa: F403
from qms.improvement import selectors, services

STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]  # Jan 2024 to Aug 2025
ADOPTED = dt.date(2025, 9, 10)  # in September 2025: that month counts as after the adoption


@pytest.fixture
def adopted(org, published, other_lead):
    improving = make_measure(org["other_ward"], "improving", name="Falls improving")
    flat = make_measure(org["other_ward"], "flat", name="Falls flat")
    for measure in (improving, flat):
        record(measure, STABLE)
    record(improving, [6, 6, 2, 1, 2, 2, 1, 2, 1, 2], start=dt.date(2025, 9, 1))
    record(flat, [6, 5, 6, 7, 5, 6], start=dt.date(2025, 9, 1))
    return services.adoption_create(
        by=other_lead,
        package=published,
        unit=org["other_ward"],
        adopted_on=ADOPTED,
        link_measures=[improving, flat],
    )


def test_it_says_how_long_after_adoption_a_measure_improved(adopted, member):
    page = selectors.adoption_page(member, adopted)
    sentences = {item.measure.name: item.sentence for item in page.row.measures}
    assert sentences["Falls improving"] == (
        "Improving since Nov 2025, 2 months after adoption; held for 8 points."
    )
    assert sentences["Falls flat"] == (
        "No special cause improvement yet: 6 points, 6 months of data since adoption."
    )


def test_it_says_when_there_is_no_data_since_adoption(org, published, other_lead, member):
    old = make_measure(org["other_ward"], "old", name="Falls old")
    record(old, STABLE)
    adoption = services.adoption_create(
        by=other_lead,
        package=published,
        unit=org["other_ward"],
        adopted_on=ADOPTED,
        link_measures=[old],
    )
    (item,) = selectors.adoption_page(member, adoption).row.measures
    assert item.sentence == "No data since adoption yet."
    assert not item.finding.improved
