"""Anonymity of surveys: nothing links a person to their answers (in any table, the admin, a
page or the export), and nothing below the minimum group size shows, directly or by
subtracting a shown total (complementary suppression)."""

import pytest
from django.contrib import admin
from django.db import connection
from django.urls import reverse

from culture.surveys_support import AFTER, answer_rc, rc_run, respondents
from qms.culture.models import SurveyParticipation, SurveyResponse, SurveyRun
from qms.culture.selectors import surveys as selectors
from qms.culture.services import surveys as services

pytestmark = pytest.mark.django_db

GOOD = [5, 5, 4, 5, 5, 4, 5]
POOR = [1, 1, 1, 1, 1, 1, 1]


def _survey(unit, *, pharmacists=2, lead=None, tag=""):
    """Nurses (5) and doctors (5) rate each other well; `pharmacists` rate the doctors
    poorly: fewer than 5, so that cell is suppressed."""
    run = rc_run(unit, by=lead, minimum=5)
    for person in respondents(unit, 5, f"nurse{tag}"):
        answer_rc(run, person, "Nurses", {"Nurses": GOOD, "Doctors": GOOD})
    for person in respondents(unit, 5, f"doctor{tag}"):
        answer_rc(run, person, "Doctors", {"Nurses": GOOD, "Doctors": [4] * 7})
    for person in respondents(unit, pharmacists, f"pharmacist{tag}"):
        answer_rc(run, person, "Pharmacists", {"Doctors": POOR, "Nurses": POOR})
    return run


def _sealed(run):
    services.survey_seal(run=run, today=AFTER)
    return SurveyRun.objects.get(pk=run.pk)


def _every_value_in_the_database(skip_table):
    """Every value of every row of every table but one, as text."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table == skip_table:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            values.extend(str(v) for row in cursor.fetchall() for v in row if v is not None)
    return values


def test_it_keeps_no_trace_of_an_answers_key_outside_its_own_row(org, lead):
    _sealed(_survey(org["ward"], lead=lead))
    keys = {str(pk) for pk in SurveyResponse.objects.values_list("id", flat=True)}
    keys |= {k.replace("-", "") for k in keys}
    found = [v for v in _every_value_in_the_database(SurveyResponse._meta.db_table) if v in keys]
    assert found == []


def test_it_stores_answers_and_participation_with_nothing_in_common_but_the_survey(org):
    response_fields = {f.name for f in SurveyResponse._meta.concrete_fields}
    participation_fields = {f.name for f in SurveyParticipation._meta.concrete_fields}
    assert response_fields == {"id", "run", "workgroup", "scores", "sealed"}
    assert participation_fields == {"id", "run", "person"}
    # no timestamps, no history, random keys (insertion order is not in the key)
    for model in (SurveyResponse, SurveyParticipation):
        assert not any(f.get_internal_type().startswith("Date") for f in model._meta.fields)
        assert model._meta.pk.get_internal_type() == "UUIDField"
        assert not hasattr(model, "history")
        assert not model._meta.ordering
        assert not admin.site.is_registered(model)
    tables = connection.introspection.table_names()
    assert not [t for t in tables if "historicalsurveyresponse" in t]
    assert not [t for t in tables if "historicalsurveyparticipation" in t]


def test_it_writes_the_sealed_answers_in_shuffled_order(org, monkeypatch):
    run = rc_run(org["ward"], minimum=3)
    people = respondents(org["ward"], 4)
    for i, person in enumerate(people):
        answer_rc(run, person, "Nurses", {"Doctors": [i + 1] * 7})
    shuffled = []
    monkeypatch.setattr(services._SHUFFLE, "shuffle", lambda items: shuffled.append(list(items)))
    services.survey_seal(run=run, today=AFTER)
    assert len(shuffled) == 1 and len(shuffled[0]) == 4


def test_it_suppresses_a_small_groups_cells_and_keeps_them_out_of_every_total(org, lead):
    with_small = selectors.results(_sealed(_survey(org["ward"], lead=lead)))
    without = selectors.results(_sealed(_survey(org["other_ward"], pharmacists=0, tag="b")))
    pharmacists = with_small.rows[2]
    assert pharmacists.n is None  # 2 answered: "fewer than 5"
    assert all(cell.mean is None and cell.n is None for cell in pharmacists.cells)
    assert with_small.suppressed_cells == without.suppressed_cells == 5
    # Every total is exactly what it is when the two pharmacists had not answered at all, so
    # none of them lets the hidden answers be worked out.
    assert with_small.index == without.index
    assert [c.mean for c in with_small.columns] == [c.mean for c in without.columns]
    assert [d.mean for d in with_small.dimensions] == [d.mean for d in without.dimensions]
    assert [r.mean for r in with_small.rows] == [r.mean for r in without.rows]
    assert with_small.respondents_shown == without.respondents_shown == 10


def test_it_shows_nothing_below_the_minimum_on_the_page_or_in_the_export(client, org, lead):
    run = _sealed(_survey(org["ward"], lead=lead))
    client.force_login(lead)
    page = client.get(reverse("culture:survey-detail", args=[run.pk])).content.decode()
    export = client.get(reverse("culture:survey-export", args=[run.pk])).content.decode()
    assert "fewer than 5" in page
    assert "Pharmacists,Doctors,fewer than 5" in export
    # the pharmacists' only values (1.00) appear nowhere, in any form
    for text in (page, export):
        assert "1.00" not in text and ",1.0," not in text and ",1," not in text
    # nor does the number of pharmacists who answered
    assert "2 rated" not in page


def test_it_names_no_respondent_on_any_page_or_export(client, org, lead):
    run = _survey(org["ward"], lead=lead)
    client.force_login(lead)
    pages = [
        client.get(reverse("culture:survey-detail", args=[run.pk])),
        client.get(reverse("culture:surveys-unit", args=[org["ward"].pk])),
    ]
    run = _sealed(run)
    pages += [
        client.get(reverse("culture:survey-detail", args=[run.pk])),
        client.get(reverse("culture:survey-export", args=[run.pk])),
        client.get(reverse("culture:surveys-unit", args=[org["ward"].pk])),
        client.get(reverse("control:huddle-board", args=[org["ward"].pk])),
        client.get(reverse("people:record-people", args=["culture.surveyrun", run.pk])),
    ]
    for response in pages:
        assert response.status_code == 200
        text = response.content.decode().lower()
        for name in ("nurse0", "doctor3", "pharmacist1", "Pharmacist1".lower()):
            assert name not in text


def test_it_counts_an_open_survey_without_showing_each_answer(org, lead):
    run = rc_run(org["ward"], by=lead, minimum=5)
    people = respondents(org["ward"], 11)
    seen = []
    for person in people:
        answer_rc(run, person, "Nurses", {"Doctors": GOOD})
        seen.append(selectors.progress(run).at_least)
    assert seen == [None, None, None, None, 5, 5, 5, 5, 5, 10, 10]


def test_it_neither_names_nor_counts_a_persons_answers_on_the_admins_page_deleting_them(
    client, org, admin
):
    from culture.surveys_support import answer_pulse, pulse_run

    run = pulse_run(org["ward"])
    person = respondents(org["ward"], 1)[0]
    answer_pulse(run, person, [4] * 7)
    client.force_login(admin)
    response = client.get(reverse("admin:people_person_delete", args=[person.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Membership" in body  # the page still lists what else goes
    assert "participation" not in body.lower() and "Answered" not in body
    # And deleting the person still deletes that they answered.
    client.post(reverse("admin:people_person_delete", args=[person.pk]), {"post": "yes"})
    assert not SurveyParticipation.objects.filter(run=run).exists()
