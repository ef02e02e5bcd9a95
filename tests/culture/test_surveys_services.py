"""Running, answering, closing and sealing surveys: who may, what is refused, and scoring
worked out by hand."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from culture.surveys_support import (
    AFTER,
    CLOSES,
    DURING,
    OPENS,
    answer_pulse,
    answer_rc,
    group,
    pulse_run,
    rc_run,
    respondents,
)
from qms.culture import instruments
from qms.culture.models import SurveyKind, SurveyParticipation, SurveyResponse, SurveyRun
from qms.culture.selectors import surveys as selectors
from qms.culture.services import surveys as services

pytestmark = pytest.mark.django_db


def test_it_lets_a_lead_run_a_relational_coordination_survey(org, lead):
    run = rc_run(org["ward"], by=lead)
    assert run.kind == SurveyKind.RELATIONAL_COORDINATION
    assert [g.name for g in run.workgroups.all()] == ["Nurses", "Doctors", "Pharmacists"]
    assert run.history.first().history_user == lead


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_refuses_to_let_others_run_a_survey(org, request, who):
    with pytest.raises(PermissionDenied):
        rc_run(org["ward"], by=request.getfixturevalue(who))
    assert not SurveyRun.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"minimum": 2}, "minimum_group_size"),
        ({"workgroups": ["Nurses"]}, "workgroups"),
        ({"workgroups": ["Nurses", " nurses "]}, "workgroups"),
        ({"workgroups": [f"G{i}" for i in range(13)]}, "workgroups"),
        ({"closes": OPENS - dt.timedelta(days=1)}, "closes_on"),
        ({"closes": OPENS + dt.timedelta(days=200)}, "closes_on"),
    ],
)
def test_it_refuses_a_bad_survey_naming_the_field(org, lead, changes, field):
    with pytest.raises(ValidationError) as refused:
        rc_run(org["ward"], by=lead, **changes)
    assert field in refused.value.error_dict
    assert not SurveyRun.objects.exists()


def test_it_refuses_a_pulse_with_workgroups_and_rc_without_a_process(org, lead):
    with pytest.raises(ValidationError):
        services.survey_create(
            by=lead,
            unit=org["ward"],
            kind=SurveyKind.PULSE,
            title="P",
            workgroups=["A", "B"],
            opens_on=OPENS,
            closes_on=CLOSES,
            today=OPENS,
        )
    with pytest.raises(ValidationError) as refused:
        services.survey_create(
            by=lead,
            unit=org["ward"],
            kind="rc",
            title="R",
            workgroups=["A", "B"],
            focal_process="  ",
            opens_on=OPENS,
            closes_on=CLOSES,
            today=OPENS,
        )
    assert "focal_process" in refused.value.error_dict


def test_it_stores_an_answer_without_the_person(org, lead, member):
    run = rc_run(org["ward"], by=lead)
    answer_rc(run, member, "Nurses", {"Doctors": [4] * 7})
    response = SurveyResponse.objects.get()
    field_names = {f.name for f in SurveyResponse._meta.get_fields()}
    assert field_names == {"id", "run", "workgroup", "scores", "sealed"}
    assert response.scores == {str(group(run, "Doctors").pk): [4] * 7}
    assert SurveyParticipation.objects.filter(run=run, person=member).exists()
    assert not hasattr(SurveyResponse, "history")


def test_it_refuses_a_second_answer(org, lead, member):
    run = pulse_run(org["ward"], by=lead)
    answer_pulse(run, member, [4] * 7)
    with pytest.raises(ValidationError, match="already answered"):
        answer_pulse(run, member, [5] * 7)
    assert SurveyResponse.objects.count() == 1


@pytest.mark.parametrize("day", [OPENS - dt.timedelta(days=1), AFTER])
def test_it_refuses_an_answer_outside_the_open_days(org, lead, member, day):
    run = pulse_run(org["ward"], by=lead)
    with pytest.raises(ValidationError, match="not open"):
        answer_pulse(run, member, [4] * 7, today=day)
    assert not SurveyParticipation.objects.exists()


@pytest.mark.parametrize("who", ["partner", "outsider"])
def test_it_refuses_answers_from_those_not_asked(org, lead, request, who):
    run = pulse_run(org["ward"], by=lead)
    with pytest.raises(PermissionDenied):
        answer_pulse(run, request.getfixturevalue(who), [4] * 7)


@pytest.mark.parametrize(
    "scores",
    [
        {"pulse": [4] * 6},
        {"pulse": [4] * 6 + [8]},
        {"pulse": [4] * 6 + [0]},
        {"pulse": ["4"] * 7},
        {"pulse": [4.0] * 7},
        {"pulse": [True] * 7},
        {"pulse": [4] * 7, "other": [4] * 7},
        {},
        [],
    ],
)
def test_it_refuses_incomplete_or_bad_pulse_answers(org, lead, member, scores):
    run = pulse_run(org["ward"], by=lead)
    with pytest.raises(ValidationError):
        services.survey_answer(by=member, run=run, scores=scores, today=DURING)
    assert not SurveyParticipation.objects.exists()
    assert not SurveyResponse.objects.exists()


def test_it_refuses_rc_answers_for_another_surveys_workgroup(org, lead, member):
    run = rc_run(org["ward"], by=lead)
    other = rc_run(org["ward"], by=lead)
    with pytest.raises(ValidationError):
        services.survey_answer(
            by=member,
            run=run,
            workgroup=group(other, "Nurses"),
            scores={str(group(run, "Doctors").pk): [4] * 7},
            today=DURING,
        )
    with pytest.raises(ValidationError):
        services.survey_answer(
            by=member,
            run=run,
            workgroup=group(run, "Nurses"),
            scores={str(group(other, "Doctors").pk): [4] * 7},
            today=DURING,
        )
    assert not SurveyResponse.objects.exists()


def test_it_lets_an_invited_person_from_elsewhere_answer(org, lead, outsider):
    run = rc_run(org["ward"], by=lead)
    services.survey_invite(by=lead, run=run, person=outsider)
    answer_rc(run, outsider, "Pharmacists", {"Nurses": [5] * 7})
    assert SurveyResponse.objects.count() == 1
    assert selectors.answerable(outsider, today=DURING) == []


def test_it_scores_the_pulse_by_hand_reversing_three_items(org, lead):
    run = pulse_run(org["ward"], by=lead, minimum=3)
    people = respondents(org["ward"], 3)
    # Person 1: items 1, 3, 5 reversed (8 - 2 = 6, 8 - 1 = 7, 8 - 3 = 5); mean of
    # 6, 6, 7, 5, 5, 6, 7 = 42 / 7 = 6.0
    answer_pulse(run, people[0], [2, 6, 1, 5, 3, 6, 7])
    # Person 2: 8-7=1, 1, 8-7=1, 1, 8-7=1, 1, 1: all 1.0
    answer_pulse(run, people[1], [7, 1, 7, 1, 7, 1, 1])
    # Person 3: all 4 stays 4.0
    answer_pulse(run, people[2], [4] * 7)
    services.survey_seal(run=run, today=AFTER)
    result = selectors.results(SurveyRun.objects.get(pk=run.pk))
    assert result.n == 3
    assert result.score == pytest.approx((6.0 + 1.0 + 4.0) / 3)
    # Items are shown as answered: item 1's mean is (2 + 7 + 4) / 3
    assert result.items[0].mean == pytest.approx(13 / 3)
    assert instruments.pulse_score([1, 7, 1, 7, 1, 7, 7]) == 7.0


def test_it_scores_relational_coordination_by_hand(org, lead):
    run = rc_run(org["ward"], by=lead, minimum=3)
    nurses = respondents(org["ward"], 3, "nurse")
    for person, scores in zip(
        nurses, ([5, 5, 5, 5, 5, 5, 5], [4, 4, 4, 4, 4, 4, 4], [1, 2, 3, 4, 5, 4, 2]), strict=True
    ):
        answer_rc(run, person, "Nurses", {"Doctors": scores})
    services.survey_seal(run=run, today=AFTER)
    result = selectors.results(SurveyRun.objects.get(pk=run.pk))
    cell = result.rows[0].cells[1]
    # Indexes 5, 4 and 21 / 7 = 3: mean 4.0, moderate (3.5 to 4.0)
    assert cell.n == 3
    assert cell.mean == pytest.approx(4.0)
    assert cell.band == "moderate"
    assert cell.dimensions[0] == pytest.approx((5 + 4 + 1) / 3)
    assert result.index == pytest.approx(4.0)
    assert instruments.band(3.49) == "weak"
    assert instruments.band(4.01) == "strong"


def test_it_shows_no_results_while_open_and_seals_after(org, lead):
    run = pulse_run(org["ward"], by=lead, minimum=3)
    for person in respondents(org["ward"], 3):
        answer_pulse(run, person, [5] * 7)
    assert selectors.results(run) is None
    services.survey_seal(run=run, today=DURING)  # not closed yet: nothing happens
    assert selectors.results(SurveyRun.objects.get(pk=run.pk)) is None
    assert services.surveys_seal_closed(today=AFTER) == 1
    assert selectors.results(SurveyRun.objects.get(pk=run.pk)).n == 3


def test_it_gives_every_answer_a_new_key_when_sealed(org, lead):
    run = pulse_run(org["ward"], by=lead, minimum=3)
    for person in respondents(org["ward"], 4):
        answer_pulse(run, person, [5] * 7)
    before = set(SurveyResponse.objects.values_list("id", flat=True))
    services.survey_seal(run=run, today=AFTER)
    after = set(SurveyResponse.objects.values_list("id", flat=True))
    assert len(after) == 4
    assert not before & after
    assert not SurveyResponse.objects.filter(sealed=False).exists()


def test_it_lets_a_lead_close_early_and_refuses_a_member(org, lead, member):
    run = pulse_run(org["ward"], by=lead)
    with pytest.raises(PermissionDenied):
        services.survey_close(by=member, run=run, today=DURING)
    services.survey_close(by=lead, run=run, today=DURING)
    run.refresh_from_db()
    assert run.closes_on == DURING - dt.timedelta(days=1)
    assert run.sealed
    with pytest.raises(ValidationError, match="not open"):
        answer_pulse(run, member, [4] * 7)
    with pytest.raises(ValidationError, match="already closed"):
        services.survey_close(by=lead, run=run, today=DURING)


def test_it_counts_an_open_survey_only_in_steps_once_at_the_minimum(org, lead):
    run = pulse_run(org["ward"], by=lead, minimum=5)
    people = respondents(org["ward"], 8)
    for person in people[:4]:
        answer_pulse(run, person, [4] * 7)
    assert selectors.progress(run).at_least is None
    for person in people[4:]:
        answer_pulse(run, person, [4] * 7)
    assert selectors.progress(run).at_least == 5  # 8 answered: shown as "at least 5"


def test_it_enters_answers_collected_on_paper_all_or_nothing(org, lead, member):
    run = rc_run(org["ward"], by=lead)
    good = ("Nurses", {"Doctors": [4] * 7})
    with pytest.raises(PermissionDenied):
        services.survey_answers_enter(by=member, run=run, answers=[good], today=DURING)
    for bad in (
        ("Porters", {"Doctors": [4] * 7}),
        ("Nurses", {"Porters": [4] * 7}),
        ("Nurses", {"Doctors": [4] * 6}),
        ("Nurses", {}),
    ):
        with pytest.raises(ValidationError, match="Answer 2"):
            services.survey_answers_enter(by=lead, run=run, answers=[good, bad], today=DURING)
    assert not SurveyResponse.objects.exists()
    assert services.survey_answers_enter(by=lead, run=run, answers=[good] * 3, today=DURING) == 3
    assert not SurveyParticipation.objects.exists()  # paper answers name no one
    services.survey_seal(run=run, today=AFTER)
    with pytest.raises(ValidationError, match="sealed"):
        services.survey_answers_enter(by=lead, run=run, answers=[good], today=AFTER)
    assert SurveyResponse.objects.count() == 3


def test_it_reads_results_and_trends_in_the_same_queries_whatever_the_answers(
    org, lead, django_assert_max_num_queries
):
    def survey(count):
        run = rc_run(org["ward"], by=lead, minimum=3)
        answer = ("Nurses", {"Nurses": [4] * 7, "Doctors": [5] * 7, "Pharmacists": [3] * 7})
        services.survey_answers_enter(by=lead, run=run, answers=[answer] * count, today=DURING)
        return services.survey_seal(run=run, today=AFTER)

    small = survey(3)
    with django_assert_max_num_queries(2):
        selectors.results(small)
    large = survey(300)
    with django_assert_max_num_queries(2):
        selectors.results(large)
    with django_assert_max_num_queries(3):
        selectors.trend(org["ward"], SurveyKind.RELATIONAL_COORDINATION)
    with django_assert_max_num_queries(3):
        selectors.panel(selectors.closed_runs(org["ward"], today=AFTER))


def test_it_reads_each_pairs_trend_in_the_same_queries_whatever_the_surveys(
    org, lead, django_assert_max_num_queries
):
    answer = ("Nurses", {"Nurses": [4] * 7, "Doctors": [5] * 7})
    for count in (1, 6):
        while SurveyRun.objects.count() < count:
            run = rc_run(org["ward"], by=lead, minimum=3)
            services.survey_answers_enter(by=lead, run=run, answers=[answer] * 3, today=DURING)
            services.survey_seal(run=run, today=AFTER)
        with django_assert_max_num_queries(3):
            rows = selectors.tie_trend(org["ward"])
        assert len(rows) == 2 * count
