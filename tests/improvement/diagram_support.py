"""What the driver diagram's and prototypes' tests share: a project on Ward 7 with its aim and
a team (a member, a coach and a partner given roles on the project)."""

import datetime as dt

import pytest
from helpers import make_person

from qms.improvement import services
from qms.improvement.models import DriverNode, NodeKind, Project
from qms.people import services as people_services
from qms.people.roles import Role


def make_project(unit, *, title="Fewer falls", aim="Halve falls with harm by March 2027"):
    """A project with its aim node, through the projects part's service when it is there."""
    create = getattr(services, "project_create", None)
    if create is not None:
        return create(by=None, unit=unit, title=title, problem="Too many falls.", aim=aim)
    project = Project.objects.create(unit=unit, title=title, problem="Too many falls.", aim=aim)
    DriverNode.objects.create(project=project, kind=NodeKind.AIM, text=aim, position=1)
    return project


def aim_of(project):
    return DriverNode.objects.get(project=project, kind=NodeKind.AIM)


def give(project, person, role):
    people_services.grant_give(by=None, record=project, person=person, role=role)
    return person


@pytest.fixture
def project(org):
    return make_project(org["ward"])


@pytest.fixture
def teammate(org, project):
    """A team member given the role on the project, with no role in any unit."""
    return give(project, make_person("teammate"), Role.TEAM_MEMBER)


@pytest.fixture
def coach(org, project):
    """An improvement coach from elsewhere, given the role on the project."""
    person = make_person("coach", (Role.TEAM_MEMBER, org["other_service"]))
    return give(project, person, Role.IMPROVEMENT_COACH)


@pytest.fixture
def team_partner(org, project, partner):
    """The ward's patient partner, on this project's team."""
    return give(project, partner, Role.PARTNER)


def tree(project):
    """The diagram as nested (text, [children]) in order, to compare in one assertion."""
    nodes = list(DriverNode.objects.filter(project=project).order_by("position", "pk"))
    children = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def shape(node):
        return (node.text, [shape(child) for child in children.get(node.pk, [])])

    return shape(children[None][0])


def positions_are_contiguous(project):
    by_parent = {}
    for node in DriverNode.objects.filter(project=project):
        by_parent.setdefault(node.parent_id, []).append(node.position)
    return all(sorted(p) == list(range(1, len(p) + 1)) for p in by_parent.values())


TODAY = dt.date(2026, 12, 1)

# For test modules to bind at their top (`project, teammate, coach, team_partner = FIXTURES`).
FIXTURES = (project, teammate, coach, team_partner)
