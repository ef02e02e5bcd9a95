"""The demo's surveys: built once (again adds nothing), Ward 7's two relational coordination
surveys a year apart with one pair suppressed, three pulses rising, and an open pulse that
`member` can answer."""

import random

import pytest
from django.core.management import call_command

from qms.culture.models import SurveyKind, SurveyParticipation, SurveyResponse, SurveyRun
from qms.culture.selectors import surveys as selectors
from qms.demo import organisation
from qms.demo.culture import surveys as demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(db):
    organisation.build(random.Random(2026))
    return demo.build()


def test_it_builds_the_wards_surveys_once(built):
    assert built == {"surveys": 6, "survey answers entered": 115}
    counts = (SurveyRun.objects.count(), SurveyResponse.objects.count())
    assert demo.build()["survey answers entered"] == 0
    assert (SurveyRun.objects.count(), SurveyResponse.objects.count()) == counts


def test_it_suppresses_one_pair_and_shows_the_rest(built):
    runs = SurveyRun.objects.filter(kind=SurveyKind.RELATIONAL_COORDINATION).order_by("closes_on")
    assert len(runs) == 2
    first, second = (selectors.results(run) for run in runs)
    assert first.suppressed_cells == second.suppressed_cells == 1
    assert first.index < second.index
    pharmacists = second.rows[3]
    assert pharmacists.workgroup == "Pharmacists"
    assert pharmacists.cells[2].mean is None  # rated physiotherapists: four of five


def test_it_leaves_an_open_pulse_for_member(built):
    from qms.people.models import Person

    member = Person.objects.get(username="member")
    assert [run.title for run in selectors.answerable(member)] == ["Team pulse, this month"]
    scores = [p.score for p in selectors.trend(SurveyRun.objects.first().unit, SurveyKind.PULSE)]
    assert len(scores) == 3 and scores == sorted(scores)
    assert SurveyParticipation.objects.count() == 3


def test_it_seals_closed_surveys_from_the_command(org, lead, capsys):
    from culture.surveys_support import pulse_run

    pulse_run(org["ward"], by=lead)
    call_command("seal-surveys")
    assert "1 closed survey sealed" in capsys.readouterr().out
    assert SurveyRun.objects.get().sealed
