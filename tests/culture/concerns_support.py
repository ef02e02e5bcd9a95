"""Shared by the tests of concerns and the reporting culture."""

import datetime as dt

from django.utils import timezone

from qms.culture.services import concerns as services
from qms.issues.models import Issue


def raise_concern(by, unit, *, anonymous=False, title="Night staffing leaves one nurse alone"):
    return services.concern_raise(
        by=by, unit=unit, title=title, description="Twice this week.", anonymous=anonymous
    )


def backdate(issue, day: dt.date):
    """Move an issue (and its history) to a day in the past, as if raised then."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    Issue.objects.filter(pk=issue.pk).update(created_at=moment)
    Issue.history.filter(id=issue.pk).update(history_date=moment)
    issue.refresh_from_db()
    return moment
