"""What control tells other areas about improvement after a date (a change tested, a package
adopted), from stored results: none, improvement not sustained, sustained (a run still going,
or new limits with a better centre line)."""

import datetime as dt

import pytest
from django.test import TestCase
from helpers import make_measure, record

from qms.control import services
from qms.control.selectors import improvement_since, measure_charts

STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]  # Jan 2024 to Aug 2025
CHANGE = dt.date(2025, 9, 10)  # a change made in September 2025


@pytest.fixture
def falls(org):
    """A monthly count of falls (fewer is better), 20 stable months before the change."""
    measure = make_measure(org["ward"], "falls")
    record(measure, STABLE)
    return measure


def _after(measure, values):
    record(measure, values, start=dt.date(2025, 9, 1))


def test_it_finds_no_improvement_in_common_cause_variation(falls):
    _after(falls, [6, 5, 6, 7, 5, 6])

    finding = improvement_since([falls.pk], CHANGE)[falls.pk]

    assert finding.has_data and not finding.improved and not finding.holds
    assert finding.first_period is None and finding.held_points == 0
    assert finding.latest_period == dt.date(2026, 2, 1)
    assert finding.centre_before == pytest.approx(sum(STABLE) / 20)
    assert finding.explanation.startswith(
        "Falls falls shows no special cause improvement from Sep 2025 to Feb 2026 (6 points)"
    )


def test_it_finds_improvement_that_has_not_held(falls):
    _after(falls, [2, 1, 2, 2, 1, 2, 1, 6, 7])  # seven low months, then back up

    finding = improvement_since([falls.pk], CHANGE)[falls.pk]

    assert finding.improved and not finding.holds
    assert finding.first_period == dt.date(2025, 9, 1)
    assert (finding.held_since, finding.held_points) == (None, 0)
    assert "but it has not held" in finding.explanation


def test_it_finds_improvement_that_holds_while_the_run_goes_on(falls):
    _after(falls, [2, 1, 2, 2, 1, 2, 1, 2])

    finding = improvement_since([falls.pk], CHANGE)[falls.pk]

    assert finding.improved and finding.holds
    assert finding.first_period == dt.date(2025, 9, 1)
    assert (finding.held_since, finding.held_points) == (dt.date(2025, 9, 1), 8)
    assert finding.latest_period == dt.date(2026, 4, 1)
    assert "and it holds: the latest 8 points, from Sep 2025" in finding.explanation


def test_it_finds_improvement_sustained_into_new_limits(falls, lead):
    _after(falls, [2, 1, 2, 2, 1, 2, 1, 2])
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.phase_start(
            by=lead, measure=falls, starts_on=dt.date(2025, 9, 1), reason="Rounding adopted"
        )
    record(falls, [2, 3, 1], start=dt.date(2026, 5, 1))

    finding = improvement_since([falls.pk], CHANGE)[falls.pk]

    assert finding.improved and finding.holds
    assert (finding.held_since, finding.held_points) == (dt.date(2025, 9, 1), 11)
    assert finding.centre_after < finding.centre_before
    assert "new limits from Sep 2025 have a centre line of" in finding.explanation


def test_it_does_not_count_improvement_before_the_date(falls):
    _after(falls, [2, 1, 2, 2, 1, 2, 1, 2])

    finding = improvement_since([falls.pk], dt.date(2027, 1, 1))[falls.pk]

    assert not finding.improved
    assert "has no data from Jan 2027 yet" in finding.explanation


def test_it_says_when_a_measure_has_no_data_or_no_direction(org, falls):
    empty = make_measure(org["ward"], "empty")
    neither = make_measure(org["ward"], "neither", direction="neutral")
    record(neither, [*STABLE, 1, 1, 1, 1, 1, 1, 1, 1])

    findings = improvement_since([empty.pk, neither.pk], CHANGE)

    assert not findings[empty.pk].has_data
    assert findings[empty.pk].explanation == "Falls empty has no data yet."
    assert not findings[neither.pk].improved
    assert "no direction of improvement" in findings[neither.pk].explanation


def test_it_takes_a_date_per_measure(org, falls):
    _after(falls, [2, 1, 2, 2, 1, 2, 1, 2])

    findings = improvement_since([falls.pk], {falls.pk: dt.date(2026, 6, 1)})

    assert not findings[falls.pk].improved


def _queries(function, *args) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function(*args)
    return len(captured)


def test_it_reads_any_number_of_measures_in_three_queries(org, falls, lead):
    many = [falls]
    for k in range(6):
        measure = make_measure(org["ward"], f"m{k}")
        record(measure, [*STABLE, 2, 1, 2, 2, 1, 2, 1, 2])
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.phase_start(by=lead, measure=measure, starts_on=CHANGE, reason="Change")
        many.append(measure)

    assert _queries(improvement_since, [falls.pk], CHANGE) == 3
    assert _queries(improvement_since, [m.pk for m in many], CHANGE) == 3


def test_it_gives_other_areas_the_stored_charts_with_markers(org, falls, lead):
    empty = make_measure(org["ward"], "empty")
    services.chart_markers_set(
        source=falls.unit, markers=[(falls, dt.date(2024, 3, 1), "A test of change")]
    )

    charts = measure_charts([falls, empty])

    assert [c.measure for c in charts] == [falls, empty]
    assert '"name":"markers"' in charts[0].chart
    assert charts[0].markers[0].text == "A test of change"
    assert charts[0].variation.code == "common_cause"
    assert charts[0].last_label == "Aug 2025"
    assert (charts[1].chart, charts[1].variation.code, charts[1].markers) == ("", "none", [])


def test_it_reads_charts_in_bounded_queries(org, falls):
    measures = [falls]
    for k in range(5):
        measure = make_measure(org["ward"], f"m{k}")
        record(measure, STABLE)
        measures.append(measure)

    assert _queries(measure_charts, measures[:1]) <= 5
    assert _queries(measure_charts, measures) <= 5
    assert _queries(measure_charts, measures) <= 4  # cached: no points read
