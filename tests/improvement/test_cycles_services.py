"""PDSA cycle services: ramps and their numbering, the stage flow, bad input, who may."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from improvement.cycles_support import *  # noqa: F403
from improvement.cycles_support import START, plan
from qms.improvement import services
from qms.improvement.models import (
    ActDecision,
    CycleStage,
    DriverNode,
    NodeKind,
    PdsaCycle,
    PredictionOutcome,
    Project,
)


def _outcomes(cycle, outcome=PredictionOutcome.MET):
    return {p.pk: (f"Result of {p.position}", outcome) for p in cycle.predictions.all()}


def _run(cycle, by, **act):
    services.cycle_do(by=by, cycle=cycle, what_happened="Rounds done.", observations="")
    services.cycle_study(by=by, cycle=cycle, study_summary="Fewer falls.", results=_outcomes(cycle))
    return services.cycle_act(
        by=by, cycle=cycle, decision=act.pop("decision", ActDecision.ADAPT), act_notes="", **act
    )


# Ramps ------------------------------------------------------------------------------------------


def test_it_numbers_cycles_in_their_change_idea_s_ramp(change_idea, other_idea, lead):
    first = services.cycle_create(by=lead, change_idea=change_idea, **plan())
    second = services.cycle_create(by=lead, change_idea=change_idea, **plan(title="Two bays"))
    elsewhere = services.cycle_create(by=lead, change_idea=other_idea, **plan())
    assert [(c.number, c.previous) for c in (first, second, elsewhere)] == [
        (1, None),
        (2, first),
        (1, None),
    ]
    assert first.project == change_idea.project
    assert [(p.position, p.question, p.prediction) for p in first.predictions.all()] == [
        (1, "Will falls drop?", "No falls on bay 1 in two weeks."),
        (2, "", "Staff will complete 90% of rounds."),
    ]


def test_it_numbers_after_the_highest_even_when_a_cycle_was_removed(change_idea, lead):
    first = services.cycle_create(by=lead, change_idea=change_idea, **plan())
    second = services.cycle_create(by=lead, change_idea=change_idea, **plan())
    services.cycle_remove(by=lead, cycle=first)
    third = services.cycle_create(by=lead, change_idea=change_idea, **plan())
    assert (third.number, third.previous) == (3, second)


def test_it_plans_the_next_cycle_of_the_ramp_from_act(cycle, lead, coach):
    _run(cycle, lead, next_cycle=plan(title="All bays", owner=coach, predictions=[]))
    cycle.refresh_from_db()
    following = PdsaCycle.objects.get(previous=cycle)
    assert (cycle.stage, cycle.completed_on is not None) == (CycleStage.DONE, True)
    assert (following.number, following.title, following.owner, following.change_idea) == (
        2,
        "All bays",
        coach,
        cycle.change_idea,
    )
    assert following.stage == CycleStage.PLAN


def test_it_refuses_a_next_cycle_on_another_change_idea(cycle, other_idea, lead):
    with pytest.raises(ValidationError, match="same change idea"):
        _run(cycle, lead, next_cycle=plan(change_idea=other_idea))
    cycle.refresh_from_db()
    # Nothing partial: the act is not saved either (the test's request would be one atomic).
    assert PdsaCycle.objects.filter(change_idea=other_idea).count() == 0


# Stage flow -------------------------------------------------------------------------------------


def test_it_moves_a_cycle_through_plan_do_study_act_done(cycle, lead):
    stages = [cycle.stage]
    services.cycle_plan_update(by=lead, cycle=cycle, draft=False)
    stages.append(cycle.stage)
    services.cycle_do(by=lead, cycle=cycle, what_happened="Rounds on bay 1.", observations="Busy")
    stages.append(cycle.stage)
    services.cycle_study(by=lead, cycle=cycle, study_summary="It works.", results=_outcomes(cycle))
    stages.append(cycle.stage)
    services.cycle_act(by=lead, cycle=cycle, decision=ActDecision.ADOPT, act_notes="Spread it.")
    stages.append(cycle.stage)
    assert stages == ["plan", "do", "study", "act", "done"]
    cycle.refresh_from_db()
    assert [p.outcome for p in cycle.predictions.all()] == ["met", "met"]
    assert cycle.decision == "adopt"
    reasons = list(cycle.history.values_list("history_change_reason", flat=True))[::-1]
    assert reasons == [
        "Planned",
        "Plan done: test under way",
        "Do recorded: study next",
        "Study recorded: act next",
        "Act: adopt",
    ]


def test_it_keeps_a_draft_at_its_stage(cycle, lead):
    services.cycle_do(by=lead, cycle=cycle, what_happened="", observations="Half", draft=True)
    assert cycle.stage == CycleStage.DO  # the test has begun, Do not finished
    services.cycle_do(by=lead, cycle=cycle, what_happened="Done", observations="All", draft=True)
    cycle.refresh_from_db()
    assert (cycle.stage, cycle.observations) == (CycleStage.DO, "All")
    with pytest.raises(ValidationError, match="Finish Do first"):
        services.cycle_study(by=lead, cycle=cycle, study_summary="", results={}, draft=True)


def test_it_refuses_to_study_before_do_is_finished(cycle, lead):
    with pytest.raises(ValidationError, match="Finish Do first: this cycle is at Plan"):
        services.cycle_study(by=lead, cycle=cycle, study_summary="x", results=_outcomes(cycle))
    with pytest.raises(ValidationError, match="Finish Study first"):
        services.cycle_act(by=lead, cycle=cycle, decision="adopt", act_notes="")


def test_it_lets_the_plan_change_after_do_with_history(cycle, lead):
    services.cycle_do(by=lead, cycle=cycle, what_happened="Rounds", observations="")
    services.cycle_plan_update(
        by=lead, cycle=cycle, where="Bay 2", ends_on=START + dt.timedelta(days=21)
    )
    cycle.refresh_from_db()
    assert (cycle.stage, cycle.where) == (CycleStage.STUDY, "Bay 2")
    assert cycle.history.first().history_change_reason == "Plan changed after the test began"
    assert cycle.history.count() == 3


def test_it_keeps_the_results_of_predictions_kept_in_a_changed_plan(cycle, lead):
    first, second = cycle.predictions.all()
    services.cycle_do(by=lead, cycle=cycle, what_happened="Rounds", observations="")
    services.cycle_study(
        by=lead, cycle=cycle, study_summary="", results=_outcomes(cycle), draft=True
    )
    services.cycle_plan_update(
        by=lead,
        cycle=cycle,
        predictions=[(second.pk, "", "Staff will complete 95% of rounds."), (None, "", "New")],
    )
    assert [(p.pk, p.prediction, p.outcome) for p in cycle.predictions.all()] == [
        (second.pk, "Staff will complete 95% of rounds.", "met"),
        (cycle.predictions.last().pk, "New", ""),
    ]


def test_it_needs_every_outcome_to_move_study_on(cycle, lead):
    services.cycle_do(by=lead, cycle=cycle, what_happened="Rounds", observations="")
    first = cycle.predictions.first()
    with pytest.raises(ValidationError, match="prediction 2"):
        services.cycle_study(
            by=lead, cycle=cycle, study_summary="x", results={first.pk: ("0 falls", "met")}
        )
    assert PdsaCycle.objects.get(pk=cycle.pk).stage == CycleStage.STUDY


# Bad input --------------------------------------------------------------------------------------


def test_it_refuses_a_cycle_that_ends_before_it_starts(change_idea, lead):
    with pytest.raises(ValidationError) as raised:
        services.cycle_create(
            by=lead, change_idea=change_idea, **plan(ends_on=START - dt.timedelta(days=1))
        )
    assert "cannot end (01 Mar 2026) before it starts (02 Mar 2026)" in str(
        raised.value.message_dict["ends_on"]
    )
    assert PdsaCycle.objects.count() == 0


def test_it_refuses_moving_the_end_before_the_start(cycle, lead):
    with pytest.raises(ValidationError, match="cannot end"):
        services.cycle_plan_update(by=lead, cycle=cycle, ends_on=START - dt.timedelta(days=1))


@pytest.mark.parametrize("field", ["title", "objective"])
def test_it_needs_a_title_and_an_objective(change_idea, lead, field):
    with pytest.raises(ValidationError) as raised:
        services.cycle_create(by=lead, change_idea=change_idea, **plan(**{field: "  "}))
    assert field in raised.value.message_dict


def test_it_refuses_results_for_another_cycle_s_predictions(cycle, change_idea, lead):
    other = services.cycle_create(by=lead, change_idea=change_idea, **plan())
    services.cycle_do(by=lead, cycle=cycle, what_happened="Rounds", observations="")
    with pytest.raises(ValidationError, match="another cycle's predictions"):
        services.cycle_study(by=lead, cycle=cycle, study_summary="x", results=_outcomes(other))
    assert not other.predictions.exclude(result="").exists()


def test_it_refuses_an_outcome_that_is_not_one(cycle, lead):
    services.cycle_do(by=lead, cycle=cycle, what_happened="Rounds", observations="")
    with pytest.raises(ValidationError, match="as predicted"):
        services.cycle_study(
            by=lead, cycle=cycle, study_summary="x", results=_outcomes(cycle, "maybe")
        )


def test_it_refuses_a_change_idea_of_another_project(org, change_idea, lead):
    other = Project.objects.create(unit=org["ward"], title="Other", problem="p", aim="a")
    with pytest.raises(ValidationError, match="another project"):
        services.cycle_create(by=lead, change_idea=change_idea, project=other, **plan())


def test_it_refuses_a_node_that_is_not_a_change_idea(project, lead):
    driver = project.nodes.get(kind=NodeKind.PRIMARY)
    with pytest.raises(ValidationError, match="change idea"):
        services.cycle_create(by=lead, change_idea=driver, **plan())


def test_it_refuses_a_previous_cycle_of_another_ramp(cycle, other_idea, lead):
    with pytest.raises(ValidationError, match="same change idea"):
        services.cycle_create(by=lead, change_idea=other_idea, previous=cycle, **plan())


def test_it_refuses_an_owner_not_on_the_team(change_idea, lead, member, outsider):
    for person in (member, outsider):
        with pytest.raises(ValidationError, match="not on the project's team"):
            services.cycle_create(by=lead, change_idea=change_idea, **plan(owner=person))


def test_it_refuses_a_decision_that_is_not_one(cycle, lead):
    services.cycle_do(by=lead, cycle=cycle, what_happened="Rounds", observations="")
    services.cycle_study(by=lead, cycle=cycle, study_summary="x", results=_outcomes(cycle))
    with pytest.raises(ValidationError, match="adopt, adapt or abandon"):
        services.cycle_act(by=lead, cycle=cycle, decision="", act_notes="")
    with pytest.raises(ValidationError, match="adopt, adapt or abandon"):
        services.cycle_act(by=lead, cycle=cycle, decision="keep", act_notes="")


def test_a_page_read_before_another_moved_the_cycle_on_does_not_move_it_back(cycle, lead, coach):
    read_before = PdsaCycle.objects.get(pk=cycle.pk)
    services.cycle_do(by=lead, cycle=cycle, what_happened="Rounds", observations="")
    services.cycle_do(by=coach, cycle=read_before, what_happened="Again", observations="")
    assert PdsaCycle.objects.get(pk=cycle.pk).stage == CycleStage.STUDY


# Who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lead", "coach", "teammate", "team_partner"])
def test_the_team_plans_and_records_cycles(request, change_idea, who):
    person = request.getfixturevalue(who)
    cycle = services.cycle_create(by=person, change_idea=change_idea, **plan(owner=person))
    services.cycle_do(by=person, cycle=cycle, what_happened="Rounds", observations="")
    services.cycle_study(by=person, cycle=cycle, study_summary="x", results=_outcomes(cycle))
    assert cycle.stage == CycleStage.ACT


@pytest.mark.parametrize("who", ["member", "partner", "outsider", "quality_lead_elsewhere"])
def test_others_may_not_write_cycles(request, org, cycle, change_idea, who):
    if who == "quality_lead_elsewhere":
        from helpers import make_person

        from qms.people.roles import Role

        person = make_person("ql2", (Role.QUALITY_LEAD, org["other_service"]))
    else:
        person = request.getfixturevalue(who)
    for act in (
        lambda: services.cycle_create(by=person, change_idea=change_idea, **plan()),
        lambda: services.cycle_plan_update(by=person, cycle=cycle, title="Mine"),
        lambda: services.cycle_do(by=person, cycle=cycle, what_happened="x", observations=""),
        lambda: services.cycle_remove(by=person, cycle=cycle),
    ):
        with pytest.raises(PermissionDenied):
            act()
    assert PdsaCycle.objects.get(pk=cycle.pk).stage == CycleStage.PLAN


def test_a_quality_lead_above_leads_the_ward_s_projects(cycle, quality_lead):
    services.cycle_do(by=quality_lead, cycle=cycle, what_happened="x", observations="")
    assert cycle.stage == CycleStage.STUDY


def test_it_removes_a_cycle_with_its_predictions(cycle, lead):
    services.cycle_remove(by=lead, cycle=cycle, reason="Planned twice")
    assert not PdsaCycle.objects.exists()
    assert DriverNode.objects.filter(kind=NodeKind.CHANGE_IDEA).count() == 1
    assert PdsaCycle.history.first().history_change_reason == "Planned twice"


def test_a_done_cycle_keeps_its_decision(cycle, lead):
    _run(cycle, lead, decision=ActDecision.ADOPT)
    with pytest.raises(ValidationError, match="adopt, adapt or abandon"):
        services.cycle_act(by=lead, cycle=cycle, decision="", act_notes="", draft=True)
    services.cycle_act(by=lead, cycle=cycle, decision=ActDecision.ADAPT, act_notes="On reflection")
    cycle.refresh_from_db()
    assert (cycle.stage, cycle.decision) == (CycleStage.DONE, "adapt")
    assert cycle.history.first().history_change_reason == "Act changed after the cycle was done"


def test_it_names_the_prediction_row_that_is_wrong(cycle, lead):
    first, second = cycle.predictions.all()
    with pytest.raises(ValidationError, match="Prediction 2: say what you predict"):
        services.cycle_plan_update(
            by=lead,
            cycle=cycle,
            predictions=[(first.pk, "", "Fine"), (second.pk, "A question?", "")],
        )
