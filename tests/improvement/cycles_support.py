"""Fixtures of the PDSA cycle tests: a project on Ward 7 with a driver diagram (aim, a primary
driver, two change ideas), its team, and people who are not on it.

    lead          team lead of the ward (leads every project of the ward)
    coach         improvement coach of the ward
    teammate      a staff nurse of Ward 8, given team member on the project
    team_partner  a patient partner given partner on the project (no role in any unit)
    member        team member of the ward, not on this project's team: reads only
    partner       a partner of the ward, not on the project: sees nothing of it
    outsider      a lead of another board: sees nothing of it

Import the fixtures a test file uses: `from improvement.cycles_support import *`.
"""

import datetime as dt

import pytest
from helpers import make_person

from qms.improvement.models import DriverNode, NodeKind, Project
from qms.people import services as people_services
from qms.people.roles import Role

__all__ = [
    "START",
    "change_idea",
    "coach",
    "cycle",
    "other_idea",
    "plan",
    "project",
    "team_partner",
    "teammate",
]

START = dt.date(2026, 3, 2)


@pytest.fixture
def project(org, lead):
    project = Project.objects.create(
        unit=org["ward"],
        title="Fewer falls at night",
        problem="Falls between 2 and 4 am.",
        aim="Reduce falls with harm on Ward 7 by 30% by 31 March 2027.",
        lead=lead,
    )
    aim = DriverNode.objects.create(project=project, kind=NodeKind.AIM, text=project.aim)
    DriverNode.objects.create(
        project=project, parent=aim, kind=NodeKind.PRIMARY, text="Safer nights", position=1
    )
    return project


def _idea(project, text, position):
    primary = project.nodes.get(kind=NodeKind.PRIMARY)
    return DriverNode.objects.create(
        project=project,
        parent=primary,
        kind=NodeKind.CHANGE_IDEA,
        text=text,
        position=position,
    )


@pytest.fixture
def change_idea(project):
    return _idea(project, "Hourly rounding", 1)


@pytest.fixture
def other_idea(project):
    return _idea(project, "Bed alarms", 2)


@pytest.fixture
def coach(org):
    return make_person("coach", (Role.IMPROVEMENT_COACH, org["ward"]))


@pytest.fixture
def teammate(org, project):
    person = make_person("teammate", (Role.TEAM_MEMBER, org["other_ward"]))
    people_services.grant_give(by=None, record=project, person=person, role=Role.TEAM_MEMBER)
    return person


@pytest.fixture
def team_partner(project):
    person = make_person("teampartner", professional_group="public")
    people_services.grant_give(by=None, record=project, person=person, role=Role.PARTNER)
    return person


def plan(**fields):
    """cycle_create's fields for a two-week test from START, with two predictions."""
    return {
        "title": "Rounding on one bay",
        "objective": "See whether hourly rounding on bay 1 stops night falls.",
        "starts_on": START,
        "ends_on": START + dt.timedelta(days=14),
        "predictions": [
            ("Will falls drop?", "No falls on bay 1 in two weeks."),
            ("", "Staff will complete 90% of rounds."),
        ],
        **fields,
    }


@pytest.fixture
def cycle(change_idea, lead):
    from qms.improvement.services import cycle_create

    return cycle_create(by=lead, change_idea=change_idea, **plan())
