"""Writing a coaching log: who may open, record, end; what is refused and saves nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_person

from culture.coaching_support import TODAY, make_coach, open_coaching, record_session
from qms.culture.models import AgreedAction, CoachingRelationship, CoachingSession
from qms.culture.services import coaching as services
from qms.people.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach(org):
    return make_coach(org)


def test_it_opens_coaching_of_a_person_for_a_coach_of_the_unit(org, coach, lead):
    relationship = open_coaching(coach, org["ward"], [lead])
    assert relationship.coach == coach
    assert list(relationship.coachees.all()) == [lead]
    assert relationship.is_open


def test_it_opens_coaching_of_a_team_with_its_members_named(org, coach, lead, member):
    relationship = open_coaching(coach, org["ward"], [lead, member, member], kind="team")
    assert set(relationship.coachees.all()) == {lead, member}


def test_it_refuses_a_coach_without_a_coaching_role_in_the_unit(org, lead, member, outsider):
    with pytest.raises(PermissionDenied):
        open_coaching(member, org["ward"], [lead])
    with pytest.raises(PermissionDenied):
        open_coaching(outsider, org["ward"], [lead])
    assert not CoachingRelationship.objects.exists()


def test_it_refuses_coachees_from_outside_the_unit_partners_and_the_coach(
    org, coach, lead, partner, outsider
):
    other = make_person("other", (Role.TEAM_MEMBER, org["other_ward"]))
    for people in ([outsider], [other], [partner], [coach], []):
        with pytest.raises(ValidationError) as error:
            open_coaching(coach, org["ward"], people)
        assert "coachees" in error.value.error_dict
    assert not CoachingRelationship.objects.exists()


def test_it_refuses_two_people_in_coaching_of_a_person(org, coach, lead, member):
    with pytest.raises(ValidationError) as error:
        open_coaching(coach, org["ward"], [lead, member], kind="person")
    assert "exactly one" in str(error.value)


def test_it_refuses_bad_kinds_titles_goals_and_days(org, coach, lead):
    bad = [
        {"kind": "nobody"},
        {"title": "   "},
        {"title": "x" * 201},
        {"goals": ""},
        {"started_on": TODAY + dt.timedelta(days=2)},
        {"started_on": "yesterday"},
        {"next_session_on": TODAY + dt.timedelta(days=900)},
    ]
    for fields in bad:
        kind = fields.pop("kind", "person")
        with pytest.raises(ValidationError):
            open_coaching(coach, org["ward"], [lead], kind=kind, **fields)
    assert not CoachingRelationship.objects.exists()


def test_it_records_a_session_with_agreed_actions(org, coach, lead):
    relationship = open_coaching(coach, org["ward"], [lead])
    due = TODAY + dt.timedelta(days=14)
    session = record_session(
        coach,
        relationship,
        actions=[
            {"text": "Ask the quietest person first", "owner": lead, "due_on": due},
            {"text": "Send the huddle guide", "owner": coach, "due_on": due},
        ],
        next_session_on=TODAY + dt.timedelta(days=21),
    )
    assert session.minutes == 45
    assert [a.owner for a in session.actions.order_by("pk")] == [lead, coach]
    relationship.refresh_from_db()
    assert relationship.next_session_on == TODAY + dt.timedelta(days=21)


def test_it_lets_only_the_coach_record_a_session(org, coach, lead, quality_lead):
    relationship = open_coaching(coach, org["ward"], [lead])
    for person in (lead, quality_lead, None):
        with pytest.raises(PermissionDenied):
            record_session(person, relationship)
    assert not CoachingSession.objects.exists()


def test_it_saves_nothing_of_a_session_with_a_bad_action(org, coach, lead, member):
    relationship = open_coaching(coach, org["ward"], [lead])
    due = TODAY + dt.timedelta(days=3)
    bad_rows = [
        [
            {"text": "Fine", "owner": lead, "due_on": due},
            {"text": "", "owner": lead, "due_on": due},
        ],
        [{"text": "Not theirs", "owner": member, "due_on": due}],
        [{"text": "No date", "owner": lead, "due_on": None}],
        [{"text": "Many", "owner": lead, "due_on": due}] * 11,
    ]
    for rows in bad_rows:
        with pytest.raises(ValidationError):
            record_session(coach, relationship, actions=rows)
    for minutes in (0, -5, 100_000, "45"):
        with pytest.raises(ValidationError):
            record_session(coach, relationship, minutes=minutes)
    with pytest.raises(ValidationError):
        record_session(coach, relationship, held_on=TODAY - dt.timedelta(days=365))
    assert not CoachingSession.objects.exists()
    assert not AgreedAction.objects.exists()


def test_it_lets_the_owner_or_the_coach_mark_an_action_done(org, coach, lead, member):
    relationship = open_coaching(coach, org["ward"], [lead, member], kind="team")
    session = record_session(
        coach,
        relationship,
        actions=[{"text": "Try it", "owner": lead, "due_on": TODAY}],
    )
    action = session.actions.get()
    with pytest.raises(PermissionDenied):
        services.agreed_action_complete(by=member, action=action)
    assert services.agreed_action_complete(by=lead, action=action).done_on == TODAY
    assert services.agreed_action_complete(by=coach, action=action, done=False).done_on is None


def test_it_ends_coaching_with_a_summary_and_then_refuses_changes(org, coach, lead):
    relationship = open_coaching(coach, org["ward"], [lead])
    with pytest.raises(PermissionDenied):
        services.coaching_end(by=lead, relationship=relationship, summary="Done")
    with pytest.raises(ValidationError):
        services.coaching_end(by=coach, relationship=relationship, summary=" ")
    ended = services.coaching_end(by=coach, relationship=relationship, summary="Runs it well.")
    assert not ended.is_open and ended.ended_on == TODAY and ended.summary == "Runs it well."
    with pytest.raises(ValidationError):
        record_session(coach, ended)
    with pytest.raises(ValidationError):
        services.coaching_update(by=coach, relationship=ended, goals="More")


def test_it_lets_the_coach_change_goals_and_the_team(org, coach, lead, member):
    relationship = open_coaching(coach, org["ward"], [lead], kind="team")
    services.coaching_update(
        by=coach, relationship=relationship, goals="New goals", coachees=[lead, member]
    )
    relationship.refresh_from_db()
    assert relationship.goals == "New goals"
    assert set(relationship.coachees.all()) == {lead, member}
    with pytest.raises(PermissionDenied):
        services.coaching_update(by=lead, relationship=relationship, goals="Mine")


def test_it_keeps_no_history_of_coaching(org, coach, lead):
    assert not hasattr(CoachingRelationship, "history")
    assert not hasattr(CoachingSession, "history")
    assert not hasattr(AgreedAction, "history")


def test_it_keeps_coaching_out_of_the_django_admin():
    from django.contrib import admin

    registered = {model._meta.label for model in admin.site._registry}
    assert (
        not {
            "culture.CoachingRelationship",
            "culture.CoachingSession",
            "culture.AgreedAction",
        }
        & registered
    )
