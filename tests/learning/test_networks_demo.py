"""The demo's learning networks: three networks across the demo's units, built the same way
every time and never twice, the demo's patient partner a member of one, their shared measures
compared on a funnel plot, events past and upcoming, a discussion, packages and evidence."""

import datetime as dt
import random

import pytest
from django.db import transaction
from django.test import TestCase

from qms.comments.models import Comment
from qms.demo import improvement, issues, measures, organisation, planning
from qms.demo.learning import evidence, networks
from qms.learning.models import EvidenceLink, Network
from qms.learning.selectors import networks as selectors
from qms.people.models import Person

# The module's demo fixture needs the test database even when run alone (no test of the
# file asks for `db` itself, and pytest-django sets up only the databases tests ask for).
pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """What `qms demo-data` does before the networks, then the networks twice."""
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            rng = random.Random(2026)
            organisation.build(rng)
            measures.build(rng, today=TODAY)
            issues.build()
            improvement.build(today=TODAY)
            planning.build(rng, today=TODAY)
            evidence.build(today=TODAY)
            first = networks.build(today=TODAY)
            second = networks.build(today=TODAY)
        yield first, second
        transaction.set_rollback(True)


def test_it_builds_three_networks_once(demo):
    first, second = demo
    assert first == second and first["learning networks"] == 3
    assert first["network teams"] >= 12 and first["network events"] >= 6


def test_the_partner_reads_the_falls_network_only(demo):
    partner = Person.objects.get(username="partner")
    assert [n.name for n in selectors.networks_for(partner)] == ["Falls prevention network"]


def test_each_network_shares_comparable_measures_and_learns(demo):
    lead = Person.objects.get(username="lead")
    for network in Network.objects.all():
        found = selectors.standing(lead, network)
        assert found.reads, network
        page = selectors.network_page(lead, network, found)
        assert len(page.measures) >= 2, network
        assert page.funnels and len(page.funnels[0].rows) >= 2, network
        assert page.upcoming and page.past and all(e.notes for e in page.past), network
        assert Comment.objects.filter(object_id=network.pk).exists()
        assert EvidenceLink.objects.filter(
            object_id=network.pk, content_type__model="network"
        ).exists()
    falls = Network.objects.get(name="Falls prevention network")
    assert falls.packages.exists()
    flags = [row.flag for row in selectors.network_page(lead, falls, found).funnels[0].rows]
    assert "low" in flags  # Ward 8's fall in falls stands out
