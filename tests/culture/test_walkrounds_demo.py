"""The demo's walkrounds: about one a month over a year on the Acute division's wards by the
medical director and the head of quality, with items, actions (some overdue) and feedback;
built the same way every time and never twice."""

import datetime as dt
import random

import pytest
from django.test import TestCase

from qms.culture.models import Walkround, WalkroundItem, WalkroundStatus
from qms.culture.selectors import walkrounds as selectors
from qms.demo import organisation
from qms.demo.culture import walkrounds
from qms.people.models import Person

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def demo(db):
    with TestCase.captureOnCommitCallbacks(execute=True):
        organisation.build(random.Random(2026))
        first = walkrounds.build(today=TODAY)
        second = walkrounds.build(today=TODAY)
    return first, second


def test_it_builds_the_walkrounds_once_over_the_acute_wards(demo):
    first, second = demo
    assert first == second == {"walkrounds": 14, "walkround items": 22}
    # Over the acute wards, by the demo's leaders.
    done = Walkround.objects.filter(status=WalkroundStatus.DONE)
    assert done.count() == 12
    assert {w.unit.code for w in done} >= {"ward-7", "ward-8", "amu", "ward-15"}
    assert all(w.unit.path.startswith(w.unit.parent.parent.path) for w in done)
    leaders = set(
        Person.objects.filter(walkrounds_led__isnull=False).values_list("username", flat=True)
    )
    assert leaders == {"board", "quality"}
    assert Walkround.objects.filter(status=WalkroundStatus.PLANNED).count() == 2
    assert done.exclude(feedback="").count() == 8


def test_it_leaves_some_follow_ups_overdue_some_done_and_shows_them_to_the_ward(demo):
    quality = Person.objects.get(username="quality")
    overdue = selectors.overdue_follow_ups(quality, today=TODAY)
    assert 3 <= len(overdue) <= 8
    assert WalkroundItem.objects.filter(issue__actions__done_at__isnull=False).count() >= 10
    assert selectors.walkround_actions_open(Person.objects.get(username="board"), today=TODAY)
    # Ward 7's member sees Ward 7's walkrounds only.
    member = Person.objects.get(username="member")
    listing = selectors.walkround_list(member)
    assert {w.unit.code for w in listing.done} == {"ward-7"} and len(listing.done) == 3
