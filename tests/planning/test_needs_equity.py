"""The equity gap on built cases (lower better, higher better, no direction, rates with
denominators, proportions with an interval), the equity page and its charts, who sees it, its
fixed queries, and the measure page's link to it."""

import datetime as dt

import pytest
from django.urls import reverse
from helpers import make_measure

from planning.needs_support import *  # noqa: F403
from planning.needs_support import FEB, JAN, SIMD, add_groups
from qms.planning.selectors import needs as selectors


def test_it_reads_the_gap_of_rates_in_the_latest_period(falls):
    gap = selectors.equity_gap(falls)
    assert gap.period == FEB and gap.period_label == "Feb 2025"
    assert (gap.worst, gap.best) == ("1 (most deprived)", "5 (least deprived)")
    assert gap.worst_value == pytest.approx(6.0) and gap.best_value == pytest.approx(2.0)
    assert gap.difference == pytest.approx(4.0) and gap.ratio == pytest.approx(3.0)
    assert gap.groups == 3 and gap.directional and gap.interval is None


def test_it_reads_the_gap_where_higher_is_better_with_an_interval_for_proportions(org):
    measure = make_measure(
        org["ward"], "screened", chart="p", multiply=100, unit_label="%", direction="increase"
    )
    add_groups(
        measure,
        [("Age band", "Under 75", 1, JAN, 56, 70), ("Age band", "75 and over", 2, JAN, 48, 80)],
    )
    gap = selectors.equity_gap(measure)
    assert (gap.worst, gap.best) == ("75 and over", "Under 75")
    assert gap.worst_value == pytest.approx(60.0) and gap.best_value == pytest.approx(80.0)
    assert gap.difference == pytest.approx(-20.0) and gap.gap == pytest.approx(20.0)
    assert gap.ratio == pytest.approx(0.75)
    # Newcombe's interval of 48/80 - 56/70, in percentage points.
    assert gap.interval[0] == pytest.approx(-33.39, abs=0.01)
    assert gap.interval[1] == pytest.approx(-5.24, abs=0.01)


def test_it_reads_plain_values_without_denominators_and_no_direction(org):
    measure = make_measure(org["ward"], "waits", chart="i", direction="neutral")
    add_groups(measure, [("Sex", "Women", 1, JAN, 30, None), ("Sex", "Men", 2, JAN, 42, None)])
    gap = selectors.equity_gap(measure)
    assert not gap.directional
    assert (gap.worst, gap.best, gap.gap) == ("Women", "Men", 12.0)


def test_it_gives_no_gap_without_two_groups(org, falls):
    measure = make_measure(org["ward"], "alone")
    assert selectors.equity_gap(measure) is None
    add_groups(measure, [("Sex", "Women", 1, JAN, 3, None)])
    assert selectors.equity_gap(measure) is None


def test_it_picks_the_widest_gap_of_the_latest_period_across_dimensions(falls):
    add_groups(falls, [("Sex", "Women", 1, FEB, 5, 1000), ("Sex", "Men", 2, FEB, 5.5, 1000)])
    assert selectors.equity_gap(falls).dimension == SIMD


def test_it_reads_many_measures_gaps_in_one_query(org, falls, django_assert_num_queries):
    other = make_measure(org["ward"], "other")
    add_groups(other, [("Sex", "Women", 1, JAN, 1, None), ("Sex", "Men", 2, JAN, 3, None)])
    with django_assert_num_queries(1):
        gaps = selectors.equity_gaps([falls, other])
    assert set(gaps) == {falls.pk, other.pk}


def test_it_builds_a_line_per_group_and_a_gap_chart(falls):
    page = selectors.equity_page(falls)
    (dimension,) = page.dimensions
    assert dimension.groups == ["1 (most deprived)", "3", "5 (least deprived)"]
    spec = dimension.chart
    assert spec["mark"]["type"] == "line"
    assert spec["encoding"]["color"]["sort"] == dimension.groups
    assert "strokeDash" in spec["encoding"] and "shape" in spec["encoding"]  # not colour alone
    assert {"period": "2025-02-01", "label": "Feb 2025", "group": "3", "value": 5.0} in spec[
        "data"
    ]["values"]
    assert "The same values are in the table below" in spec["description"]
    gaps = [p["gap"] for p in dimension.gap_chart["data"]["values"]]
    assert gaps == pytest.approx([4.0, 4.0])  # Jan: 6 - 2; Feb: 6 - 2
    assert [p.label for p in dimension.periods] == ["Feb 2025", "Jan 2025"]
    assert dimension.periods[1].cells[1] is None  # group 3 had no value in January


@pytest.mark.parametrize(
    "who,status", [("member", 200), ("quality_lead", 200), ("partner", 403), ("outsider", 404)]
)
def test_it_shows_the_equity_page_to_those_who_see_the_measure(client, as_user, falls, who, status):
    as_user(who)
    response = client.get(reverse("planning:equity", args=[falls.pk]))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Equity gap in Feb 2025" in page
        assert 'type="application/json"' in page
        assert "Upload values by group" not in page or who == "quality_lead"


def test_it_offers_the_upload_to_needs_editors(client, as_user, falls):
    as_user("lead")
    assert (
        "Upload values by group"
        in client.get(reverse("planning:equity", args=[falls.pk])).content.decode()
    )


def test_it_reads_the_equity_page_in_the_same_queries_whatever_its_size(
    client, as_user, falls, django_assert_max_num_queries
):
    as_user("member")
    url = reverse("planning:equity", args=[falls.pk])
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    periods = [dt.date(2023 + i // 12, i % 12 + 1, 1) for i in range(24)]
    add_groups(
        falls,
        [("Age band", f"Band {g}", g, p, g + 1, 100) for g in range(5) for p in periods],
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_it_links_the_measure_page_to_its_equity_page_only_when_it_has_groups(
    client, as_user, org, falls
):
    plain = make_measure(org["ward"], "plain")
    as_user("member")
    link = reverse("planning:equity", args=[falls.pk])
    assert link in client.get(falls.get_absolute_url()).content.decode()
    page = client.get(plain.get_absolute_url()).content.decode()
    assert "/equity/" not in page
