"""The survey pages: who may and who may not, bad input, and what the pages say."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from helpers import ANONYMOUS

from culture.surveys_support import group, respondents
from qms.culture.models import SurveyKind, SurveyParticipation, SurveyResponse, SurveyRun
from qms.culture.services import surveys as services

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _run(unit, kind=SurveyKind.PULSE, *, opens=None, closes=None, minimum=3, by=None):
    opens = opens or TODAY - dt.timedelta(days=3)
    closes = closes or TODAY + dt.timedelta(days=3)
    extra = {}
    if kind == SurveyKind.RELATIONAL_COORDINATION:
        extra = {"focal_process": "discharging patients", "workgroups": ["Nurses", "Doctors"]}
    return services.survey_create(
        by=by,
        unit=unit,
        kind=kind,
        title="Spring survey",
        opens_on=opens,
        closes_on=closes,
        minimum_group_size=minimum,
        today=opens,
        **extra,
    )


def _closed_pulse(unit, answers):
    run = _run(unit, opens=TODAY - dt.timedelta(days=10), closes=TODAY - dt.timedelta(days=1))
    # answered while it was open: back-dated through the service's `today`
    for person, seven in zip(respondents(unit, len(answers)), answers, strict=True):
        services.survey_answer(
            by=person, run=run, scores={"pulse": seven}, today=TODAY - dt.timedelta(days=5)
        )
    return run


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("member", 200), ("partner", 403), ("outsider", 404), (ANONYMOUS, 302)],
)
def test_it_shows_a_units_surveys_to_its_staff_only(client, as_user, org, who, status):
    as_user(who)
    _run(org["ward"])
    response = client.get(reverse("culture:surveys-unit", args=[org["ward"].pk]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("member", 200), ("partner", 403), ("outsider", 404), (ANONYMOUS, 302)],
)
def test_it_shows_a_survey_to_its_units_staff_only(client, as_user, org, who, status):
    as_user(who)
    run = _run(org["ward"])
    response = client.get(reverse("culture:survey-detail", args=[run.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("lead", 200), ("member", 403), ("partner", 403), ("outsider", 404)]
)
def test_it_lets_only_runners_plan_a_survey(client, as_user, org, who, status):
    as_user(who)
    response = client.get(reverse("culture:survey-new", args=[org["ward"].pk]))
    assert response.status_code == status


def test_it_plans_a_relational_coordination_survey_from_the_form(client, as_user, org):
    as_user("lead")
    response = client.post(
        reverse("culture:survey-new", args=[org["ward"].pk]),
        {
            "kind": "rc",
            "title": "Discharge teamwork",
            "focal_process": "discharging patients",
            "workgroups": "Nurses\r\nDoctors\r\n\r\nPharmacists",
            "opens_on": TODAY.isoformat(),
            "closes_on": (TODAY + dt.timedelta(days=14)).isoformat(),
            "minimum_group_size": "5",
        },
    )
    run = SurveyRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run.get_absolute_url()
    assert [g.name for g in run.workgroups.all()] == ["Nurses", "Doctors", "Pharmacists"]


@pytest.mark.parametrize(
    "changes",
    [
        {"minimum_group_size": "2"},
        {"minimum_group_size": "99999999999999999999"},
        {"opens_on": "9999-01-01"},
        {"opens_on": "not a date"},
        {"kind": "other"},
        {"workgroups": "Nurses"},
        {"focal_process": ""},
        {"title": ""},
        {"title": "x" * 5000},
    ],
)
def test_it_refuses_a_bad_survey_form_without_saving(client, as_user, org, changes):
    as_user("lead")
    data = {
        "kind": "rc",
        "title": "T",
        "focal_process": "discharge",
        "workgroups": "A\nB",
        "opens_on": TODAY.isoformat(),
        "closes_on": (TODAY + dt.timedelta(days=7)).isoformat(),
        "minimum_group_size": "5",
    }
    response = client.post(
        reverse("culture:survey-new", args=[org["ward"].pk]), {**data, **changes}
    )
    assert response.status_code == 400
    assert not SurveyRun.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("member", 200), ("lead", 200), ("partner", 403), ("outsider", 404)]
)
def test_it_shows_the_questionnaire_to_those_who_may_answer(client, as_user, org, who, status):
    as_user(who)
    run = _run(org["ward"])
    response = client.get(reverse("culture:survey-answer", args=[run.pk]))
    assert response.status_code == status


def test_it_takes_a_pulse_answer_once_from_the_form(client, as_user, org):
    member = as_user("member")
    run = _run(org["ward"])
    url = reverse("culture:survey-answer", args=[run.pk])
    data = {
        key: "5"
        for key in (
            "mistakes",
            "raise_problems",
            "rejecting",
            "risk",
            "asking_help",
            "undermining",
            "skills_valued",
        )
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert SurveyParticipation.objects.filter(person=member).count() == 1
    assert SurveyResponse.objects.get().scores == {"pulse": [5] * 7}
    again = client.post(url, {**data, "risk": "1"}, follow=True)
    assert "already answered" in again.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_it_refuses_a_pulse_with_a_missing_answer(client, as_user, org):
    as_user("member")
    run = _run(org["ward"])
    response = client.post(
        reverse("culture:survey-answer", args=[run.pk]), {"mistakes": "5", "risk": "99"}
    )
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()
    assert not SurveyParticipation.objects.exists()


def test_it_takes_an_rc_answer_rating_some_workgroups(client, as_user, org):
    as_user("member")
    run = _run(org["ward"], SurveyKind.RELATIONAL_COORDINATION)
    nurses, doctors = group(run, "Nurses"), group(run, "Doctors")
    keys = (
        "frequent",
        "timely",
        "accurate",
        "problem_solving",
        "shared_goals",
        "shared_knowledge",
        "mutual_respect",
    )
    data = {"workgroup": str(nurses.pk)}
    data |= {f"g{doctors.pk}_{k}": "4" for k in keys}
    data |= {f"g{nurses.pk}_{k}": "" for k in keys}
    response = client.post(reverse("culture:survey-answer", args=[run.pk]), data)
    assert response.status_code == 302
    assert SurveyResponse.objects.get().scores == {str(doctors.pk): [4] * 7}


@pytest.mark.parametrize(
    "data",
    [
        {},  # no workgroup, nothing rated
        {"workgroup": "999999"},
        {"workgroup": "x"},
        "half",  # a workgroup half rated
        "none",  # own workgroup chosen, nothing rated
    ],
)
def test_it_refuses_a_bad_rc_answer(client, as_user, org, data):
    as_user("member")
    run = _run(org["ward"], SurveyKind.RELATIONAL_COORDINATION)
    doctors = group(run, "Doctors")
    if data == "half":
        data = {"workgroup": str(doctors.pk), f"g{doctors.pk}_frequent": "3"}
    elif data == "none":
        data = {"workgroup": str(doctors.pk)}
    response = client.post(reverse("culture:survey-answer", args=[run.pk]), data)
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_it_sends_back_answers_to_a_closed_survey(client, as_user, org):
    as_user("member")
    run = _run(org["ward"], opens=TODAY - dt.timedelta(days=9), closes=TODAY - dt.timedelta(days=2))
    response = client.post(reverse("culture:survey-answer", args=[run.pk]), {"risk": "5"})
    assert response.status_code == 302
    assert not SurveyResponse.objects.exists()


def test_it_lets_a_lead_close_early_and_not_a_member(client, as_user, org):
    run = _run(org["ward"])
    as_user("member")
    assert client.post(reverse("culture:survey-close", args=[run.pk])).status_code == 403
    as_user("lead")
    assert client.get(reverse("culture:survey-close", args=[run.pk])).status_code == 405
    assert client.post(reverse("culture:survey-close", args=[run.pk])).status_code == 302
    run.refresh_from_db()
    assert run.sealed and run.closes_on < TODAY


def test_it_invites_someone_from_elsewhere_who_then_answers(client, as_user, org, outsider):
    run = _run(org["ward"])
    as_user("lead")
    response = client.post(reverse("culture:survey-invite", args=[run.pk]), {"person": "outsider"})
    assert response.status_code == 302
    client.force_login(outsider)
    assert client.get(reverse("culture:survey-detail", args=[run.pk])).status_code == 200
    assert client.get(reverse("culture:survey-answer", args=[run.pk])).status_code == 200
    # the invitation reaches this survey only, not the unit
    assert client.get(reverse("culture:surveys-unit", args=[org["ward"].pk])).status_code == 404


def test_it_refuses_inviting_an_unknown_person_or_as_a_member(client, as_user, org):
    run = _run(org["ward"])
    as_user("lead")
    response = client.post(reverse("culture:survey-invite", args=[run.pk]), {"person": "nobody"})
    assert response.status_code == 400
    as_user("member")
    response = client.post(reverse("culture:survey-invite", args=[run.pk]), {"person": "lead"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "name", ["culture:survey-detail", "culture:survey-answer", "culture:survey-export"]
)
def test_it_answers_404_for_surveys_that_do_not_exist(client, as_user, org, name):
    as_user("lead")
    for pk in (0, 424242, 2**63 + 5):
        assert client.get(reverse(name, args=[pk])).status_code == 404


def test_it_shows_pulse_results_after_closing_and_exports_them(client, as_user, org):
    run = _closed_pulse(org["ward"], [[4] * 7, [6] * 7, [5] * 7])
    as_user("member")
    page = client.get(reverse("culture:survey-detail", args=[run.pk])).content.decode()
    # Items 1, 3, 5 reversed: person 1 all 4; person 2: 2,6,2,6,2,6,6 = 30/7;
    # person 3: 3,5,3,5,3,5,5 = 29/7
    assert "Psychological safety" in page
    assert f"{(4 + 30 / 7 + 29 / 7) / 3:.2f}" in page
    export = client.get(reverse("culture:survey-export", args=[run.pk]))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    assert "psychological safety score" in export.content.decode()


def test_it_hides_a_pulse_below_the_minimum_on_the_page_and_in_the_export(client, as_user, org):
    run = _closed_pulse(org["ward"], [[1] * 7, [7] * 7])
    as_user("lead")
    page = client.get(reverse("culture:survey-detail", args=[run.pk])).content.decode()
    assert "Fewer than 3 people answered" in page
    export = client.get(reverse("culture:survey-export", args=[run.pk])).content.decode()
    assert "fewer than 3 respondents" in export
    assert (
        "mean as answered" in export
        and "4.0" not in export
        and "psychological safety score" not in export
    )


def test_it_shows_no_results_and_no_export_while_open(client, as_user, org):
    run = _run(org["ward"])
    for person in respondents(org["ward"], 5):
        services.survey_answer(by=person, run=run, scores={"pulse": [5] * 7})
    as_user("lead")
    page = client.get(reverse("culture:survey-detail", args=[run.pk])).content.decode()
    assert "at least 5" in page
    assert "Results show here after" in page
    assert client.get(reverse("culture:survey-export", args=[run.pk])).status_code == 302


def test_it_puts_the_latest_scores_on_the_huddle_board(client, as_user, org):
    _closed_pulse(org["ward"], [[5] * 7] * 3)
    as_user("member")
    page = client.get(reverse("control:huddle-board", args=[org["ward"].pk])).content.decode()
    assert "Relationships: Ward 7" in page
    assert "Psychological safety" in page


def test_it_puts_nothing_on_the_huddle_board_without_a_closed_survey(client, as_user, org):
    _run(org["ward"])
    as_user("member")
    page = client.get(reverse("control:huddle-board", args=[org["ward"].pk])).content.decode()
    assert "Relationships:" not in page


def test_it_lists_surveys_to_answer_on_the_culture_home(client, as_user, org):
    run = _run(org["ward"])
    as_user("member")
    page = client.get(reverse("culture:home")).content.decode()
    assert reverse("culture:survey-answer", args=[run.pk]) in page


@pytest.mark.parametrize(
    "path",
    [
        "/culture/units/99999999999999999999/surveys/",
        "/culture/units/0/surveys/new/",
        "/culture/surveys/99999999999999999999/close/",
        "/culture/surveys/99999999999999999999/invite/",
    ],
)
def test_it_answers_404_for_huge_or_missing_ids(client, as_user, org, path):
    as_user("lead")
    assert client.get(path).status_code in (404, 405)
    assert client.post(path).status_code == 404


def test_it_refuses_an_over_long_invitation_without_a_server_error(client, as_user, org):
    run = _run(org["ward"])
    as_user("lead")
    url = reverse("culture:survey-invite", args=[run.pk])
    assert client.post(url, {"person": "x" * 6000}).status_code == 400
    assert client.post(url, {}).status_code == 400
