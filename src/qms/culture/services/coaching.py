"""Writes of coaching: every write authorises `by` and is atomic.

A coaching log keeps no history table on purpose (as reflections do): its goals, notes and
summary are private to the coach and the coachees, and a copy of every version would be one
more place for them to be read. The coach writes the log; a coachee marks their own agreed
actions done. `by` is always a person here, never the system (the demo writes as its coaches)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qms.culture import roles
from qms.culture.models import (
    AgreedAction,
    CoachingKind,
    CoachingRelationship,
    CoachingSession,
    CoachingStatus,
)
from qms.culture.models.coaching import SESSION_MINUTES_MAX
from qms.improvement import selectors as project_selectors
from qms.people import access
from qms.people.models import Membership, Person, Unit
from qms.people.roles import STAFF_ROLES, Role

__all__ = [
    "ACTIONS_PER_SESSION",
    "COACHEES_MAX",
    "agreed_action_complete",
    "coaching_end",
    "coaching_open",
    "coaching_session_record",
    "coaching_update",
]

TITLE_MAX = 200
FOCUS_MAX = 200
ACTION_MAX = 300
COACHEES_MAX = 30
ACTIONS_PER_SESSION = 10
_EARLIEST = dt.date(2000, 1, 1)
# The next session is planned within a year; further is a typing mistake.
_PLAN_AHEAD = dt.timedelta(days=366)
# Staff roles held for real: the system administrator role reaches every unit, which does not
# make its holder one of a unit's staff to be coached.
_COACHABLE_ROLES = STAFF_ROLES - {Role.SYSTEM_ADMINISTRATOR}


def _today() -> dt.date:
    return timezone.localdate()


def _text(value, field: str, label: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"Give the {label}."})
    if len(value) > limit:
        raise ValidationError({field: f"Keep the {label} to {limit} characters."})
    return value


def _past_day(value, field: str, label: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationError({field: f"Give the {label} as a date."})
    if value < _EARLIEST or value > _today():
        raise ValidationError({field: f"The {label} must be a day in the past, not {value}."})
    return value


def _future_day(value, field: str, label: str, *, optional: bool = False) -> dt.date | None:
    if value is None and optional:
        return None
    if not isinstance(value, dt.date):
        raise ValidationError({field: f"Give the {label} as a date."})
    if value < _EARLIEST or value > _today() + _PLAN_AHEAD:
        raise ValidationError({field: f"The {label} must be within a year, not {value}."})
    return value


def _require_coach(by, relationship: CoachingRelationship, action: str) -> None:
    if by is None or relationship.coach_id != by.pk:
        raise PermissionDenied(f"Only the coach may {action}.")


def _require_open(relationship: CoachingRelationship) -> None:
    if not relationship.is_open:
        raise ValidationError({"status": "This coaching has ended: it can no longer change."})


def _check_coachees(coach: Person, unit: Unit, coachees: Iterable[Person], project) -> list[Person]:
    """The coachees, each once: active staff of the unit (or a unit below it) or of the
    project's team; never the coach."""
    people = list({person.pk: person for person in coachees}.values())
    if not people:
        raise ValidationError({"coachees": "Name the person or the team's members coached."})
    if len(people) > COACHEES_MAX:
        raise ValidationError({"coachees": f"Name at most {COACHEES_MAX} people."})
    if any(person.pk == coach.pk for person in people):
        raise ValidationError({"coachees": "A coach does not coach themselves."})
    staff = set(
        Membership.objects.filter(
            person__in=people,
            person__is_active=True,
            unit__path__startswith=unit.path,
            role__in=_COACHABLE_ROLES,
        ).values_list("person_id", flat=True)
    )
    if project is not None:
        staff |= {person.pk for person in project_selectors.team_people(project)}
    outside = [str(person) for person in people if person.pk not in staff]
    if outside:
        raise ValidationError(
            {
                "coachees": f"Not staff of {unit} or its project team: "
                + ", ".join(sorted(outside))
                + "."
            }
        )
    return people


def _check_project(by, unit: Unit, project):
    if project is None:
        return None
    if not project.unit.path.startswith(unit.path):
        raise ValidationError({"project": f"Choose a project of {unit} or a unit below it."})
    if by is not None and not access.can(by, project, STAFF_ROLES):
        raise ValidationError({"project": "Choose a project you can see."})
    return project


@transaction.atomic
def coaching_open(
    *,
    by,
    unit: Unit,
    kind: str,
    title: str,
    coachees: Iterable[Person],
    goals: str,
    started_on: dt.date | None = None,
    next_session_on: dt.date | None = None,
    project=None,
) -> CoachingRelationship:
    """Open a coaching relationship in `unit`: `by` is the coach (COACHES in the unit), working
    with one person (`kind="person"`) or a team (`"team"`: its members named one by one, staff of
    the unit or below or of `project`'s team), towards `goals`. Only the coach and the coachees
    will read it."""
    if by is None:
        raise PermissionDenied("Coaching is opened by its coach.")
    access.authorise(by, unit, roles.COACHES, "coach a person or team here")
    if kind not in CoachingKind.values:
        raise ValidationError({"kind": f"Not a kind of coaching: {kind}."})
    project = _check_project(by, unit, project)
    people = _check_coachees(by, unit, coachees, project)
    if kind == CoachingKind.PERSON and len(people) != 1:
        raise ValidationError({"coachees": "Coaching a person names exactly one person."})
    relationship = CoachingRelationship.objects.create(
        unit=unit,
        coach=by,
        kind=kind,
        title=_text(title, "title", "title", TITLE_MAX),
        goals=_text(goals, "goals", "goals", 5000),
        project=project,
        started_on=_past_day(started_on or _today(), "started_on", "start"),
        next_session_on=_future_day(
            next_session_on, "next_session_on", "next session", optional=True
        ),
    )
    relationship.coachees.set(people)
    return relationship


@transaction.atomic
def coaching_update(
    *,
    by,
    relationship: CoachingRelationship,
    title: str | None = None,
    goals: str | None = None,
    next_session_on: dt.date | None = None,
    coachees: Iterable[Person] | None = None,
) -> CoachingRelationship:
    """Change an open coaching relationship (its coach only): title, goals, the day of the next
    session, who is coached (a team's members change)."""
    relationship = CoachingRelationship.objects.select_for_update().get(pk=relationship.pk)
    _require_coach(by, relationship, "change the coaching")
    _require_open(relationship)
    if title is not None:
        relationship.title = _text(title, "title", "title", TITLE_MAX)
    if goals is not None:
        relationship.goals = _text(goals, "goals", "goals", 5000)
    relationship.next_session_on = _future_day(
        next_session_on, "next_session_on", "next session", optional=True
    )
    if coachees is not None:
        people = _check_coachees(by, relationship.unit, coachees, relationship.project)
        if relationship.kind == CoachingKind.PERSON and len(people) != 1:
            raise ValidationError({"coachees": "Coaching a person names exactly one person."})
        relationship.coachees.set(people)
    relationship.save()
    return relationship


def _check_action(row: dict, index: int, owners: set[int]) -> AgreedAction:
    text = _text(row.get("text"), "actions", f"action {index}'s words", ACTION_MAX)
    owner = row.get("owner")
    if owner is None or owner.pk not in owners:
        raise ValidationError(
            {"actions": f"Action {index}: its owner must be the coach or one of the coachees."}
        )
    due_on = _future_day(row.get("due_on"), "actions", f"action {index}'s due date")
    return AgreedAction(text=text, owner=owner, due_on=due_on)


@transaction.atomic
def coaching_session_record(
    *,
    by,
    relationship: CoachingRelationship,
    held_on: dt.date,
    minutes: int,
    focus: str,
    notes: str = "",
    progress: str = "",
    actions: Iterable[dict] = (),
    next_session_on: dt.date | None = None,
) -> CoachingSession:
    """Record a session of an open coaching relationship (its coach only): when, how many
    minutes, its focus, private notes, progress on the goals, and the actions agreed (each a
    dict of `text`, `owner`: the coach or a coachee, `due_on`). `next_session_on` plans the next
    one (None: not planned yet)."""
    relationship = CoachingRelationship.objects.select_for_update().get(pk=relationship.pk)
    _require_coach(by, relationship, "record a session")
    _require_open(relationship)
    if not isinstance(minutes, int) or not 1 <= minutes <= SESSION_MINUTES_MAX:
        raise ValidationError(
            {"minutes": f"Give the length in minutes, from 1 to {SESSION_MINUTES_MAX}."}
        )
    held_on = _past_day(held_on, "held_on", "day of the session")
    if held_on < relationship.started_on:
        raise ValidationError({"held_on": "The session cannot be before the coaching started."})
    rows = list(actions)
    if len(rows) > ACTIONS_PER_SESSION:
        raise ValidationError({"actions": f"Agree at most {ACTIONS_PER_SESSION} actions."})
    owners = {relationship.coach_id, *relationship.coachees.values_list("pk", flat=True)}
    agreed = [_check_action(row, i, owners) for i, row in enumerate(rows, start=1)]
    session = CoachingSession.objects.create(
        relationship=relationship,
        held_on=held_on,
        minutes=minutes,
        focus=_text(focus, "focus", "focus", FOCUS_MAX),
        notes=_text(notes, "notes", "notes", 10_000, required=False),
        progress=_text(progress, "progress", "progress", 5000, required=False),
    )
    for action in agreed:
        action.session = session
    AgreedAction.objects.bulk_create(agreed)
    relationship.next_session_on = _future_day(
        next_session_on, "next_session_on", "next session", optional=True
    )
    relationship.save(update_fields=["next_session_on"])
    return session


@transaction.atomic
def agreed_action_complete(*, by, action: AgreedAction, done: bool = True) -> AgreedAction:
    """Mark an agreed action done (or not done again): its owner or the coach."""
    action = (
        AgreedAction.objects.select_for_update()
        .select_related("session__relationship")
        .get(pk=action.pk)
    )
    relationship = action.session.relationship
    if by is None or by.pk not in {action.owner_id, relationship.coach_id}:
        raise PermissionDenied("Only the action's owner or the coach may mark it done.")
    action.done_on = _today() if done else None
    action.save(update_fields=["done_on"])
    return action


@transaction.atomic
def coaching_end(
    *, by, relationship: CoachingRelationship, summary: str, ended_on: dt.date | None = None
) -> CoachingRelationship:
    """End an open coaching relationship with a summary of what was achieved (its coach only).
    The log stays, for the coach and the coachees to read."""
    relationship = CoachingRelationship.objects.select_for_update().get(pk=relationship.pk)
    _require_coach(by, relationship, "end the coaching")
    _require_open(relationship)
    ended_on = _past_day(ended_on or _today(), "ended_on", "end")
    if ended_on < relationship.started_on:
        raise ValidationError({"ended_on": "The coaching cannot end before it started."})
    relationship.summary = _text(summary, "summary", "summary", 5000)
    relationship.status = CoachingStatus.ENDED
    relationship.ended_on = ended_on
    relationship.next_session_on = None
    relationship.save()
    return relationship
