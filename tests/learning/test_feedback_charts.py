"""The unit's p charts of negative comments and of themes, counted against a hand count, the
comments behind a point, and a share tracked as a measure kept in step with the feedback."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse

from learning.feedback_support import csv_upload, make_feedback, row
from qms.control.models import Measure, Observation
from qms.learning.models import Feedback, FeedbackMeasure
from qms.learning.selectors import feedback as selectors
from qms.learning.services import feedback as services
from qms.stats import analyse

pytestmark = pytest.mark.django_db

# (day, sentiment, themes): January 4 comments, 2 negative; February none; March 3, 3 negative.
COMMENTS = [
    (dt.date(2025, 1, 2), 5, ["Parking"]),
    (dt.date(2025, 1, 9), 4, ["Parking", "Staff responsiveness"]),
    (dt.date(2025, 1, 20), 1, []),
    (dt.date(2025, 1, 31), 3, ["Staff responsiveness"]),
    (dt.date(2025, 3, 1), 4, ["Parking"]),
    (dt.date(2025, 3, 15), 5, []),
    (dt.date(2025, 3, 31), 4, []),
]


@pytest.fixture
def comments(org):
    for day, sentiment, themes in COMMENTS:
        make_feedback(org["ward"], day, sentiment=sentiment, themes=themes)
    # Below the unit, counted with it; another ward, not counted.
    return org


def test_the_monthly_shares_match_a_hand_count(comments, org):
    make_feedback(org["other_ward"], dt.date(2025, 1, 3), sentiment=5, themes=["Parking"])
    assert selectors.monthly_share(org["ward"]) == [
        (dt.date(2025, 1, 1), 2, 4), (dt.date(2025, 2, 1), 0, 0), (dt.date(2025, 3, 1), 3, 3)
    ]  # fmt: skip
    assert selectors.monthly_share(org["ward"], theme="Parking") == [
        (dt.date(2025, 1, 1), 2, 4), (dt.date(2025, 2, 1), 0, 0), (dt.date(2025, 3, 1), 1, 3)
    ]  # fmt: skip
    # The service above both wards counts both.
    assert selectors.monthly_share(org["service"])[0] == (dt.date(2025, 1, 1), 3, 5)


def test_the_charts_are_p_charts_from_the_same_engine_as_measures(comments, org):
    negative, parking = selectors.share_charts(org["ward"], ["Parking"])
    assert [(r.count, r.total) for r in negative.rows] == [(2, 4), (0, 0), (3, 3)]
    assert negative.rows[0].share == pytest.approx(50.0)
    assert negative.rows[1].share is None  # no comments: a gap, not 0%
    expected = analyse([2, 0, 3], n=[4, 0, 3], chart="p", multiply=100, baseline=20)[0]
    assert negative.rows[0].cl == pytest.approx(float(expected.cl[0]))
    assert negative.rows[0].ucl == pytest.approx(float(expected.ucl[0]))
    assert [(r.count, r.total) for r in parking.rows] == [(2, 4), (0, 0), (1, 3)]
    spec = json.loads(negative.spec)
    points = next(layer for layer in spec["layer"] if layer.get("name") == "points")
    assert points["encoding"]["href"]["field"] == "href"
    assert "month=2025-01" in negative.rows[0].url and "sentiment=negative" in negative.rows[0].url


def test_a_points_link_lists_the_comments_behind_it(client, as_user, comments, org):
    as_user("lead")
    negative = selectors.share_charts(org["ward"], [])[0]
    page = client.get(negative.rows[0].url).content.decode()
    assert "2 comments match the filters" in page
    charts = client.get(reverse("learning:feedback-charts", args=[org["ward"].pk])).content.decode()
    assert negative.rows[0].url.replace("&", "&amp;") in charts  # the table's month link


def test_the_charts_page_charts_a_theme_asked_for(client, as_user, comments, org):
    as_user("lead")
    url = reverse("learning:feedback-charts", args=[org["ward"].pk])
    page = client.get(url, {"theme": "Staff responsiveness"}).content.decode()
    assert "Comments about staff responsiveness" in page
    assert client.get(url, {"theme": "<script>"}).status_code == 200


def _observations(measure):
    return list(
        Observation.objects.filter(measure=measure)
        .order_by("period")
        .values_list("period", "value", "denominator")
    )


def test_a_quality_lead_tracks_the_negative_share_as_a_measure_kept_in_step(
    comments, org, quality_lead, lead
):
    with TestCase.captureOnCommitCallbacks(execute=True):
        tracked = services.feedback_measure_track(by=quality_lead, unit=org["ward"])
    measure = Measure.objects.get(pk=tracked.measure_id)
    assert (measure.unit, measure.chart, measure.frequency) == (org["ward"], "p", "month")
    assert _observations(measure) == [
        (dt.date(2025, 1, 1), 2.0, 4.0), (dt.date(2025, 2, 1), 0.0, 0.0),
        (dt.date(2025, 3, 1), 3.0, 3.0),
    ]  # fmt: skip
    # A correction moves the measure with it.
    first = Feedback.objects.get(received_on=dt.date(2025, 1, 20))
    services.feedback_correct(by=lead, feedback=first, themes=[], sentiment=5)
    assert _observations(measure)[0] == (dt.date(2025, 1, 1), 3.0, 4.0)
    # So does an import, into the unit or a unit below it.
    services.feedback_import_file(
        by=lead, unit=org["ward"], file=csv_upload([row(date="10/02/2025")])
    )
    february = _observations(measure)[1]
    assert february[0] == dt.date(2025, 2, 1) and february[2] == 1.0
    # Tracking again gives the same measure.
    again = services.feedback_measure_track(by=quality_lead, unit=org["ward"])
    assert again.pk == tracked.pk and FeedbackMeasure.objects.count() == 1


def test_a_theme_is_tracked_as_its_own_measure(comments, org, quality_lead):
    tracked = services.feedback_measure_track(by=quality_lead, unit=org["ward"], theme="Parking")
    assert [v for _, v, _ in _observations(tracked.measure)] == [2.0, 0.0, 1.0]
    assert "parking" in tracked.measure.name.lower()


@pytest.mark.parametrize("who", ["lead", "member", "partner", "outsider"])
def test_only_quality_leads_track(comments, org, request, who):
    with pytest.raises(PermissionDenied):
        services.feedback_measure_track(by=request.getfixturevalue(who), unit=org["ward"])
    assert not FeedbackMeasure.objects.exists()


@pytest.mark.parametrize(
    "who, status", [("quality_lead", 302), ("admin", 302), ("lead", 403), ("outsider", 404)]
)
def test_the_track_action_is_for_quality_leads(client, as_user, comments, org, who, status):
    as_user(who)
    response = client.post(reverse("learning:feedback-track", args=[org["ward"].pk]), {"theme": ""})
    assert response.status_code == status
    assert FeedbackMeasure.objects.exists() is (status == 302)
    if status == 302:
        assert response["Location"] == reverse(
            "control:measure-detail", args=[FeedbackMeasure.objects.get().measure_id]
        )
