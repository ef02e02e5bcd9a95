"""Fixtures of the progress, package and adoption tests: a project on Ward 7 with a driver
diagram whose change idea was tested and adopted, an outcome measure linked, its team, and
people who are not on it.

    lead          team lead of Ward 7 (leads every project of the ward)
    coach         a coach from Ward 8, given improvement coach on the project
    team_partner  a patient partner given partner on the project (no role in any unit)
    member        team member of Ward 7, not on the project's team: reads, never leads
    other_lead    team lead of Ward 8: reads published packages and adopts them in Ward 8
    outsider      a lead of another board: reads published packages, adopts only there

Import the fixtures a test file uses: `from improvement.spread_support import *`.
"""

import datetime as dt

import pytest
from helpers import make_measure, make_person

from qms.improvement import services
from qms.improvement.models import (
    ActDecision,
    CycleStage,
    DriverNode,
    MeasureRole,
    NodeKind,
    PdsaCycle,
    ProjectMeasure,
)
from qms.people import services as people_services
from qms.people.roles import Role

__all__ = [
    "ADOPTED_ON",
    "coach",
    "idea",
    "other_lead",
    "outcome",
    "package",
    "project",
    "published",
    "team_partner",
    "untested_idea",
]

ADOPTED_ON = dt.date(2026, 2, 1)


@pytest.fixture
def project(org, lead):
    return services.project_create(
        by=lead,
        unit=org["ward"],
        title="Fewer falls at night",
        problem="Falls between 2 and 4 am.",
        aim="Reduce falls with harm on Ward 7 by 30% by 31 March 2027.",
    )


def _idea(project, text, position):
    aim = project.nodes.get(kind=NodeKind.AIM)
    primary, _ = DriverNode.objects.get_or_create(
        project=project, parent=aim, kind=NodeKind.PRIMARY, defaults={"text": "Safer nights"}
    )
    return DriverNode.objects.create(
        project=project, parent=primary, kind=NodeKind.CHANGE_IDEA, text=text, position=position
    )


@pytest.fixture
def idea(project):
    """A change idea tested in one cycle, adopted."""
    node = _idea(project, "Hourly rounding", 1)
    PdsaCycle.objects.create(
        project=project,
        change_idea=node,
        number=1,
        title="Rounding on bay 1",
        objective="Fewer falls on bay 1.",
        starts_on=dt.date(2025, 9, 1),
        ends_on=dt.date(2025, 9, 14),
        stage=CycleStage.DONE,
        decision=ActDecision.ADOPT,
    )
    return node


@pytest.fixture
def untested_idea(project):
    return _idea(project, "Bed alarms", 2)


@pytest.fixture
def outcome(org, project):
    measure = make_measure(org["ward"], "falls-ward7", name="Falls per 1,000 bed days")
    ProjectMeasure.objects.create(project=project, measure=measure, role=MeasureRole.OUTCOME)
    return measure


@pytest.fixture
def coach(org, project):
    person = make_person("coach", (Role.TEAM_MEMBER, org["other_ward"]))
    people_services.grant_give(by=None, record=project, person=person, role=Role.IMPROVEMENT_COACH)
    return person


@pytest.fixture
def team_partner(project):
    person = make_person("teampartner", professional_group="public")
    people_services.grant_give(by=None, record=project, person=person, role=Role.PARTNER)
    return person


@pytest.fixture
def other_lead(org):
    return make_person("otherlead", (Role.TEAM_LEAD, org["other_ward"]))


@pytest.fixture
def package(project, idea, outcome, lead):
    """A draft package of the tested idea and the outcome measure."""
    return services.package_create(
        by=lead,
        project=project,
        title="Night-time falls bundle",
        summary="Hourly rounding at night.",
        how_to="Round every hour from 22:00.",
        evidence="Falls fell from 8 to 3 a month.",
        change_ideas=[idea],
        measures=[outcome],
    )


@pytest.fixture
def published(package, lead):
    return services.package_publish(by=lead, package=package)
