"""The demo's feedback: real comments of the bundled file on the demo's units, dated over 18
months, redacted and classified through the import, two tracked measures; a second run adds
nothing."""

import datetime as dt
import random

import pytest
from django.db.models import Max, Min

from qms.demo import organisation
from qms.demo.learning import feedback
from qms.learning.models import Feedback, FeedbackMeasure
from qms.text.feedback import THEMES

TODAY = dt.date(2026, 6, 15)


@pytest.mark.django_db
def test_it_spreads_real_classified_comments_over_the_demo_units_and_adds_nothing_twice():
    organisation.build(random.Random(2026))
    counts = feedback.build(today=TODAY)
    assert 2000 <= counts["feedback comments"] <= 3000
    assert counts["feedback measures"] == 2
    span = Feedback.objects.aggregate(first=Min("received_on"), last=Max("received_on"))
    assert span["last"] <= TODAY and span["first"] >= TODAY - dt.timedelta(days=548)
    assert (TODAY - span["first"]).days > 450
    per_unit = set(Feedback.objects.values_list("unit__code", flat=True))
    assert {"ward-7", "ed", "cmht-north", "dn-north", "ward-24"} <= per_unit
    assert Feedback.objects.filter(unit__code="ward-7").count() >= 150
    sample = Feedback.objects.exclude(model_themes=[])[:50]
    assert sample and all(set(f.model_themes) <= set(THEMES) for f in sample)
    assert Feedback.objects.filter(sentiment__isnull=True).count() == 0
    assert Feedback.objects.filter(rating__isnull=False).count() > 1000
    ward_7 = FeedbackMeasure.objects.get(unit__code="ward-7", theme="")
    assert ward_7.measure.observations.count() >= 17
    again = feedback.build(today=TODAY)
    assert again == counts
