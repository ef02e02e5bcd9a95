"""The demo's partners and “you said, we did” boards: built through the services the same way
every time and never twice; Margaret Lindsay looked after by Ward 7, two partners invited (to a
priority and to a measure review) who can log in with the demo password; Ward 7's and the
Emergency Department's boards with eight entries each, most published, linked to what followed;
and a partner who reads a board sees only its published entries."""

import datetime as dt
import random

import pytest
from django.db import transaction
from django.test import TestCase

from qms.codesign.models import PartnerInvitation, PartnerProfile, YouSaidEntry
from qms.codesign.selectors import yousaid as selectors
from qms.demo import improvement, issues, measures, organisation, planning
from qms.demo.codesign import partners, yousaid
from qms.demo.learning import networks
from qms.people import access
from qms.people.models import Person, Unit
from qms.people.roles import Role

# The module's demo fixture needs the test database even when run alone (no test of the
# file asks for `db` itself, and pytest-django sets up only the databases tests ask for).
pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """What `qms demo-data` does before co-design (what it needs), then its parts twice."""
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            rng = random.Random(2026)
            organisation.build(rng)
            measures.build(rng, today=TODAY)
            issues.build()
            improvement.build(today=TODAY)
            planning.build(rng, today=TODAY)
            networks.build(today=TODAY)
            first = {**partners.build(today=TODAY), **yousaid.build(today=TODAY)}
            second = {**partners.build(today=TODAY), **yousaid.build(today=TODAY)}
        yield first, second
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_it_builds_the_partners_and_boards_once(demo):
    first, second = demo
    assert first == second
    assert PartnerProfile.objects.count() == 3
    assert PartnerInvitation.objects.count() == 2
    for code in ("ward-7", "ed"):
        entries = YouSaidEntry.objects.filter(unit__code=code)
        assert entries.count() == 8
        assert entries.filter(published_at__isnull=False).count() == 7
        assert entries.exclude(followed_id=None).count() >= 4


@pytest.mark.django_db
def test_it_invites_two_partners_who_can_log_in(demo):
    elaine = Person.objects.get(email="elaine.murray@partners.example")
    tom = Person.objects.get(email="tom.gallacher@partners.example")
    assert elaine.has_usable_password() and tom.has_usable_password()
    (priority,) = [i.subject for i in PartnerInvitation.objects.filter(profile__person=elaine)]
    assert priority.title == "A child-friendly wait in the Emergency Department"
    assert access.roles_on(elaine, priority) == {Role.PARTNER}
    (measure,) = [i.subject for i in PartnerInvitation.objects.filter(profile__person=tom)]
    assert access.roles_on(tom, measure) == {Role.PARTNER}
    assert PartnerProfile.objects.get(person__username="partner").unit.code == "ward-7"


@pytest.mark.django_db
def test_it_shows_partners_the_published_entries_only(demo):
    margaret = Person.objects.get(username="partner")
    elaine = Person.objects.get(email="elaine.murray@partners.example")
    ward, ed = Unit.objects.get(code="ward-7"), Unit.objects.get(code="ed")
    assert selectors.may_read(margaret, ward) and not selectors.may_read(margaret, ed)
    assert selectors.may_read(elaine, ed) and not selectors.may_read(elaine, ward)
    assert not selectors.sees_drafts(elaine, ed)
    shown = selectors.board(elaine, ed, drafts=False)
    assert len(shown) == 7 and all(item.entry.published for item in shown)
