"""One person sending their answers twice at the same moment (two tabs, a double click): one
answer is kept, the other is refused; never two answers, never a server error. The race is
forced: each, once its answers are checked, waits (a short while) for the other. PostgreSQL
only: SQLite serialises writers from the start."""

import contextlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from culture.surveys_support import DURING, pulse_run
from qms.culture.models import SurveyParticipation, SurveyResponse
from qms.culture.services import surveys as services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers from BEGIN IMMEDIATE: the race cannot happen there",
    ),
]


def test_it_keeps_one_answer_when_a_person_sends_two_at_once(monkeypatch, org, lead, member):
    run = pulse_run(org["ward"], by=lead)
    barrier = threading.Barrier(2)
    checked = services._checked_scores

    def check_then_wait(*args):
        cleaned = checked(*args)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=1)
        return cleaned

    monkeypatch.setattr(services, "_checked_scores", check_then_wait)
    results = [None, None]

    def answer(index):
        try:
            results[index] = services.survey_answer(
                by=member, run=run, scores={"pulse": [4] * 7}, today=DURING
            )
        except Exception as error:  # the test looks at what each got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(type(r).__name__ for r in results) == ["NoneType", "ValidationError"]
    assert "already answered" in str(next(r for r in results if isinstance(r, ValidationError)))
    assert SurveyResponse.objects.count() == 1
    assert SurveyParticipation.objects.count() == 1
