"""Fixtures and helpers shared by the priorities' tests."""

import pytest
from helpers import make_person

from qms.people import services as people_services
from qms.people.roles import Role
from qms.planning import services

CRITERIA = ("people_affected", "severity", "equity", "strategic_fit", "effort", "cost", "readiness")


def propose(by, unit, title="Falls at night", **fields):
    fields.setdefault("problem", "Falls with harm at night are rising on the ward.")
    fields.setdefault("origin", "strategy")
    return services.priority_create(by=by, unit=unit, title=title, **fields)


def scores(value=None, **each):
    """Every criterion scored `value`, with `each` overriding some."""
    return {name: each.get(name, value) for name in CRITERIA}


@pytest.fixture
def executive(org):
    return make_person("executive", (Role.EXECUTIVE, org["division"]))


@pytest.fixture
def analyst(org):
    return make_person("analyst", (Role.ANALYST, org["ward"]))


@pytest.fixture
def priority(org, member):
    return propose(member, org["ward"])


@pytest.fixture
def working_partner(org, priority, lead):
    """A patient partner given a working-group role on the priority (not on the unit)."""
    person = make_person("working_partner", professional_group="public")
    people_services.grant_give(by=None, record=priority, person=person, role=Role.PARTNER)
    return person
