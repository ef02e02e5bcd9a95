"""Reads of coaching.

Who reads a coaching log is decided here and only here (`coaching_readable`): its coach and the
coachees named in it, while their accounts are active. No unit role opens it: not the unit's
leads, not a system administrator (the role that runs the installation reads no one's coaching).
Anyone else gets a 404, so a log's existence is never disclosed. Leaders learn the hours of
coaching in their units (`coaching_hours`), never who was coached or what was said."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from qms.culture import roles
from qms.culture.models import (
    AgreedAction,
    CoachingRelationship,
    CoachingSession,
    CoachingStatus,
)
from qms.people import access
from qms.people.models import Person, Unit

__all__ = [
    "DUE_WITHIN_DAYS",
    "CoachingDue",
    "CoachingPage",
    "UnitHours",
    "YourCoaching",
    "action_or_404",
    "coach_units",
    "may_coach",
    "may_see_hours",
    "coaching_due",
    "coaching_hours",
    "coaching_or_404",
    "coaching_page",
    "coaching_readable",
    "your_coaching",
]

# A session planned within a week, or an agreed action due within a week, needs the person now.
DUE_WITHIN_DAYS = 7
# Hours are counted over the last twelve months.
HOURS_WINDOW_DAYS = 365


def _relationships() -> QuerySet[CoachingRelationship]:
    return CoachingRelationship.objects.select_related("unit", "coach")


def coaching_readable(user, relationship: CoachingRelationship) -> bool:
    """Whether the user may read the coaching log: its coach and its coachees, nobody else."""
    if not user.is_authenticated or not user.is_active:
        return False
    if relationship.coach_id == user.pk:
        return True
    return relationship.coachees.filter(pk=user.pk).exists()


def coaching_or_404(user, pk, *, coach_only: bool = False) -> CoachingRelationship:
    """The coaching relationship if the user may read it (with `coach_only`, if they are its
    coach): 404 in every other case, leads and system administrators included."""
    try:
        relationship = _relationships().get(pk=pk)
    except (CoachingRelationship.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("Not found") from None
    if coach_only and relationship.coach_id != user.pk:
        raise Http404("Not found")
    if not coaching_readable(user, relationship):
        raise Http404("Not found")
    return relationship


def action_or_404(user, pk) -> AgreedAction:
    """An agreed action of a coaching log the user reads; 404 otherwise."""
    try:
        action = AgreedAction.objects.select_related("session__relationship").get(pk=pk)
    except (AgreedAction.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("Not found") from None
    if not coaching_readable(user, action.session.relationship):
        raise Http404("Not found")
    return action


@dataclass(frozen=True)
class CoachingPage:
    relationship: CoachingRelationship
    coachees: list[Person]
    sessions: list[CoachingSession]
    is_coach: bool
    hours: float
    open_actions: int
    today: dt.date


def coaching_page(user, relationship: CoachingRelationship) -> CoachingPage:
    """The log as its coach or a coachee reads it, in a fixed number of queries: coachees,
    sessions newest first with their agreed actions and owners."""
    actions = AgreedAction.objects.select_related("owner").order_by("due_on", "pk")
    sessions = list(
        relationship.sessions.prefetch_related(Prefetch("actions", queryset=actions)).order_by(
            "-held_on", "-pk"
        )
    )
    minutes = sum(session.minutes for session in sessions)
    return CoachingPage(
        relationship=relationship,
        coachees=list(relationship.coachees.order_by("display_name", "pk")),
        sessions=sessions,
        is_coach=relationship.coach_id == user.pk,
        hours=round(minutes / 60, 1),
        open_actions=sum(
            1 for session in sessions for action in session.actions.all() if not action.done_on
        ),
        today=timezone.localdate(),
    )


@dataclass(frozen=True)
class YourCoaching:
    as_coach: list[CoachingRelationship]
    as_coachee: list[CoachingRelationship]
    can_coach: bool


def your_coaching(user) -> YourCoaching:
    """The coaching the person gives and receives (open first, then ended), with each log's
    number of sessions; and whether they may open coaching anywhere."""
    if not user.is_authenticated:
        return YourCoaching([], [], False)
    listed = (
        _relationships()
        .annotate(session_count=Count("sessions"))
        .order_by("-status", "-started_on", "-pk")
    )
    return YourCoaching(
        as_coach=list(listed.filter(coach=user)),
        as_coachee=list(listed.filter(coachees=user)),
        can_coach=may_coach(user),
    )


def may_coach(user) -> bool:
    """Whether the person may open coaching somewhere (COACHES in a unit; a system
    administrator's None means every unit)."""
    return user.is_authenticated and access.unit_paths_with_role(user, roles.COACHES) != []


def may_see_hours(user) -> bool:
    """Whether the person sees hours of coaching (LEADERS in a unit)."""
    return user.is_authenticated and access.unit_paths_with_role(user, roles.LEADERS) != []


def coach_units(user) -> QuerySet[Unit]:
    """The units where the person may open coaching (COACHES held there, or above)."""
    return access.units_with_role(user, roles.COACHES).order_by("path")


@dataclass(frozen=True)
class UnitHours:
    unit: Unit
    hours: float
    sessions: int
    open_relationships: int


def coaching_hours(user, *, today: dt.date | None = None) -> list[UnitHours]:
    """Hours of coaching over the last twelve months in each unit the user leads (LEADERS)
    and below: counts only, never who or what. Two queries whatever the numbers."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=HOURS_WINDOW_DAYS)
    visible = access.visible(user, CoachingRelationship.objects.all(), roles.LEADERS)
    rows = (
        visible.values("unit")
        .annotate(
            minutes=Sum("sessions__minutes", filter=Q(sessions__held_on__gte=since)),
            sessions=Count("sessions", filter=Q(sessions__held_on__gte=since)),
            open_relationships=Count("pk", filter=Q(status=CoachingStatus.OPEN), distinct=True),
        )
        .order_by("unit")
    )
    counted = {row["unit"]: row for row in rows}
    units = Unit.objects.filter(pk__in=counted).order_by("path")
    return [
        UnitHours(
            unit=unit,
            hours=round((counted[unit.pk]["minutes"] or 0) / 60, 1),
            sessions=counted[unit.pk]["sessions"],
            open_relationships=counted[unit.pk]["open_relationships"],
        )
        for unit in units
    ]


@dataclass(frozen=True)
class CoachingDue:
    sessions: list[CoachingRelationship]
    actions: list[AgreedAction]
    today: dt.date

    @property
    def anything(self) -> bool:
        return bool(self.sessions or self.actions)


def coaching_due(user, *, today: dt.date | None = None) -> CoachingDue:
    """What coaching asks of the person now: sessions they coach planned within a week (or
    overdue), and agreed actions they own, not done, due within a week. Two queries."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=DUE_WITHIN_DAYS)
    if not user.is_authenticated:
        return CoachingDue([], [], today)
    sessions = list(
        _relationships()
        .filter(coach=user, status=CoachingStatus.OPEN, next_session_on__lte=horizon)
        .order_by("next_session_on", "pk")
    )
    actions = list(
        AgreedAction.objects.filter(
            owner=user,
            done_on__isnull=True,
            due_on__lte=horizon,
            session__relationship__status=CoachingStatus.OPEN,
        )
        .select_related("session__relationship")
        .order_by("due_on", "pk")
    )
    return CoachingDue(sessions, actions, today)
