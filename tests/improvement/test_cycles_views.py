"""PDSA cycle pages: who may read and who may write, the forms of each stage, bad input."""

import datetime as dt

import pytest
from django.urls import reverse
from helpers import ANONYMOUS

from improvement.cycles_support import *  # noqa: F403
from improvement.cycles_support import START, plan
from qms.improvement import services
from qms.improvement.models import CycleStage, PdsaCycle

READERS = ["lead", "coach", "teammate", "team_partner", "member", "quality_lead"]
TEAM = ["lead", "coach", "teammate", "team_partner", "quality_lead"]


def _pages(cycle):
    return {
        "ramp": reverse("improvement:ramp", args=[cycle.change_idea_id]),
        "detail": reverse("improvement:cycle-detail", args=[cycle.pk]),
    }


def _forms(cycle):
    return [
        reverse("improvement:cycle-create", args=[cycle.change_idea_id]),
        *(
            reverse(f"improvement:cycle-{name}", args=[cycle.pk])
            for name in ("plan", "do", "study", "act", "remove")
        ),
    ]


# Who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_the_team_and_the_unit_s_staff_read_the_ramp_and_the_cycle(client, as_user, cycle, who):
    as_user(who)
    for url in _pages(cycle).values():
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Rounding on one bay" in response.content.decode()


def test_an_outsider_does_not_find_cycles(client, as_user, cycle):
    as_user("outsider")
    for url in [*_pages(cycle).values(), *_forms(cycle)]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"title": "x"}).status_code == 404, url


def test_a_partner_of_the_unit_not_on_the_project_is_refused(client, as_user, cycle):
    # The core answers 403 to someone with a role in the unit who lacks the one needed.
    as_user("partner")
    for url in [*_pages(cycle).values(), *_forms(cycle)]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"title": "x"}).status_code == 403, url
    assert PdsaCycle.objects.get(pk=cycle.pk).title == "Rounding on one bay"


def test_no_one_logged_in_is_sent_to_log_in(client, as_user, cycle):
    as_user(ANONYMOUS)
    for url in [*_pages(cycle).values(), *_forms(cycle)]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


@pytest.mark.parametrize("who", TEAM)
def test_the_team_opens_every_form(client, as_user, cycle, who):
    as_user(who)
    for url in _forms(cycle):
        assert client.get(url).status_code == 200, url
    page = client.get(_pages(cycle)["detail"]).content.decode()
    assert reverse("improvement:cycle-do", args=[cycle.pk]) in page


def test_a_unit_member_not_on_the_team_reads_only(client, as_user, cycle):
    as_user("member")
    for url in _forms(cycle):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"what_happened": "x", "move_on": "1"}).status_code == 403, url
    page = client.get(_pages(cycle)["detail"]).content.decode()
    assert reverse("improvement:cycle-do", args=[cycle.pk]) not in page
    ramp = client.get(_pages(cycle)["ramp"]).content.decode()
    assert reverse("improvement:cycle-create", args=[cycle.change_idea_id]) not in ramp
    assert PdsaCycle.objects.get(pk=cycle.pk).stage == CycleStage.PLAN


def test_a_ramp_is_only_of_a_change_idea(client, as_user, project):
    as_user("lead")
    driver = project.nodes.get(kind="primary")
    assert client.get(reverse("improvement:ramp", args=[driver.pk])).status_code == 404


# Plan -------------------------------------------------------------------------------------------


def _plan_data(**fields):
    data = {
        "title": "Rounding on bay 2",
        "objective": "Try hourly rounds on bay 2.",
        "starts_on": "2026-03-02",
        "ends_on": "2026-03-16",
        "prediction_1_question": "Will falls drop?",
        "prediction_1": "No falls on bay 2.",
        "prediction_2_question": "",
        "prediction_2": "",
    }
    return {**data, **fields}


def test_it_plans_a_cycle_from_the_ramp(client, as_user, change_idea, teammate):
    as_user("teammate")
    url = reverse("improvement:cycle-create", args=[change_idea.pk])
    response = client.post(url, _plan_data(owner=teammate.pk))
    cycle = PdsaCycle.objects.get()
    assert response.status_code == 302 and response["Location"] == cycle.get_absolute_url()
    assert (cycle.number, cycle.owner, cycle.created_by) == (1, teammate, teammate)
    assert [p.prediction for p in cycle.predictions.all()] == ["No falls on bay 2."]
    ramp = client.get(reverse("improvement:ramp", args=[change_idea.pk])).content.decode()
    assert "PDSA 1: Rounding on bay 2" in ramp


def test_it_says_the_end_is_before_the_start_and_saves_nothing(client, as_user, change_idea):
    as_user("lead")
    url = reverse("improvement:cycle-create", args=[change_idea.pk])
    response = client.post(url, _plan_data(ends_on="2026-03-01"))
    assert response.status_code == 400
    assert "cannot end (01 Mar 2026) before it starts (02 Mar 2026)" in response.content.decode()
    assert not PdsaCycle.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "This field is required"),
        ({"starts_on": "next week"}, "Enter the start date as a date"),
        ({"prediction_1": "", "prediction_1_question": "Will falls drop?"}, "say what you predict"),
        ({"objective": "NHS 943 476 5919"}, "NHS or CHI number"),
    ],
)
def test_it_refuses_bad_plans_naming_the_problem(client, as_user, change_idea, data, message):
    as_user("lead")
    url = reverse("improvement:cycle-create", args=[change_idea.pk])
    response = client.post(url, _plan_data(**data))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PdsaCycle.objects.exists()


def test_it_changes_the_plan_and_starts_the_test(client, as_user, cycle):
    as_user("lead")
    first, second = cycle.predictions.all()
    url = reverse("improvement:cycle-plan", args=[cycle.pk])
    data = _plan_data(
        prediction_1_id=first.pk,
        prediction_1_question=first.question,
        prediction_1="Fewer than 2 falls.",
        prediction_2_id=second.pk,
        prediction_2_question="",
        prediction_2="",
        move_on="1",
    )
    response = client.post(url, data)
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.stage, cycle.title) == (CycleStage.DO, "Rounding on bay 2")
    assert [(p.pk, p.prediction) for p in cycle.predictions.all()] == [
        (first.pk, "Fewer than 2 falls.")
    ]


def test_it_refuses_a_prediction_of_another_cycle_in_the_plan(client, as_user, cycle, other_idea):
    as_user("lead")
    other = services.cycle_create(by=None, change_idea=other_idea, **plan())
    stranger = other.predictions.first()
    url = reverse("improvement:cycle-plan", args=[cycle.pk])
    response = client.post(url, _plan_data(prediction_1_id=stranger.pk, prediction_1="Mine now"))
    assert response.status_code == 400
    assert "not this cycle" in response.content.decode()
    stranger.refresh_from_db()
    assert stranger.prediction == "No falls on bay 1 in two weeks."


# Do, Study, Act ---------------------------------------------------------------------------------


def test_a_partner_on_the_team_records_do_and_study(client, as_user, cycle):
    as_user("team_partner")
    do = reverse("improvement:cycle-do", args=[cycle.pk])
    assert (
        client.post(do, {"what_happened": "Rounds done", "observations": "Calm"}).status_code == 302
    )
    cycle.refresh_from_db()
    assert cycle.stage == CycleStage.DO  # saved as a draft
    client.post(do, {"what_happened": "Rounds done", "observations": "Calm", "move_on": "1"})
    cycle.refresh_from_db()
    assert cycle.stage == CycleStage.STUDY
    first, second = cycle.predictions.all()
    study = reverse("improvement:cycle-study", args=[cycle.pk])
    page = client.get(study).content.decode()
    assert "No falls on bay 1 in two weeks." in page and "Charts of the measures" in page
    response = client.post(
        study,
        {
            "study_summary": "Rounds helped.",
            f"result_{first.pk}": "No falls",
            f"outcome_{first.pk}": "met",
            f"result_{second.pk}": "80% of rounds",
            f"outcome_{second.pk}": "partly",
            "move_on": "1",
        },
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.stage == CycleStage.ACT
    assert [(p.result, p.outcome) for p in cycle.predictions.all()] == [
        ("No falls", "met"),
        ("80% of rounds", "partly"),
    ]


def test_study_names_the_prediction_without_an_outcome(client, as_user, cycle, lead):
    services.cycle_do(by=lead, cycle=cycle, what_happened="Rounds", observations="")
    as_user("lead")
    first = cycle.predictions.first()
    response = client.post(
        reverse("improvement:cycle-study", args=[cycle.pk]),
        {"study_summary": "x", f"outcome_{first.pk}": "met", "move_on": "1"},
    )
    assert response.status_code == 400
    assert "prediction 2" in response.content.decode()
    assert PdsaCycle.objects.get(pk=cycle.pk).stage == CycleStage.STUDY


def _to_act(cycle, by):
    services.cycle_do(by=by, cycle=cycle, what_happened="Rounds", observations="")
    results = {p.pk: ("ok", "met") for p in cycle.predictions.all()}
    services.cycle_study(by=by, cycle=cycle, study_summary="Learned", results=results)


def test_act_finishes_the_cycle_and_plans_the_next(client, as_user, cycle, lead):
    _to_act(cycle, lead)
    as_user("lead")
    response = client.post(
        reverse("improvement:cycle-act", args=[cycle.pk]),
        {
            "decision": "adapt",
            "act_notes": "Try two bays.",
            "plan_next": "on",
            "next_title": "Two bays",
            "next_objective": "Rounds on two bays.",
            "next_starts_on": "2026-03-17",
            "next_ends_on": "2026-03-31",
            "move_on": "1",
        },
    )
    following = PdsaCycle.objects.get(number=2)
    assert response.status_code == 302 and response["Location"] == following.get_absolute_url()
    cycle.refresh_from_db()
    assert (cycle.stage, cycle.decision, following.previous) == ("done", "adapt", cycle)
    assert following.starts_on == dt.date(2026, 3, 17)


def test_act_asks_for_the_next_cycle_s_plan_when_ticked(client, as_user, cycle, lead):
    _to_act(cycle, lead)
    as_user("lead")
    response = client.post(
        reverse("improvement:cycle-act", args=[cycle.pk]),
        {"decision": "adapt", "plan_next": "on", "next_title": "Two bays", "move_on": "1"},
    )
    assert response.status_code == 400
    assert "Give the next cycle&#x27;s objective" in response.content.decode()
    assert PdsaCycle.objects.get(pk=cycle.pk).stage == CycleStage.ACT
    assert PdsaCycle.objects.count() == 1


def test_act_needs_a_decision_to_finish(client, as_user, cycle, lead):
    _to_act(cycle, lead)
    as_user("lead")
    response = client.post(reverse("improvement:cycle-act", args=[cycle.pk]), {"move_on": "1"})
    assert response.status_code == 400
    assert "Choose adopt, adapt or abandon" in response.content.decode()


def test_study_before_do_is_refused_with_a_message(client, as_user, cycle):
    as_user("lead")
    response = client.post(
        reverse("improvement:cycle-study", args=[cycle.pk]), {"study_summary": "Early"}
    )
    assert response.status_code == 400
    assert "Finish Do first" in response.content.decode()


def test_it_removes_a_cycle(client, as_user, cycle):
    as_user("coach")
    response = client.post(
        reverse("improvement:cycle-remove", args=[cycle.pk]), {"reason": "Planned twice"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("improvement:ramp", args=[cycle.change_idea_id])
    assert not PdsaCycle.objects.exists()


def test_the_cycle_page_shows_each_stage_and_the_overdue_flag(client, as_user, cycle, lead):
    services.cycle_do(by=lead, cycle=cycle, what_happened="Rounds on bay 1", observations="")
    as_user("lead")
    page = client.get(cycle.get_absolute_url()).content.decode()
    for text in ("Objective", "No falls on bay 1 in two weeks.", "Rounds on bay 1", "Overdue"):
        assert text in page
    assert 'aria-current="step">Study' in page
    assert dt.date.today() > START


def test_a_next_cycle_ending_before_it_starts_is_named_and_nothing_is_saved(
    client, as_user, cycle, lead
):
    _to_act(cycle, lead)
    as_user("lead")
    response = client.post(
        reverse("improvement:cycle-act", args=[cycle.pk]),
        {
            "decision": "adapt",
            "plan_next": "on",
            "next_title": "Two bays",
            "next_objective": "Rounds on two bays.",
            "next_starts_on": "2026-03-17",
            "next_ends_on": "2026-03-10",
            "move_on": "1",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "cannot end (10 Mar 2026) before it starts (17 Mar 2026)" in page
    assert "Save: the cycle is done" in page  # the page shows the cycle as it still is
    cycle.refresh_from_db()
    assert (cycle.stage, cycle.decision, PdsaCycle.objects.count()) == ("act", "", 1)


def test_a_prediction_id_that_is_not_a_number_is_refused_in_words(client, as_user, cycle):
    as_user("lead")
    response = client.post(
        reverse("improvement:cycle-plan", args=[cycle.pk]),
        _plan_data(prediction_1_id="x", prediction_1="Mine"),
    )
    assert response.status_code == 400
    assert "Predictions: " in response.content.decode()


def test_the_plan_form_shows_the_cycle_s_dates_and_links_the_project(client, as_user, cycle):
    as_user("lead")
    page = client.get(reverse("improvement:cycle-plan", args=[cycle.pk])).content.decode()
    assert 'value="2026-03-02"' in page and 'value="2026-03-16"' in page
    assert cycle.project.get_absolute_url() in page


# The discussion ---------------------------------------------------------------------------------


def _comment_url(cycle):
    return reverse("comments:comment-add", args=["improvement.pdsacycle", cycle.pk])


def test_staff_on_the_project_discuss_the_cycle_and_partners_on_it_read(
    client, as_user, cycle, teammate
):
    from qms.comments import services as comment_services

    comment_services.comment_add(by=teammate, subject=cycle, text="Night staff liked it.")
    as_user("teammate")
    response = client.post(_comment_url(cycle), {"text": "Bay 2 next?"})
    assert response.status_code == 302
    as_user("team_partner")
    page = client.get(cycle.get_absolute_url()).content.decode()
    assert "Night staff liked it." in page and "Bay 2 next?" in page
    assert _comment_url(cycle) not in page  # no form for them: partners write in Do and Study
    assert client.post(_comment_url(cycle), {"text": "Mine"}).status_code == 403


def test_a_partner_of_the_unit_not_on_the_project_reads_no_discussion(
    client, as_user, cycle, teammate
):
    from qms.comments import services as comment_services
    from qms.comments.models import Comment

    comment = comment_services.comment_add(by=teammate, subject=cycle, text="Night staff")
    as_user("partner")
    assert client.post(_comment_url(cycle), {"text": "Hello"}).status_code == 403
    edit = reverse("comments:comment-edit", args=[comment.pk])
    assert client.post(edit, {"text": "Changed"}).status_code in (403, 404)
    assert Comment.objects.count() == 1
