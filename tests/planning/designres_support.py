"""Fixtures of the design and resources tests: a priority on Ward 7 and its people.

    lead             team lead of Ward 7: a scorer and decider there
    member           team member of Ward 7: sees the priority, changes nothing on it
    partner          partner of Ward 7 with no grant: sees nothing of the ward's planning
    granted_partner  a patient partner given partner on the priority only
    quality_lead     quality lead of the division
    outsider         a lead of another board

Import the fixtures a test file uses: `from planning.designres_support import *`.
"""

import pytest
from helpers import make_person

from qms.improvement import services as improvement_services
from qms.people import services as people_services
from qms.people.roles import Role
from qms.planning.models import Priority, PriorityOrigin

__all__ = ["granted_partner", "make_priority", "priority", "project", "with_project"]


def make_priority(unit, title="Falls at night", **fields):
    return Priority.objects.create(
        unit=unit, title=title, problem="Too many falls.", origin=PriorityOrigin.STRATEGY, **fields
    )


@pytest.fixture
def priority(org):
    return make_priority(org["ward"])


@pytest.fixture
def granted_partner(priority):
    person = make_person("granted", professional_group="public")
    people_services.grant_give(by=None, record=priority, person=person, role=Role.PARTNER)
    return person


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
def with_project(priority, project):
    priority.project = project
    priority.save()
    return priority
