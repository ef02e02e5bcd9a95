"""The demo's involvement and claims: a spread across the ladder that tells a story (the falls
project co-designed, the experience-based co-design projects co-produced, priorities consulted,
a measure review involving partners), claims paid, approved, waiting and one rejected; built
the same way every time and never twice."""

import datetime as dt
import random
from collections import Counter

import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from qms.codesign.models import Claim, ClaimStatus, Involvement, Level
from qms.demo import improvement, issues, measures, organisation, planning
from qms.demo.codesign import claims, involvement, partners
from qms.demo.learning import evidence, networks
from qms.improvement.models import Project

# The module's demo fixture needs the test database even when run alone (no test of the
# file asks for `db` itself, and pytest-django sets up only the databases tests ask for).
pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """What `qms demo-data` does before involvement and claims, then those twice."""
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            rng = random.Random(2026)
            organisation.build(rng)
            measures.build(rng, today=TODAY)
            issues.build()
            improvement.build(today=TODAY)
            planning.build(rng, today=TODAY)
            evidence.build(today=TODAY)
            networks.build(today=TODAY)
            partners.build(today=TODAY)
            first = {**involvement.build(today=TODAY), **claims.build(today=TODAY)}
            second = {**involvement.build(today=TODAY), **claims.build(today=TODAY)}
        yield first, second
        transaction.set_rollback(True)


def _highest(title):
    project = Project.objects.get(title=title)
    return max(
        entry.level
        for entry in Involvement.objects.all()
        if entry.object_id == project.pk and entry.content_type.model == "project"
    )


def test_it_builds_involvement_and_claims_once(demo):
    first, second = demo
    assert first == second
    assert first["involvement entries"] >= 15 and first["partner claims"] >= 8


def test_it_spreads_involvement_across_the_ladder_and_the_areas(demo):
    levels = Counter(Involvement.objects.values_list("level", flat=True))
    assert set(levels) == set(Level.values)
    areas = set(Involvement.objects.values_list("area", flat=True))
    assert areas == {"planning", "improvement", "control", "learning"}
    assert _highest("Fewer falls on Ward 7") == Level.CO_DESIGNING
    assert _highest("Care plans written with patients") == Level.CO_PRODUCING
    assert Involvement.objects.filter(area="planning", level=Level.CONSULTING).exists()
    assert Involvement.objects.filter(area="control", level=Level.INVOLVING).exists()
    assert Involvement.objects.filter(partner__username="partner").exists()


def test_it_has_claims_at_every_stage(demo):
    statuses = Counter(Claim.objects.values_list("status", flat=True))
    assert set(statuses) == set(ClaimStatus.values)
    rejected = Claim.objects.get(status=ClaimStatus.REJECTED)
    assert rejected.decision_reason and rejected.decided_by.username == "quality"
    assert Claim.objects.filter(partner__username="partner").count() >= 4
    assert all(c.occurred_on <= TODAY - dt.timedelta(days=0) for c in Claim.objects.all())
