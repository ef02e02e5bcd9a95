"""Fixtures of the reflective practice tests: the organisation of tests/conftest.py, a nurse who
writes reflections, an issue and a project of Ward 7 to reflect on, a network hosted by Ward 8
that the nurse and a patient partner belong to (by grants), and a ward 8 nurse.

    nurse         team member of Ward 7 (the author)
    member        another team member of Ward 7 (a colleague: reads what is shared with the ward)
    lead          team lead of Ward 7 (reads nothing private)
    quality_lead  quality lead of the division (reads nothing private)
    admin         system administrator (reads nothing private)
    partner       patient partner of Ward 7 (never reads what is shared with the unit's staff)
    net_partner   a patient partner given a role on the network only
    ward8         team member of Ward 8 (another unit)
    outsider      lead of another board

Import them with `from learning.reflection_support import *`."""

import datetime as dt

import pytest
from helpers import make_person

from qms.improvement.models import Project
from qms.issues import services as issue_services
from qms.learning.models import Network
from qms.learning.services import reflection as services
from qms.people import services as people_services
from qms.people.roles import Role

__all__ = [
    "DAY",
    "issue",
    "net_partner",
    "network",
    "nurse",
    "project",
    "reflection",
    "ward8",
    "write",
]

DAY = dt.date(2026, 5, 4)


@pytest.fixture
def nurse(org):
    return make_person("nurse", (Role.TEAM_MEMBER, org["ward"]), display_name="Nina Nurse")


@pytest.fixture
def ward8(org):
    return make_person("ward8", (Role.TEAM_MEMBER, org["other_ward"]))


@pytest.fixture
def issue(org):
    return issue_services.issue_raise(
        by=None, unit=org["ward"], title="Missed observations at night", source="staff_concern"
    )


@pytest.fixture
def project(org):
    return Project.objects.create(
        unit=org["ward"],
        title="Fewer falls at night",
        problem="Falls between 2 and 4 am.",
        aim="Reduce falls with harm on Ward 7 by 30% by 31 March 2027.",
    )


@pytest.fixture
def network(org, nurse):
    network = Network.objects.create(
        unit=org["other_ward"], name="Falls collaborative", topic="Falls at night on wards."
    )
    people_services.grant_give(by=None, record=network, person=nurse, role=Role.TEAM_MEMBER)
    return network


@pytest.fixture
def net_partner(network):
    person = make_person("netpartner", professional_group="public")
    people_services.grant_give(by=None, record=network, person=person, role=Role.PARTNER)
    return person


def write(author, **fields):
    data = {
        "title": "Handover after a fall",
        "happened_on": DAY,
        "description": "A fall at 3 am; the handover missed the falls risk.",
        "feelings": "Worried that I had missed it.",
        "evaluation": "The team responded quickly.",
        "analysis": "The handover sheet has no falls field.",
        "conclusion": "Ask about falls risk at every handover.",
        "action_plan": "Propose a falls field on the handover sheet.",
        "code_themes": ["safety", "effectively"],
    }
    return services.reflection_create(by=author, **(data | fields))


@pytest.fixture
def reflection(nurse):
    return write(nurse)
