"""Defects found by trying issue 9 as its users would (the tester's part): dates far outside
any real test of change (year 1, year 9999) on a cycle whose project has a measure with data.
Every page that shows the cycle still opens."""

import datetime as dt

import pytest
from django.test import TestCase
from django.urls import reverse
from helpers import make_measure, record

from improvement.cycles_support import *  # noqa: F403
from qms.improvement import services
from qms.improvement.models import MeasureRole, PdsaCycle


@pytest.fixture
def measured(org, project, lead):
    measure = make_measure(org["ward"], "falls-w", frequency="week")
    record(measure, [5, 6, 5, 4, 6, 5, 5, 6, 4, 5], start=dt.date(2026, 1, 5))
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.project_measure_link(
            by=lead, project=project, measure=measure, role=MeasureRole.OUTCOME
        )
    return measure


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [("0001-01-01", "0001-01-14"), ("9999-12-01", "9999-12-31"), ("1900-01-01", "9999-12-31")],
)
def test_it_refuses_dates_no_test_of_change_has(
    client, as_user, project, change_idea, measured, starts_on, ends_on
):
    as_user("lead")
    url = reverse("improvement:cycle-create", args=[change_idea.pk])
    data = {
        "title": "Rounding",
        "objective": "Try it.",
        "starts_on": starts_on,
        "ends_on": ends_on,
        "prediction_1_question": "",
        "prediction_1": "",
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 400
    assert not PdsaCycle.objects.exists()
    page = response.content.decode()
    assert "Start date: give a date between 1990 and" in page
