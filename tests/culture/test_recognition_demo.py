"""The demo's recognition: about a hundred over 18 months across the wards, several for Owen
Price (`member`) and for the Ward 7 team, some from the partner, recent ones waiting for Ward
7's lead, two of Owen's private; a second run adds nothing."""

import random

import pytest
from django.utils import timezone

from qms.culture.models import Recognition
from qms.culture.selectors.recognition import recognition_to_pass_on
from qms.demo import organisation
from qms.demo.culture import recognition
from qms.people.models import Person


@pytest.mark.django_db
def test_it_tells_a_story_of_excellence_and_adds_nothing_twice():
    organisation.build(random.Random(2026))
    today = timezone.localdate()
    counts = recognition.build(today=today)
    assert 60 <= counts["recognitions"] <= 120
    ward_7 = Recognition.objects.filter(unit__code="ward-7")
    assert ward_7.filter(recipient__username="member").count() >= 5
    assert ward_7.filter(recipient=None).count() >= 5
    assert ward_7.filter(reported_by__username="partner").count() >= 3
    assert Recognition.objects.filter(recipient__username="member", shown=False).count() >= 1
    assert Recognition.objects.values("unit").distinct().count() >= 8
    assert all(r.themes.exists() for r in ward_7)
    oldest = Recognition.objects.order_by("reported_at").first().reported_at.date()
    assert (today - oldest).days > 365
    assert len(recognition_to_pass_on(Person.objects.get(username="lead"))) >= 3
    assert recognition.build(today=today) == counts
