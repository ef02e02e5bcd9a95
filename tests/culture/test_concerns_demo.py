"""The demo's concerns and reporting culture: eighteen months of issues and concerns on Ward 7
and Ward 15, some anonymous with replies, many closed with feedback; the four measures tracked
on both wards, Ward 15's fall in reporting signalling; a second run adds nothing."""

import random
import time

import pytest
from django.test import TestCase
from django.utils import timezone

from qms.control.models import Signal
from qms.culture.models import ClosingFeedback, Concern, ConcernMessage, ReportingMeasure
from qms.demo import organisation
from qms.demo.culture import concerns, reporting
from qms.issues.models import Issue


@pytest.mark.django_db
def test_it_tells_the_story_of_two_wards_and_adds_nothing_twice():
    organisation.build(random.Random(2026))
    today = timezone.localdate()
    started = time.process_time()
    with TestCase.captureOnCommitCallbacks(execute=True):
        counts = concerns.build(today=today) | reporting.build(today=today)
    seconds = time.process_time() - started
    assert 180 <= counts["issues and concerns raised by staff"] <= 300
    assert counts["anonymous concerns"] >= 30
    assert counts["reporting culture measures"] == 8
    anonymous = Concern.objects.filter(anonymous=True)
    assert not Issue.objects.filter(concern__in=anonymous, created_by__isnull=False).exists()
    assert ConcernMessage.objects.filter(from_raiser=True, author=None).exists()
    assert ClosingFeedback.objects.count() > 50
    raised_15 = ReportingMeasure.objects.get(unit__code="ward-15", kind="raised").measure
    assert Signal.objects.filter(measure=raised_15).exists()
    raised_7 = ReportingMeasure.objects.get(unit__code="ward-7", kind="raised").measure
    assert raised_7.observations.count() == 18
    assert not Signal.objects.filter(measure=raised_7).exists()
    assert seconds < 20, seconds
    assert concerns.build(today=today) == {} and reporting.build(today=today) == {}
    assert ReportingMeasure.objects.count() == 8
