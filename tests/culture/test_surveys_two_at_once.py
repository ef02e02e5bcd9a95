"""One person sending their answers twice at the same moment (two tabs, a double click): one
answer is kept, the other is refused; never two answers, never a server error. The race is
forced: each, once its answers are checked, waits (a short while) for the other. PostgreSQL
only: SQLite serialises writers from the start."""

import threading

from django.core.exceptions import ValidationError
from helpers import RACES, race, wait_after

from culture.surveys_support import DURING, pulse_run
from qms.culture.models import SurveyParticipation, SurveyResponse
from qms.culture.services import surveys as services

pytestmark = RACES


def test_it_keeps_one_answer_when_a_person_sends_two_at_once(monkeypatch, org, lead, member):
    run = pulse_run(org["ward"], by=lead)
    wait_after(monkeypatch, services, "_checked_scores", threading.Barrier(2))

    def answer():
        return services.survey_answer(by=member, run=run, scores={"pulse": [4] * 7}, today=DURING)

    results = race([answer, answer])
    assert sorted(type(r).__name__ for r in results) == ["NoneType", "ValidationError"]
    assert "already answered" in str(next(r for r in results if isinstance(r, ValidationError)))
    assert SurveyResponse.objects.count() == 1
    assert SurveyParticipation.objects.count() == 1
