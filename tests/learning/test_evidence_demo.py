"""The demo's evidence library: about 30 graded items cited by the demo's change ideas,
packages, priorities and designs, built the same way every time and never twice, with a
package and a priority left citing nothing."""

import datetime as dt
import random

import pytest
from django.db import transaction
from django.test import TestCase

from qms.demo import improvement, issues, measures, organisation, planning
from qms.demo.learning import evidence
from qms.improvement.models import ChangePackage
from qms.learning import selectors
from qms.learning.models import Certainty, Evidence, EvidenceKind, EvidenceLink
from qms.planning.models import Priority

# The module's demo fixture needs the test database even when run alone (no test of the
# file asks for `db` itself, and pytest-django sets up only the databases tests ask for).
pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """What `qms demo-data` does before the learning system, then the evidence twice."""
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            rng = random.Random(2026)
            organisation.build(rng)
            measures.build(rng, today=TODAY)
            issues.build()
            improvement.build(today=TODAY)
            planning.build(rng, today=TODAY)
            first = evidence.build(today=TODAY)
            second = evidence.build(today=TODAY)
        yield first, second
        transaction.set_rollback(True)


def test_its_items_are_graded_dated_in_the_past_and_cited_by_real_records(demo):
    first, second = demo
    assert first == second  # built once
    assert 25 <= first["evidence items"] <= 40
    assert first["citations of evidence"] >= 30
    for spec in evidence.ITEMS:
        assert spec.kind in EvidenceKind.values and spec.certainty in Certainty.values
        assert spec.published is None or spec.published <= TODAY
        for cite in spec.cites:
            assert evidence._record(cite) is not None, (spec.title, cite)
    assert set(Evidence.objects.values_list("kind", flat=True)) == set(EvidenceKind.values)
    assert set(Evidence.objects.values_list("certainty", flat=True)) == set(Certainty.values)


def test_it_leaves_a_package_and_a_priority_citing_nothing(demo):
    package = ChangePackage.objects.get(title="Care plans written with patients")
    priority = Priority.objects.get(title="Four-hour waits in the Emergency Department")
    assert selectors.evidence_for(package) == [] and selectors.evidence_for(priority) == []
    assert EvidenceLink.objects.filter(content_type__model="drivernode").count() >= 8
    assert EvidenceLink.objects.filter(content_type__model="design").exists()
