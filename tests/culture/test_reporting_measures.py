"""The reporting culture's four series, by hand for a small case, and as control measures that
signal when reporting falls."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.utils import timezone
from helpers import months

from culture.concerns_support import backdate, raise_concern
from qms.comments import services as comments
from qms.comments.models import Comment
from qms.control.models import Observation, Signal
from qms.culture.models import ConcernMessage, ReportingMeasure
from qms.culture.selectors import reporting as selectors
from qms.culture.services import concerns as concern_services
from qms.culture.services import reporting as services
from qms.issues import services as issue_services
from qms.issues.models import Issue

TODAY = dt.date(2026, 4, 15)
JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)


def _at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def small_case(member, lead, org):
    """January: A and B raised by the member (a team member), C an anonymous concern; February:
    D raised by the lead (not front line). A is answered by the lead's comment after 2 days, B
    by a change of status after 4 (the member's own comment after 1 day does not count), C by
    a reply after 1 day. A and B are closed in February, A with feedback."""
    ward = org["ward"]
    a = issue_services.issue_raise(by=member, unit=ward, title="A", source="other", owner=lead)
    b = issue_services.issue_raise(by=member, unit=ward, title="B", source="other", owner=lead)
    c = raise_concern(member, ward, anonymous=True)[0]
    d = issue_services.issue_raise(by=lead, unit=ward, title="D", source="other")
    for issue, day in (
        (a, dt.date(2026, 1, 5)),
        (b, dt.date(2026, 1, 12)),
        (d, dt.date(2026, 2, 3)),
    ):
        backdate(issue, day)
    backdate(c.issue, dt.date(2026, 1, 20))
    comment = comments.comment_add(by=lead, subject=a, text="On it.")
    Comment.objects.filter(pk=comment.pk).update(created_at=_at(dt.date(2026, 1, 7)))
    own = comments.comment_add(by=member, subject=b, text="Still happening.")
    Comment.objects.filter(pk=own.pk).update(created_at=_at(dt.date(2026, 1, 13)))
    issue_services.issue_update(by=lead, issue=b, status="in_progress")
    Issue.history.filter(id=b.pk, history_type="~").update(history_date=_at(dt.date(2026, 1, 16)))
    reply = concern_services.concern_reply(by=lead, concern=c, text="Thank you.")
    ConcernMessage.objects.filter(pk=reply.pk).update(written_at=_at(dt.date(2026, 1, 21)))
    concern_services.issue_close_with_feedback(by=lead, issue=a, note="Fixed.")
    issue_services.issue_close(by=lead, issue=Issue.objects.get(pk=b.pk), note="Fixed.")
    Issue.objects.filter(pk__in=[a.pk, b.pk]).update(closed_at=_at(dt.date(2026, 2, 10)))
    return org["ward"]


def _values(points):
    return [(p.month, p.value, p.denominator) for p in points]


def test_it_counts_issues_and_concerns_raised_per_month(small_case):
    assert _values(selectors.raised_per_month(small_case, today=TODAY)) == [
        (JAN, 3.0, None),
        (FEB, 1.0, None),
        (MAR, 0.0, None),
    ]


def test_it_shares_raised_by_front_line_staff_leaving_anonymous_ones_out(small_case):
    assert _values(selectors.front_line_share(small_case, today=TODAY)) == [
        (JAN, 2.0, 2.0),
        (FEB, 0.0, 1.0),
    ]


def test_it_takes_the_median_days_to_a_first_response_by_someone_else(small_case):
    # January: A 2 days, B 4 days (not 1: that comment was the raiser's own), C 1 day.
    assert _values(selectors.days_to_first_response(small_case, today=TODAY)) == [
        (JAN, pytest.approx(2.0), None),
    ]


def test_it_shares_closed_with_feedback(small_case):
    assert _values(selectors.closed_with_feedback(small_case, today=TODAY)) == [
        (FEB, 1.0, 2.0),
    ]


def test_it_leaves_the_current_month_out(small_case):
    assert selectors.raised_per_month(small_case, today=dt.date(2026, 1, 31)) == []


def test_it_tracks_the_four_measures_once(small_case, quality_lead):
    tracked = services.reporting_culture_track(by=quality_lead, unit=small_case)
    assert {t.kind for t in tracked} == {"raised", "front_line", "first_response", "feedback"}
    assert services.reporting_culture_track(by=quality_lead, unit=small_case) == tracked
    assert ReportingMeasure.objects.count() == 4
    raised = next(t.measure for t in tracked if t.kind == "raised")
    assert (raised.chart, raised.direction, raised.frequency) == ("c", "increase", "month")
    assert Observation.objects.filter(measure=raised).exists()


def test_it_lets_only_quality_leads_track(small_case, lead, member, outsider):
    for person in (lead, member, outsider):
        with pytest.raises(PermissionDenied):
            services.reporting_culture_track(by=person, unit=small_case)
    assert not ReportingMeasure.objects.exists()


def test_it_signals_when_reporting_falls(member, quality_lead, org):
    """Twelve months of 6 to 8 a month, then three with none: a special cause of concern."""
    ward = org["ward"]
    this_month = timezone.localdate().replace(day=1)
    start = dt.date(this_month.year - 2, this_month.month, 1)
    for index, month in enumerate(months(start, 24)[-15:-3]):
        for day in range(6 + index % 3):
            issue = issue_services.issue_raise(
                by=member, unit=ward, title=f"Issue {index}-{day}", source="other"
            )
            backdate(issue, month + dt.timedelta(days=day))
    with TestCase.captureOnCommitCallbacks(execute=True):
        tracked = services.reporting_culture_track(by=quality_lead, unit=ward)
    raised = next(t.measure for t in tracked if t.kind == "raised")
    values = list(raised.observations.order_by("period").values_list("value", flat=True))
    assert values[-3:] == [0.0, 0.0, 0.0] and len(values) == 15
    assert Signal.objects.filter(measure=raised).exists()
