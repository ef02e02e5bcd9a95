"""Fixtures of the evidence library's tests: items in the libraries of Test Board and Other
Board, and the records of other areas that cite evidence, all on Ward 7.

    lead          team lead of Ward 7: leads the project, scores the priority, edits the
                  ward's evidence (not the board's)
    member        team member of Ward 7: reads the library, changes none of the work here
    partner       partner of Ward 7 (a unit role): reads no library
    team_partner  a partner given a role on the project only: reads what the project cites
    quality_lead  quality lead of the division
    board_analyst analyst of the board: edits the board's library
    outsider      team lead of Other Board: reads Other Board's library only
    admin         system administrator

Import the fixtures a test file uses: `from learning.evidence_support import *`.
"""

import datetime as dt

import pytest
from helpers import make_person

from qms.improvement import services as improvement_services
from qms.improvement.models import DriverNode, NodeKind
from qms.learning import services
from qms.people import services as people_services
from qms.people.roles import Role
from qms.planning import services as planning_services

__all__ = [
    "add_item",
    "board_analyst",
    "board_item",
    "change_idea",
    "design",
    "elsewhere_item",
    "package",
    "priority",
    "project",
    "team_partner",
]


def add_item(unit, title="Falls in older people (CG161)", **fields):
    """An item of the unit's library, added by the system."""
    values = {
        "kind": "guideline",
        "source": "National Institute for Health and Care Excellence. Falls in older people. "
        "Clinical guideline CG161. 2013.",
        "summary": "Multifactorial falls risk assessment and intervention for inpatients.",
        "certainty": "moderate",
        "certainty_reason": "Trials with some risk of bias.",
        "url": "https://www.nice.org.uk/guidance/cg161",
        "published_on": dt.date(2013, 6, 12),
    }
    values.update(fields)
    return services.evidence_create(by=None, unit=unit, title=title, **values)


@pytest.fixture
def board_analyst(org):
    return make_person("boardanalyst", (Role.ANALYST, org["board"]))


@pytest.fixture
def board_item(org):
    return add_item(org["board"])


@pytest.fixture
def elsewhere_item(org):
    return add_item(org["elsewhere"], title="Other Board's audit", kind="audit", certainty="low")


@pytest.fixture
def project(org, lead):
    return improvement_services.project_create(
        by=lead,
        unit=org["ward"],
        title="Fewer falls at night",
        problem="Falls between 2 and 4 am.",
        aim="Reduce falls with harm on Ward 7 by 30% by 31 March 2027.",
    )


@pytest.fixture
def change_idea(project):
    aim = project.nodes.get(kind=NodeKind.AIM)
    primary = DriverNode.objects.create(
        project=project, parent=aim, kind=NodeKind.PRIMARY, text="Safer nights"
    )
    return DriverNode.objects.create(
        project=project, parent=primary, kind=NodeKind.CHANGE_IDEA, text="Hourly rounding"
    )


@pytest.fixture
def package(project, change_idea, lead):
    return improvement_services.package_create(
        by=lead,
        project=project,
        title="Night-time falls bundle",
        summary="Hourly rounding at night.",
        change_ideas=[change_idea],
    )


@pytest.fixture
def team_partner(project):
    person = make_person("teampartner", professional_group="public")
    people_services.grant_give(by=None, record=project, person=person, role=Role.PARTNER)
    return person


@pytest.fixture
def priority(org, lead):
    return planning_services.priority_create(
        by=lead,
        unit=org["ward"],
        title="Falls at night",
        problem="Falls with harm at night are rising on the ward.",
        origin="strategy",
    )


@pytest.fixture
def design(priority, lead):
    return planning_services.design_create(
        by=lead, priority=priority, title="Night safety huddle", kind="process"
    )
