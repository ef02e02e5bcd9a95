"""What an approved priority becomes: an improvement project with its driver diagram started
from the factors, or a control measure."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_measure

from planning.priorities_support import *  # noqa: F403
from planning.priorities_support import propose
from qms.improvement.models import DriverNode, Project, ProjectMeasure
from qms.planning import services
from qms.planning.models import FactorDomain, Priority

AIM = "Reduce falls with harm on Ward 7 by 30% by 31 March 2027"


@pytest.fixture
def domains(db):
    return [
        FactorDomain.objects.create(
            code=f"d{n}", name=name, prompt="What in the system?", position=n
        )
        for n, name in enumerate(["Staff workload", "Communication systems"], start=1)
    ]


@pytest.fixture
def approved(org, member, lead, domains):
    measure = make_measure(org["ward"], "falls")
    priority = propose(
        member, org["ward"], origin="gap", source=measure, factors=domains, owner=lead
    )
    services.priority_decide(by=lead, priority=priority, status="approved", reason="Top")
    return priority


def test_it_turns_an_approved_priority_into_a_project_with_drivers_from_its_factors(approved, lead):
    project = services.priority_to_project(by=lead, priority=approved, aim=AIM)
    approved.refresh_from_db()
    assert approved.project == project
    assert project.source_record == approved and project.lead == lead
    assert project.title == approved.title and project.problem == approved.problem
    drivers = DriverNode.objects.filter(project=project, kind="primary").order_by("position")
    assert [d.text for d in drivers] == ["Staff workload", "Communication systems"]
    assert all(d.parent.kind == "aim" for d in drivers)
    assert ProjectMeasure.objects.get(project=project).role == "outcome"


def test_it_uses_the_chosen_method_for_the_project(approved, lead):
    services.method_choose(
        by=lead,
        answers=dict.fromkeys(["solution_known", "complex", "experience", "research"], "no")
        | {"flow": "yes"},
        priority=approved,
    )
    project = services.priority_to_project(by=lead, priority=approved, aim=AIM)
    assert project.method == "lean"


def test_it_refuses_to_make_a_project_twice(approved, lead):
    services.priority_to_project(by=lead, priority=approved, aim=AIM)
    with pytest.raises(ValidationError):
        services.priority_to_project(by=lead, priority=approved, aim=AIM)
    assert Project.objects.count() == 1


@pytest.mark.parametrize("status", ["candidate", "parked", "rejected"])
def test_it_refuses_to_make_a_project_of_an_unapproved_priority(org, member, lead, status):
    priority = propose(member, org["ward"])
    if status != "candidate":
        services.priority_decide(by=lead, priority=priority, status=status, reason="Why")
    with pytest.raises(ValidationError):
        services.priority_to_project(by=lead, priority=priority, aim=AIM)
    assert not Project.objects.exists()


@pytest.mark.parametrize("who", ["member", "working_partner", "outsider"])
def test_it_refuses_a_project_from_those_who_do_not_decide(approved, request, who):
    with pytest.raises(PermissionDenied):
        services.priority_to_project(by=request.getfixturevalue(who), priority=approved, aim=AIM)
    assert not Project.objects.exists()


def test_it_saves_nothing_when_the_project_is_refused(approved, lead):
    with pytest.raises(ValidationError):
        services.priority_to_project(by=lead, priority=approved, aim=AIM, title="")
    approved.refresh_from_db()
    assert approved.project is None and not Project.objects.exists()


def test_it_shows_the_priority_on_the_project_page(client, approved, lead):
    project = services.priority_to_project(by=lead, priority=approved, aim=AIM)
    client.force_login(lead)
    html = client.get(project.get_absolute_url()).content.decode()
    assert "Started from" in html and approved.get_absolute_url() in html


def test_it_makes_a_project_through_the_page(client, approved, lead):
    client.force_login(lead)
    url = f"/plan/priorities/{approved.pk}/project/"
    html = client.get(url).content.decode()
    assert approved.title in html and "Staff workload" in html
    response = client.post(
        url,
        {
            "title": approved.title,
            "problem": approved.problem,
            "aim": AIM,
            "method": "mfi",
            "lead": "lead",
        },
    )
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()


def test_it_prompts_for_an_aim_with_a_target_and_a_date(client, approved, lead):
    client.force_login(lead)
    response = client.post(
        f"/plan/priorities/{approved.pk}/project/",
        {"title": "T", "problem": "P", "aim": "Make things better", "method": "mfi"},
    )
    assert response.status_code == 400
    assert not Project.objects.exists()


@pytest.mark.parametrize("who, status", [("member", 403), ("partner", 403), ("outsider", 404)])
def test_it_refuses_the_project_page_to_those_who_do_not_decide(
    client, as_user, approved, who, status
):
    as_user(who)
    assert client.get(f"/plan/priorities/{approved.pk}/project/").status_code == status


# A measure ------------------------------------------------------------------------------------


def test_it_turns_an_approved_priority_into_a_measure(client, org, approved, lead):
    new = make_measure(org["ward"], "night-falls")
    client.force_login(lead)
    url = f"/plan/priorities/{approved.pk}/measure/"
    assert (
        "Night" in client.get(url).content.decode() or new.name in client.get(url).content.decode()
    )
    assert client.post(url, {"measure": new.pk}).status_code == 302
    approved.refresh_from_db()
    assert approved.measure == new and new in approved.measures.all()


@pytest.mark.parametrize("bad", ["abc", "-1", "99999999999999999999999", ""])
def test_it_survives_a_bad_measure_id(client, approved, lead, bad):
    client.force_login(lead)
    response = client.post(f"/plan/priorities/{approved.pk}/measure/", {"measure": bad})
    assert response.status_code in (400, 404)
    approved.refresh_from_db()
    assert approved.measure is None


def test_it_refuses_another_board_s_measure(client, org, approved, lead):
    foreign = make_measure(org["elsewhere"], "foreign")
    client.force_login(lead)
    assert (
        client.post(f"/plan/priorities/{approved.pk}/measure/", {"measure": foreign.pk}).status_code
        == 404
    )
    with pytest.raises(ValidationError):
        services.priority_to_measure(by=lead, priority=approved, measure=foreign)
    approved.refresh_from_db()
    assert approved.measure is None


def test_it_refuses_a_measure_and_a_project_both(approved, lead, org):
    services.priority_to_measure(
        by=lead, priority=approved, measure=make_measure(org["ward"], "m2")
    )
    with pytest.raises(ValidationError):
        services.priority_to_project(by=lead, priority=approved, aim=AIM)
    assert Priority.objects.get().project is None
