"""The method chooser: its pure rules (every method reachable, reasons present) and its
service and pages for a priority and a project."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from planning.priorities_support import *  # noqa: F403
from qms.improvement import services as improvement_services
from qms.improvement.models import Method
from qms.people.roles import Role
from qms.planning import methods, services
from qms.planning.models import MethodChoice

NO = dict.fromkeys(methods.QUESTIONS, "no")


def test_it_names_the_same_five_methods_as_quality_improvement():
    assert set(methods.METHODS) == set(Method.values)
    assert {label for _, label in Method.choices} == set(methods.METHODS.values())


@pytest.mark.parametrize(
    "answers, method",
    [
        ({"research": "yes"}, methods.RESEARCH),
        ({"research": "yes", "experience": "yes"}, methods.RESEARCH),
        ({"solution_known": "yes"}, methods.PROJECT_MANAGEMENT),
        ({"solution_known": "yes", "complex": "yes"}, methods.MODEL_FOR_IMPROVEMENT),
        ({"experience": "yes"}, methods.EBCD),
        ({"experience": "yes", "flow": "yes"}, methods.EBCD),
        ({"flow": "yes"}, methods.LEAN),
        ({"complex": "yes"}, methods.MODEL_FOR_IMPROVEMENT),
        ({}, methods.MODEL_FOR_IMPROVEMENT),
        (dict.fromkeys(methods.QUESTIONS, "unsure"), methods.MODEL_FOR_IMPROVEMENT),
    ],
)
def test_it_recommends_the_method_the_rules_give(answers, method):
    recommendation = methods.recommend({**NO, **answers})
    assert recommendation.method == method
    assert recommendation.reasons and all(r.endswith(".") for r in recommendation.reasons)


def test_it_reaches_every_method_and_always_gives_reasons():
    reached = set()
    for values in itertools.product(methods.ANSWERS, repeat=len(methods.QUESTIONS)):
        recommendation = methods.recommend(dict(zip(methods.QUESTIONS, values, strict=True)))
        assert recommendation.reasons
        assert recommendation.method not in recommendation.also_consider
        reached.add(recommendation.method)
    assert reached == set(methods.METHODS)


def test_it_names_what_else_to_consider_when_several_rules_or_unsure_answers_match():
    recommendation = methods.recommend(
        {**NO, "experience": "yes", "flow": "yes", "research": "unsure"}
    )
    assert recommendation.method == methods.EBCD
    assert set(recommendation.also_consider) == {methods.LEAN, methods.RESEARCH}
    assert any("not sure" in reason for reason in recommendation.reasons)


@pytest.mark.parametrize("answers", [{}, {**NO, "flow": "maybe"}, {**NO, "research": None}])
def test_it_refuses_answers_that_are_missing_or_unknown(answers):
    assert methods.answer_problems(answers)
    with pytest.raises(ValueError):
        methods.recommend(answers)


# The service ----------------------------------------------------------------------------------


def test_it_stores_the_answers_recommendation_reasons_and_choice_on_a_priority(priority, lead):
    choice = services.method_choose(by=lead, answers={**NO, "flow": "yes"}, priority=priority)
    assert (choice.recommended, choice.chosen, choice.priority) == ("lean", "lean", priority)
    assert choice.answers["flow"] == "yes" and choice.reasons


def test_it_needs_a_reason_to_choose_another_method(priority, lead):
    with pytest.raises(ValidationError) as error:
        services.method_choose(by=lead, answers=NO, chosen="pm", priority=priority)
    assert "reason" in error.value.message_dict
    choice = services.method_choose(
        by=lead, answers=NO, chosen="pm", reason="The fix is agreed nationally", priority=priority
    )
    assert choice.chosen == "pm" and choice.recommended == "mfi"


@pytest.mark.parametrize(
    "bad",
    [{"answers": {**NO, "flow": "maybe"}}, {"answers": "yes"}, {"answers": NO, "chosen": "magic"}],
)
def test_it_refuses_bad_choices_and_saves_nothing(priority, lead, bad):
    with pytest.raises(ValidationError):
        services.method_choose(by=lead, priority=priority, **bad)
    assert not MethodChoice.objects.exists()


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_refuses_a_method_choice_from_those_who_do_not_score(priority, request, who):
    with pytest.raises(PermissionDenied):
        services.method_choose(by=request.getfixturevalue(who), answers=NO, priority=priority)


def test_it_lets_a_partner_on_the_priority_choose_its_method(priority, working_partner):
    services.method_choose(by=working_partner, answers=NO, priority=priority)
    assert MethodChoice.objects.get().chosen_by == working_partner


def _project(lead, org):
    return improvement_services.project_create(
        by=lead,
        unit=org["ward"],
        title="Falls",
        problem="Falls at night.",
        aim="Reduce falls with harm on Ward 7 by 30% by 31 March 2027",
    )


def test_it_sets_the_project_s_method_for_its_lead(org, lead):
    project = _project(lead, org)
    services.method_choose(
        by=lead, answers={**NO, "experience": "yes"}, project=project, set_project_method=True
    )
    project.refresh_from_db()
    assert project.method == "ebcd"


def test_it_records_a_team_member_s_choice_but_not_the_project_s_method(org, lead, member):
    project = _project(lead, org)
    improvement_services.team_member_add(
        by=lead, project=project, person=member, role=Role.TEAM_MEMBER
    )
    with pytest.raises(PermissionDenied):
        services.method_choose(
            by=member, answers={**NO, "flow": "yes"}, project=project, set_project_method=True
        )
    assert not MethodChoice.objects.exists()
    services.method_choose(by=member, answers={**NO, "flow": "yes"}, project=project)
    project.refresh_from_db()
    assert project.method == "mfi" and MethodChoice.objects.get().chosen == "lean"


def test_it_refuses_a_choice_for_both_a_priority_and_a_project_or_neither(priority, org, lead):
    with pytest.raises(ValidationError):
        services.method_choose(by=lead, answers=NO)
    with pytest.raises(ValidationError):
        services.method_choose(by=lead, answers=NO, priority=priority, project=_project(lead, org))


# The pages ------------------------------------------------------------------------------------


def _post(answers, **extra):
    return {**answers, **extra}


def test_it_recommends_on_the_page_then_records_the_choice(client, as_user, priority):
    as_user("lead")
    url = f"/plan/priorities/{priority.pk}/method/"
    assert client.get(url).status_code == 200
    html = client.post(url, _post({**NO, "research": "yes"}, step="recommend")).content.decode()
    assert "Recommended: Research and evaluation" in html
    assert not MethodChoice.objects.exists()
    response = client.post(url, _post({**NO, "research": "yes"}, step="save"))
    assert response.status_code == 302
    assert MethodChoice.objects.get().chosen == "research"
    assert (
        "Research and evaluation" in client.get(f"/plan/priorities/{priority.pk}/").content.decode()
    )


def test_it_asks_every_question_on_the_page(client, as_user, priority):
    as_user("lead")
    response = client.post(
        f"/plan/priorities/{priority.pk}/method/", {"flow": "yes", "step": "save"}
    )
    assert response.status_code == 400
    assert not MethodChoice.objects.exists()


@pytest.mark.parametrize("who, status", [("member", 403), ("partner", 403), ("outsider", 404)])
def test_it_refuses_the_method_page_to_those_who_do_not_score(
    client, as_user, priority, who, status
):
    as_user(who)
    assert client.get(f"/plan/priorities/{priority.pk}/method/").status_code == status
    assert (
        client.post(f"/plan/priorities/{priority.pk}/method/", _post(NO, step="save")).status_code
        == status
    )
    assert not MethodChoice.objects.exists()


def test_it_offers_the_project_method_page_to_the_project_s_team(client, as_user, org, lead):
    project = _project(lead, org)
    as_user("lead")
    url = f"/plan/projects/{project.pk}/method/"
    html = client.get(url).content.decode()
    assert "Make it the project" not in html  # offered with the recommendation
    response = client.post(url, _post({**NO, "flow": "yes"}, step="save", set_project_method="on"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.method == "lean"


@pytest.mark.parametrize("who, status", [("member", 403), ("partner", 403), ("outsider", 404)])
def test_it_refuses_the_project_method_page_to_others(client, as_user, org, lead, who, status):
    project = _project(lead, org)
    as_user(who)
    assert client.get(f"/plan/projects/{project.pk}/method/").status_code == status


@pytest.mark.parametrize("bad", ["999999999", "0"])
def test_it_answers_404_for_unknown_projects(client, as_user, org, bad):
    as_user("lead")
    assert client.get(f"/plan/projects/{bad}/method/").status_code == 404


def test_it_links_the_method_chooser_from_the_project_page_for_its_team_only(
    client, org, lead, member
):
    project = _project(lead, org)
    client.force_login(lead)
    assert (
        f"/plan/projects/{project.pk}/method/"
        in client.get(project.get_absolute_url()).content.decode()
    )
    client.force_login(member)  # staff of the unit, not on the team
    assert (
        f"/plan/projects/{project.pk}/method/"
        not in client.get(project.get_absolute_url()).content.decode()
    )
