import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from helpers import make_person

from capability.support import assess, framework
from qms.capability.selectors import gaps
from qms.capability.services import time as time_services
from qms.improvement.services import projects as project_services
from qms.people.roles import Role


def _add_staff(org, count, start=0):
    levels, skills = framework(org)
    units = [org["ward"], org["other_ward"]]
    month = timezone.localdate().replace(day=1)
    for k in range(start, start + count):
        person = make_person(f"staff{k}", (Role.TEAM_MEMBER, units[k % 2]))
        assess(person, skills["measurement"], levels["awareness"])
        time_services.time_record(by=None, person=person, month=month, planned=4, used=4)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_it_reads_a_units_gap_in_the_same_queries_for_20_and_200_people(client, org, quality_lead):
    _add_staff(org, 20)
    client.force_login(quality_lead)
    url = reverse("capability:unit-gap", args=[org["service"].pk])
    few = _queries(client, url)
    _add_staff(org, 180, start=20)
    assert _queries(client, url) == few
    page = client.get(url).content.decode()
    assert "staff199" in page.lower()


def test_it_reads_the_summary_in_five_queries(org, lead, django_assert_num_queries):
    _add_staff(org, 10)
    with django_assert_num_queries(5):
        summary = gaps.capability_summary(org["service"], today=timezone.localdate())
    assert summary.people == 11  # and the lead
    assert summary.year_planned == 40


def test_it_shows_the_units_capability_on_its_page_to_its_staff(client, org, lead, partner):
    _add_staff(org, 2)
    client.force_login(lead)
    page = client.get(reverse("people:unit-detail", args=[org["ward"].pk])).content.decode()
    assert "Skills and protected time" in page
    assert reverse("capability:unit-gap", args=[org["ward"].pk]) in page
    client.force_login(partner)
    page = client.get(reverse("people:unit-detail", args=[org["ward"].pk])).content.decode()
    assert "Skills and protected time" not in page


def test_it_puts_the_capability_summary_on_the_board_report(client, org, quality_lead):
    _add_staff(org, 4)
    client.force_login(quality_lead)
    page = client.get(f"/control/units/{org['division'].pk}/report/").content.decode()
    assert "Capability summary" in page
    # Awareness in one skill of seven: no one (the quality lead neither) has every level.
    assert "0% (0 of 5)" in page


@pytest.fixture
def project(org, lead):
    return project_services.project_create(
        by=None,
        unit=org["ward"],
        title="Fewer falls",
        problem="Falls with harm are rising.",
        aim="Halve falls with harm on Ward 7 by March 2027.",
        method="ebcd",
        lead=lead,
    )


def test_it_shows_whether_a_projects_team_has_the_skills(
    client, org, lead, member, partner, project
):
    levels, skills = framework(org)
    project_services.team_member_add(by=None, project=project, person=member, role=Role.TEAM_MEMBER)
    project_services.team_member_add(by=None, project=project, person=partner, role=Role.PARTNER)
    today = timezone.localdate()
    capability = gaps.project_capability(project, today=today)
    assert [m.person for m in capability.team] == [lead, member]  # partners are not assessed
    assert [c.skill.code for c in capability.cover_missing] == [
        "measurement",
        "model-for-improvement",
        "co-design",
    ]
    assert not capability.ready
    for code in ("measurement", "model-for-improvement"):
        assess(lead, skills[code], levels["practitioner"])
    assess(lead, skills["understanding-the-problem"], levels["foundation"])
    assess(member, skills["co-design"], levels["expert"])
    assess(member, skills["model-for-improvement"], levels["foundation"])
    time_services.time_record(by=None, person=member, month=today, planned=6)
    capability = gaps.project_capability(project, today=today)
    assert capability.ready
    assert capability.month.planned == 6
    client.force_login(lead)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "The team has the skills this project needs" in page
    assert f"✓ {lead}" in page  # the lead sees who covers what
    assert page.count('class="table-scroll" role="region"') >= page.count("<table")
    client.force_login(member)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "The team has the skills this project needs" in page
    assert f"✓ {lead}" not in page and "✓ Covered" in page  # not a colleague's levels
    client.force_login(partner)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Skills and time of the team" not in page


def test_it_names_who_is_below_the_level_only_to_the_units_leads_and_coaches(
    client, org, lead, member, project
):
    levels, skills = framework(org)
    project_services.team_member_add(by=None, project=project, person=member, role=Role.TEAM_MEMBER)
    capability = gaps.project_capability(project, today=timezone.localdate())
    assert member in [short.person for short in capability.members_short]
    client.force_login(lead)
    page = client.get(project.get_absolute_url()).content.decode()
    assert f"<li>{member} (team member)" in page
    client.force_login(member)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Skills and time of the team" in page
    assert f"<li>{member} (team member)" not in page and f"<li>{lead} (" not in page
    assert "the unit's leads and coaches see who" in page
