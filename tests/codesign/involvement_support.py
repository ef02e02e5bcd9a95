"""Fixtures of the involvement and claims tests: work of other areas on Ward 7 that partners'
involvement is logged against.

    lead          team lead of Ward 7: leads the project, organises the ward's work
    member        team member of Ward 7: reads the work, logs nothing
    partner       partner of Ward 7 (a unit role)
    team_partner  a partner given a role on the project only
    quality_lead  quality lead of the division: approves claims
    outsider      team lead of Other Board: sees nothing here

Import the fixtures a test file uses: `from codesign.involvement_support import *`.
"""

import datetime as dt

import pytest
from helpers import make_measure, make_person

from qms.codesign.services import involvement as services
from qms.improvement import services as improvement_services
from qms.learning.services import networks as learning_services
from qms.people import services as people_services
from qms.people.roles import Role
from qms.planning import services as planning_services

__all__ = ["DAY", "log", "measure", "network", "priority", "project", "team_partner"]

DAY = dt.date(2026, 10, 5)


def log(work, level, *, by=None, day=DAY, **fields):
    """Involvement logged by the system (confirmed), for a group unless a partner is named."""
    values = {"contribution": "Told us what nights are like.", "group_name": "Patient panel"}
    if "partner" in fields:
        values.pop("group_name")
    values.update(fields)
    return services.involvement_log(by=by, work=work, level=level, occurred_on=day, **values)


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
def measure(org):
    return make_measure(org["ward"], "falls")


@pytest.fixture
def network(org, lead):
    return learning_services.network_create(
        by=lead, unit=org["ward"], name="Falls network", topic="Falls at night"
    )
