"""Two hosts doing the same thing to a network at the same moment: one adds the team (or shares
the measure), the other is told it is already done; never two rows, never a server error. The
race is forced: each, once it has checked, waits (a short while) for the other. PostgreSQL only:
SQLite serialises writers from the start."""

import threading

import pytest
from django.core.exceptions import ValidationError
from helpers import RACES, make_measure, make_person, race, wait_after

from qms.learning.models import NetworkTeam
from qms.learning.services import networks as network_services
from qms.people.roles import Role

pytestmark = RACES


def _race(monkeypatch, calls):
    """Run `calls` at once, each waiting for the others once it has recorded who did it."""
    wait_after(monkeypatch, network_services, "record_by", threading.Barrier(len(calls)))
    return race(calls)


@pytest.fixture
def hosts(org):
    first = make_person("host1", (Role.TEAM_LEAD, org["ward"]))
    second = make_person("host2", (Role.QUALITY_LEAD, org["division"]))
    network = network_services.network_create(
        by=first, unit=org["ward"], name="Falls", topic="Fewer falls."
    )
    return network, first, second


def test_two_hosts_adding_the_same_team_at_once_add_it_once(monkeypatch, org, hosts):
    network, first, second = hosts
    results = _race(
        monkeypatch,
        [
            lambda: network_services.network_team_add(
                by=first, network=network, unit=org["other_ward"]
            ),
            lambda: network_services.network_team_add(
                by=second, network=network, unit=org["other_ward"]
            ),
        ],
    )
    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["NetworkTeam", "ValidationError"], results
    refused = next(r for r in results if isinstance(r, ValidationError))
    assert "already takes part" in " ".join(refused.messages)
    assert NetworkTeam.objects.filter(network=network, unit=org["other_ward"]).count() == 1


def test_two_hosts_sharing_the_same_measure_at_once_share_it_once(monkeypatch, org, hosts):
    network, first, second = hosts
    measure = make_measure(org["ward"], "ward-falls")
    results = _race(
        monkeypatch,
        [
            lambda: network_services.network_measure_add(
                by=first, network=network, measure=measure
            ),
            lambda: network_services.network_measure_add(
                by=second, network=network, measure=measure
            ),
        ],
    )
    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["Network", "ValidationError"], results
    assert network.measures.count() == 1
