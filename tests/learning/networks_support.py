"""Fixtures of the networks' tests: a network hosted by Ward 7 (its lead hosts it) with
Surgery taking part, and the people who stand in each place around it."""

import pytest
from helpers import make_person

from qms.learning.services import networks as services
from qms.people.roles import Role


@pytest.fixture
def network(org, lead):
    network = services.network_create(
        by=lead, unit=org["ward"], name="Falls prevention", topic="Fewer falls at night."
    )
    services.network_team_add(by=lead, network=network, unit=org["other_service"])
    return network


@pytest.fixture
def surgeon(org):
    """Staff of a member team (Surgery), with no role in the host unit nor on the network."""
    return make_person("surgeon", (Role.TEAM_MEMBER, org["other_service"]))


@pytest.fixture
def neighbour(org):
    """Staff of Ward 8: the same service as the host, not taking part."""
    return make_person("neighbour", (Role.TEAM_MEMBER, org["other_ward"]))


@pytest.fixture
def visitor(org, lead, network):
    """A patient partner given the partner role on the network, and a role nowhere else."""
    person = make_person("visitor", professional_group="public")
    services.network_member_add(by=lead, network=network, person=person, role=Role.PARTNER)
    return person
