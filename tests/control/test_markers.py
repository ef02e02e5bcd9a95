"""Chart markers: another area's records (a PDSA cycle) on a measure's chart, through a generic
link (control imports nothing of the area), shown on the chart with a link and listed under it."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from helpers import make_measure, record

from qms.control import selectors, services
from qms.control.models import Annotation, MeasureResult, Standard
from qms.issues import services as issue_services

STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]


def _source(code="falls-standard"):
    """Any saved record with a page stands for the area's record (a PDSA cycle)."""
    return Standard.objects.create(
        code=code, title=f"Standard {code}", statement="...", source="Test", scope="national"
    )


def test_it_puts_a_records_markers_on_the_period_containing_each_date(org, measure):
    weekly = make_measure(org["ward"], "weekly", frequency="week")
    source = _source()

    markers = services.chart_markers_set(
        source=source,
        markers=[
            (measure, dt.date(2024, 3, 17), "PDSA 1: hourly rounding"),
            (weekly, dt.date(2024, 3, 14), "PDSA 1: hourly rounding"),  # a Thursday
        ],
    )

    assert [(m.measure, m.period) for m in markers] == [
        (measure, dt.date(2024, 3, 1)),
        (weekly, dt.date(2024, 3, 11)),
    ]
    assert all(m.source == source and m.is_marker for m in markers)


def test_it_replaces_a_records_markers_and_keeps_the_unchanged_ones(org, measure, lead):
    other = make_measure(org["ward"], "other")
    source, neighbour = _source(), _source("another")
    services.chart_markers_set(source=neighbour, markers=[(measure, dt.date(2024, 5, 1), "B")])
    services.annotation_add(by=lead, measure=measure, period=dt.date(2024, 2, 1), text="By hand")
    first = services.chart_markers_set(
        source=source,
        markers=[(measure, dt.date(2024, 3, 1), "A"), (other, dt.date(2024, 3, 1), "A")],
    )
    kept = next(m for m in first if m.measure == measure)

    second = services.chart_markers_set(
        source=source,
        markers=[(measure, dt.date(2024, 3, 9), "A"), (measure, dt.date(2024, 6, 1), "A again")],
    )

    assert kept.pk in {m.pk for m in second}  # the same period and text: the same annotation
    assert sorted((m.measure_id, m.period, m.text) for m in second) == [
        (measure.pk, dt.date(2024, 3, 1), "A"),
        (measure.pk, dt.date(2024, 6, 1), "A again"),
    ]
    assert not Annotation.objects.filter(measure=other).exists()
    # Hand-written notes and other records' markers are left alone.
    assert Annotation.objects.filter(text="By hand", source_type__isnull=True).count() == 1
    assert services.chart_markers_of(neighbour)[0].text == "B"
    # The history keeps the removed marker.
    assert Annotation.history.filter(measure_id=other.pk, history_type="-").count() == 1


def test_it_clears_a_records_markers(measure):
    source = _source()
    services.chart_markers_set(
        source=source,
        markers=[(measure, dt.date(2024, 3, 1), "A"), (measure, dt.date(2024, 4, 1), "B")],
    )

    assert services.chart_markers_clear(source=source) == 2
    assert services.chart_markers_of(source) == []
    assert services.chart_markers_set(source=source, markers=[]) == []


@pytest.mark.parametrize(
    ("markers", "message"),
    [
        ([("measure", dt.date(2024, 3, 1), "")], "needs a text"),
        ([("measure", "2024-03-01", "A")], "is not a date"),
        ([("not a measure", dt.date(2024, 3, 1), "A")], "is not a saved measure"),
    ],
)
def test_it_refuses_bad_markers_and_keeps_the_old_ones(measure, markers, message):
    source = _source()
    services.chart_markers_set(source=source, markers=[(measure, dt.date(2024, 1, 1), "Old")])
    bad = [(measure if m == "measure" else m, day, text) for m, day, text in markers]

    with pytest.raises(ValidationError, match=message):
        services.chart_markers_set(source=source, markers=bad)

    assert [m.text for m in services.chart_markers_of(source)] == ["Old"]


def test_it_refuses_markers_from_an_unsaved_record(measure):
    with pytest.raises(ValidationError, match="saved record"):
        services.chart_markers_set(
            source=Standard(code="x"), markers=[(measure, dt.date(2024, 1, 1), "A")]
        )


def test_it_leaves_the_results_as_they_are(measure):
    record(measure, STABLE)
    before = MeasureResult.objects.get(measure=measure).computed_at

    services.chart_markers_set(source=_source(), markers=[(measure, dt.date(2024, 3, 1), "A")])

    assert MeasureResult.objects.get(measure=measure).computed_at == before
    assert not services.stale_measures().filter(pk=measure.pk).exists()


def _chart(measure) -> dict:
    return json.loads(selectors.measure_page(measure).chart)


def _layer(spec, name):
    return next((layer for layer in spec["layer"] if layer["name"] == name), None)


def test_it_draws_markers_apart_from_annotations_with_a_link_to_their_record(lead, measure):
    record(measure, STABLE)
    source = _source()
    services.annotation_add(by=lead, measure=measure, period=dt.date(2024, 2, 1), text="By hand")
    services.chart_markers_set(
        source=source,
        markers=[
            (measure, dt.date(2024, 3, 1), "PDSA 1: rounding"),
            (measure, dt.date(2024, 3, 5), "PDSA 2: alarms"),  # the same period: stacked
            (measure, dt.date(2030, 1, 1), "Not yet on the chart"),
        ],
    )

    spec = _chart(measure)

    markers = _layer(spec, "markers")
    rows = markers["data"]["values"]
    assert [row["text"] for row in rows] == ["PDSA 1: rounding", "PDSA 2: alarms"]
    assert {row["href"] for row in rows} == {source.get_absolute_url()}
    assert [row["top"] for row in rows] == [6, 18]
    assert markers["encoding"]["href"] == {"field": "href", "type": "nominal"}
    assert markers["mark"]["color"] != _layer(spec, "annotations")["mark"]["color"]
    assert [row["text"] for row in _layer(spec, "annotations")["data"]["values"]] == ["By hand"]
    assert "Green triangles mark tests of change" in str(spec["title"]["subtitle"])


def test_it_changes_the_cached_chart_when_a_marker_changes(measure):
    record(measure, STABLE)
    source = _source()
    services.chart_markers_set(source=source, markers=[(measure, dt.date(2024, 3, 1), "A")])
    assert [r["text"] for r in _layer(_chart(measure), "markers")["data"]["values"]] == ["A"]

    services.chart_markers_set(source=source, markers=[(measure, dt.date(2024, 3, 1), "B")])

    assert [r["text"] for r in _layer(_chart(measure), "markers")["data"]["values"]] == ["B"]
    services.chart_markers_clear(source=source)
    assert _layer(_chart(measure), "markers") is None


def test_it_lists_the_markers_under_the_chart_as_links(client, member, measure):
    record(measure, STABLE)
    source = _source()
    services.chart_markers_set(
        source=source, markers=[(measure, dt.date(2024, 3, 1), "PDSA 1: <rounding>")]
    )
    client.force_login(member)

    html = client.get(measure.get_absolute_url()).content.decode()

    assert "Tests of change on this chart" in html
    assert f'<a href="{source.get_absolute_url()}">PDSA 1: &lt;rounding&gt;</a>' in html
    assert "Mar 2024" in html


def test_it_lists_a_marker_whose_record_is_gone_without_a_link(client, member, measure):
    record(measure, STABLE)
    source = _source()
    services.chart_markers_set(source=source, markers=[(measure, dt.date(2024, 3, 1), "Gone")])
    url = source.get_absolute_url()
    source.delete()
    client.force_login(member)

    page = selectors.measure_page(measure)

    assert [(m.text, m.url) for m in page.markers] == [("Gone", "")]
    assert "href" not in _layer(json.loads(page.chart), "markers")["encoding"]
    assert url not in client.get(measure.get_absolute_url()).content.decode()


def _page_queries(client, measure) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(measure.get_absolute_url())
    assert response.status_code == 200
    return len(captured)


def test_it_reads_a_measure_page_in_the_same_queries_whatever_its_markers(
    client, org, lead, member
):
    few, many = (make_measure(org["ward"], f"measure-{k}") for k in (1, 2))
    for measure in (few, many):
        record(measure, STABLE)
    services.chart_markers_set(source=_source("s0"), markers=[(few, dt.date(2024, 2, 1), "A")])
    for k in range(21):
        # Two kinds of record, as with cycles and prototypes.
        source = (
            _source(f"s{k + 1}")
            if k % 2
            else issue_services.issue_raise(
                by=lead, unit=org["ward"], title=f"Issue {k}", source="other"
            )
        )
        services.chart_markers_set(
            source=source, markers=[(many, dt.date(2024, 1 + k % 12, 1), f"Marker {k}")]
        )
    issue = issue_services.issue_raise(by=lead, unit=org["ward"], title="One issue", source="other")
    services.chart_markers_set(source=issue, markers=[(few, dt.date(2024, 3, 1), "B")])
    client.force_login(member)
    _page_queries(client, few)  # the rows and chart are cached after the first read
    _page_queries(client, many)
    assert _page_queries(client, many) == _page_queries(client, few)


def test_it_draws_markers_on_the_reports_charts_apart_from_annotations(org, lead, measure):
    from qms.control import reports

    record(measure, STABLE)
    services.annotation_add(by=lead, measure=measure, period=dt.date(2024, 2, 1), text="By hand")
    services.chart_markers_set(source=_source(), markers=[(measure, dt.date(2024, 3, 1), "PDSA")])

    (chart,) = reports.chart_inputs(reports.quality_matrix(lead, org["ward"]).measures).values()

    assert chart.annotations == [{"x": "2024-02-01", "text": "By hand"}]
    assert chart.markers == [{"x": "2024-03-01", "text": "PDSA"}]
