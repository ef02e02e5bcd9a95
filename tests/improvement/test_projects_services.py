"""Projects' services: the charter, the team as grants on the project, linked measures; who may."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_measure, make_person

from qms.improvement import roles, services
from qms.improvement.models import DriverNode, NodeKind, Project, ProjectMeasure, Stage
from qms.people import access
from qms.people.models import ObjectGrant
from qms.people.roles import Role

AIM = "Reduce falls with harm by 30% by 31 March 2027"


def start(by, unit, **fields):
    return services.project_create(
        by=by, unit=unit, title="Fewer falls", problem="Falls rose.", aim=AIM, **fields
    )


def roles_given(project, person):
    return {
        g.role
        for g in ObjectGrant.objects.filter(object_id=project.pk, person=person)
        if g.subject == project
    }


@pytest.fixture
def coach(org):
    return make_person("coach", (Role.IMPROVEMENT_COACH, org["other_service"]))


def test_it_starts_a_project_led_by_its_starter_with_the_aim_as_the_diagrams_root(org, member):
    project = start(member, org["ward"])
    assert project.lead == member and project.created_by == member
    aim = DriverNode.objects.get(project=project)
    assert aim.kind == NodeKind.AIM and aim.text == AIM
    # a team member of the unit leads it through a grant on the project
    assert roles_given(project, member) == {Role.TEAM_LEAD}
    assert access.can(member, project, roles.LEADS)
    assert project.history.first().history_user == member


def test_it_gives_no_grant_to_a_lead_who_leads_the_unit(org, lead):
    project = start(lead, org["ward"])
    assert project.lead == lead and roles_given(project, lead) == set()


def test_it_gives_a_coach_from_elsewhere_the_coach_role_on_the_project(org, lead, coach):
    project = start(lead, org["ward"], coach=coach)
    assert roles_given(project, coach) == {Role.IMPROVEMENT_COACH}
    assert access.roles_on(coach, project) == {Role.IMPROVEMENT_COACH}


@pytest.mark.parametrize("who", ["partner", "outsider"])
def test_it_refuses_a_project_from_those_who_may_not_start_one(org, request, who):
    with pytest.raises(PermissionDenied):
        start(request.getfixturevalue(who), org["ward"])
    assert not Project.objects.exists()


def test_it_refuses_a_bad_charter_naming_the_fields_and_saves_nothing(org, lead):
    with pytest.raises(ValidationError) as raised:
        services.project_create(
            by=lead,
            unit=org["ward"],
            title="",
            problem="x",
            aim=AIM,
            method="guesswork",
            starts_on=dt.date(2027, 1, 1),
            ends_on=dt.date(2026, 1, 1),
            budget=-5,
        )
    assert {"title", "method", "ends_on", "budget"} <= set(raised.value.message_dict)
    assert not Project.objects.exists() and not DriverNode.objects.exists()


def test_it_changes_the_charter_and_the_aim_node_with_history(org, lead, member):
    project = start(lead, org["ward"])
    services.project_update(
        by=lead, project=project, reason="Scoped", stage=Stage.SCOPING, aim="Halve falls by 2028"
    )
    project.refresh_from_db()
    assert project.stage == Stage.SCOPING
    assert DriverNode.objects.get(project=project).text == "Halve falls by 2028"
    latest = project.history.first()
    assert latest.history_user == lead and latest.history_change_reason == "Scoped"


def test_it_lets_only_leads_change_the_charter(org, lead, member, partner):
    project = start(lead, org["ward"])
    services.team_member_add(by=lead, project=project, person=member, role=Role.TEAM_MEMBER)
    services.team_member_add(by=lead, project=project, person=partner, role=Role.PARTNER)
    for person in (member, partner):
        with pytest.raises(PermissionDenied):
            services.project_update(by=person, project=project, stage=Stage.TESTING)


def test_it_refuses_unknown_fields(org, lead):
    project = start(lead, org["ward"])
    with pytest.raises(ValidationError):
        services.project_update(by=lead, project=project, unit=org["other_ward"])


def test_it_lets_a_granted_lead_manage_the_team(org, lead, member, partner):
    project = start(member, org["ward"])  # member leads it through a grant
    grant = services.team_member_add(by=member, project=project, person=partner, role="partner")
    assert access.roles_on(partner, project) >= {Role.PARTNER}
    assert grant.granted_by == member
    services.team_member_remove(by=member, grant=grant, reason="Finished")
    assert not ObjectGrant.objects.filter(pk=grant.pk).exists()


def test_it_refuses_team_changes_from_the_team_and_outsiders(org, lead, member, partner, outsider):
    project = start(lead, org["ward"])
    services.team_member_add(by=lead, project=project, person=member, role=Role.TEAM_MEMBER)
    for person in (member, outsider):
        with pytest.raises(PermissionDenied):
            services.team_member_add(by=person, project=project, person=partner, role="partner")


def test_it_refuses_roles_that_are_not_team_roles(org, lead, member):
    project = start(lead, org["ward"])
    for role in (Role.QUALITY_LEAD, Role.SYSTEM_ADMINISTRATOR, "boss"):
        with pytest.raises(ValidationError):
            services.team_member_add(by=lead, project=project, person=member, role=role)


def test_it_keeps_the_named_lead_on_the_team(org, member):
    project = start(member, org["ward"])
    grant = ObjectGrant.objects.get(person=member, object_id=project.pk)
    with pytest.raises(ValidationError):
        services.team_member_remove(by=member, grant=grant)


def test_it_gives_a_new_lead_their_role(org, lead, member):
    project = start(lead, org["ward"])
    services.project_update(by=lead, project=project, lead=member)
    assert roles_given(project, member) == {Role.TEAM_LEAD}


def test_it_links_and_unlinks_measures_for_the_team(org, lead, member):
    measure = make_measure(org["ward"], "falls")
    project = start(lead, org["ward"])
    with pytest.raises(PermissionDenied):  # a member of the unit not on the team
        services.project_measure_link(by=member, project=project, measure=measure, role="outcome")
    services.team_member_add(by=lead, project=project, person=member, role=Role.TEAM_MEMBER)
    link = services.project_measure_link(
        by=member, project=project, measure=measure, role="outcome"
    )
    assert link.history.first().history_user == member
    with pytest.raises(ValidationError):
        services.project_measure_link(by=member, project=project, measure=measure, role="process")
    with pytest.raises(ValidationError):
        services.project_measure_link(
            by=member, project=project, measure=make_measure(org["ward"], "x"), role="output"
        )
    services.project_measure_unlink(by=member, project_measure=link)
    assert not ProjectMeasure.objects.exists()


def test_it_refuses_a_measure_the_linker_cannot_see(org, lead):
    elsewhere = make_measure(org["elsewhere"], "far")
    project = start(lead, org["ward"])
    with pytest.raises(PermissionDenied):
        services.project_measure_link(by=lead, project=project, measure=elsewhere, role="outcome")


def test_it_lets_a_partner_on_the_team_work_but_not_link_measures(org, lead, partner):
    measure = make_measure(org["ward"], "falls")
    project = start(lead, org["ward"])
    assert not services.may_work_on(partner, project)
    services.team_member_add(by=lead, project=project, person=partner, role=Role.PARTNER)
    assert services.may_work_on(partner, project)
    with pytest.raises(PermissionDenied):  # measures are for staff
        services.project_measure_link(by=partner, project=project, measure=measure, role="outcome")


def test_it_tells_a_new_team_member_in_their_inbox(org, lead, partner):
    from qms.notifications.models import Notification

    project = start(lead, org["ward"])
    services.team_member_add(by=lead, project=project, person=partner, role=Role.PARTNER)
    note = Notification.objects.get(person=partner)
    assert note.kind == "improvement" and "Lead added you to the team of" in note.text
    assert note.link == project.get_absolute_url()


@pytest.mark.parametrize(
    "dates",
    [{"starts_on": dt.date(1, 1, 1)}, {"ends_on": dt.date(9999, 12, 31)}],
)
def test_it_refuses_dates_out_of_reach_naming_the_field(org, lead, dates):
    with pytest.raises(ValidationError) as raised:
        start(lead, org["ward"], **dates)
    assert set(raised.value.message_dict) == set(dates)
    assert not Project.objects.exists()


def test_it_says_who_leads_a_project_for_other_areas(org, lead, member, partner):
    from qms.improvement import selectors

    project = start(lead, org["ward"])
    assert selectors.may_lead(lead, project)
    assert not selectors.may_lead(member, project)
    services.team_member_add(by=lead, project=project, person=partner, role=Role.PARTNER)
    assert not selectors.may_lead(partner, project)
    services.team_member_add(by=lead, project=project, person=member, role=Role.TEAM_LEAD)
    assert selectors.may_lead(member, project)
