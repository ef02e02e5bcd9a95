"""The demo's coaching: the coach with Ward 7's falls project team and its lead, the head of
quality with Ward 8's lead (ended); sessions over six months with agreed actions; built the same
way every time and never twice; private as any other log."""

import datetime as dt
import random

import pytest
from django.test import TestCase

from qms.culture.models import CoachingRelationship
from qms.culture.selectors import coaching as selectors
from qms.culture.selectors import leadership
from qms.demo import organisation
from qms.demo.culture import coaching
from qms.people.models import Person, Unit

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def demo(db):
    """The organisation and Ward 7's falls project (as the improvement demo names it), then
    coaching twice. (Function scope: a module-scoped database fixture finds no tables when the
    test database is built from the models, as the suite now builds it.)"""
    from qms.improvement.models import Project

    with TestCase.captureOnCommitCallbacks(execute=True):
        organisation.build(random.Random(2026))
        Project.objects.create(
            unit=Unit.objects.get(code="ward-7"),
            title="Fewer falls on Ward 7",
            problem="Falls at night",
            aim="Fewer falls",
            stage="spreading",
        )
        first = coaching.build(today=TODAY)
        second = coaching.build(today=TODAY)
    return first, second


def test_it_builds_the_stories_once(demo):
    first, second = demo
    assert (
        first
        == second
        == {
            "coaching logs": 3,
            "coaching sessions": 12,
            "agreed actions": 14,
        }
    )


def test_its_sessions_span_six_months_with_actions_and_one_log_ended(demo):
    team = CoachingRelationship.objects.get(title="Ward 7 falls project team")
    assert team.project is not None and team.project.title == "Fewer falls on Ward 7"
    assert {p.username for p in team.coachees.all()} == {"lead", "member"}
    days = [s.held_on for s in team.sessions.all()]
    assert (max(days) - min(days)).days >= 150
    assert all(s.actions.exists() for s in team.sessions.all())
    ended = CoachingRelationship.objects.get(title="Leading Ward 8's safety huddle")
    assert not ended.is_open and ended.summary
    assert ended.coach.username == "quality"


def test_its_logs_are_read_only_by_their_coach_and_coachees(demo):
    people = {
        p.username: p
        for p in Person.objects.filter(
            username__in=["coach", "lead", "member", "admin", "board", "quality"]
        )
    }
    team = CoachingRelationship.objects.get(title="Ward 7 falls project team")
    readers = {name for name, person in people.items() if selectors.coaching_readable(person, team)}
    assert readers == {"coach", "lead", "member"}


def test_it_gives_the_coach_something_in_the_leaders_view(demo):
    coach = Person.objects.get(username="coach")
    view = leadership.leader_view(coach, today=TODAY)
    assert [r.title for r in view.coaching.sessions] == [
        "Maria Santos: leading improvement on Ward 7"
    ]
