"""Reads of leadership: the leader's view of what the teams they lead need from them now.

Each section is one or two queries whatever the numbers (the first LIMIT rows, and a count only
when there are more), so the page and home's card stay bounded. Good work counts as recognised
when its unit received recognition since (the recognition part's records name a person or a
team, not the bright spot or project that earned it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from qms.culture import roles
from qms.culture.models import Recognition, Walkround, WalkroundStatus
from qms.culture.selectors import coaching as coaching_selectors
from qms.culture.selectors import recognition as recognition_selectors
from qms.culture.selectors import walkrounds as walkround_selectors
from qms.escalation import selectors as escalation_selectors
from qms.escalation import services as escalation_services
from qms.escalation.models import Escalation, EscalationStatus
from qms.improvement import selectors as improvement_selectors
from qms.issues.models import Action, IssueStatus
from qms.learning import selectors as learning_selectors
from qms.people import access
from qms.people.models import Unit, UnitKind

__all__ = ["LIMIT", "RECENT_DAYS", "LeaderView", "Section", "home_leader", "leader_view"]

# Rows shown per section; a count says how many more wait.
LIMIT = 8
# "Lately": bright spots accepted and teams recognised within this many days.
RECENT_DAYS = 90
# The improvement stage of a project whose change has held.
SUSTAINING = "sustaining"
# The units that are teams people work in (wards and teams), as opposed to the units above.
TEAM_KINDS = (UnitKind.WARD, UnitKind.TEAM)


@dataclass(frozen=True)
class Section:
    """Rows of one kind and how many there are in all."""

    rows: list[Any]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)


def _section(queryset: QuerySet) -> Section:
    rows = list(queryset[: LIMIT + 1])
    total = len(rows) if len(rows) <= LIMIT else queryset.count()
    return Section(rows[:LIMIT], total)


def _listed(rows: list) -> Section:
    return Section(list(rows[:LIMIT]), len(rows))


def leads_anywhere(user) -> bool:
    """Whether the person is a leader somewhere (LEADERS in a unit; a system administrator's
    every unit too): the same people see the hours of coaching."""
    return coaching_selectors.may_see_hours(user)


def _escalations(user) -> Section:
    """Escalations that reached a unit the user leads and wait for an answer they may give."""
    waiting = access.visible(
        user,
        Escalation.objects.filter(status=EscalationStatus.OPEN),
        roles.LEADERS,
        unit_field="to_unit",
    ).select_related("from_unit", "to_unit")
    rows = escalation_selectors.with_subjects(waiting.order_by("created_at", "pk"))
    answerable = [e for e in rows[: LIMIT * 4] if escalation_services.may_respond(user, e)]
    return _listed(answerable)


def _overdue_actions(user, today: dt.date) -> Section:
    """Issue actions past their due date, not done, on open issues of units the user leads."""
    overdue = (
        Action.objects.filter(done_at__isnull=True, due_on__lt=today)
        .exclude(issue__status=IssueStatus.CLOSED)
        .select_related("owner", "issue__unit")
        .order_by("due_on", "pk")
    )
    return _section(
        access.in_units_with_role(user, overdue, roles.LEADERS, unit_field="issue__unit")
    )


def _sustaining_projects(user) -> list:
    projects = improvement_selectors.projects_with_unit().filter(stage=SUSTAINING)
    return list(access.visible(user, projects, roles.LEADERS).order_by("unit__path", "pk")[:LIMIT])


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day))


def _unrecognised(spots: list, projects: list, since: dt.date) -> tuple[Section, Section]:
    """The bright spots and projects whose unit received no recognition since (the spot's
    acceptance, or `since` for a project): one query for both."""
    units = {row.unit_id for row in [*spots, *projects]}
    latest: dict[int, dt.datetime] = {}
    recognised = Recognition.objects.filter(unit_id__in=units, reported_at__gte=_moment(since))
    for unit_id, reported_at in recognised.values_list("unit_id", "reported_at"):
        latest[unit_id] = max(reported_at, latest.get(unit_id, reported_at))
    spots = [s for s in spots if s.unit_id not in latest or latest[s.unit_id] < s.decided_at]
    projects = [p for p in projects if p.unit_id not in latest]
    return _listed(spots), _listed(projects)


def _quiet_teams(user, since: dt.date) -> Section:
    """Wards and teams in the units the user leads where nothing was recognised since."""
    recognised = Recognition.objects.filter(reported_at__gte=_moment(since)).values("unit")
    teams = access.in_units_with_role(
        user, Unit.objects.filter(kind__in=TEAM_KINDS), roles.LEADERS, unit_field=None
    )
    return _section(teams.exclude(pk__in=recognised).order_by("path"))


def _walkrounds_planned(user) -> Section:
    """Planned walkrounds the user will lead, or of the units they lead, soonest first."""
    theirs = access.visible(user, Walkround.objects.all(), roles.LEADERS).values("pk")
    planned = (
        Walkround.objects.filter(status=WalkroundStatus.PLANNED)
        .filter(Q(leaders=user) | Q(pk__in=theirs))
        .distinct()
        .select_related("unit")
        .order_by("planned_on", "pk")
    )
    return _section(planned)


@dataclass(frozen=True)
class LeaderView:
    today: dt.date
    escalations: Section
    overdue_actions: Section
    walkround_actions: Section
    recognition_to_pass_on: Section
    bright_spots: Section
    sustaining_projects: Section
    quiet_teams: Section
    coaching: coaching_selectors.CoachingDue
    walkrounds_planned: Section

    @property
    def anything(self) -> bool:
        return bool(
            self.escalations
            or self.overdue_actions
            or self.walkround_actions
            or self.recognition_to_pass_on
            or self.coaching.anything
        )


def leader_view(user, *, today: dt.date | None = None) -> LeaderView:
    """What the teams the user leads need from them now: escalations waiting for their answer,
    overdue actions in their units and open actions of the walkrounds they went on, recognition
    to give (reported and waiting for them to pass on; bright spots accepted lately and
    projects sustaining their improvement whose team was not recognised since; wards and teams
    with nothing recognised in RECENT_DAYS), their coaching due and walkrounds planned. A
    bounded number of queries whatever the numbers."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=RECENT_DAYS)
    spots, projects = _unrecognised(
        learning_selectors.bright_spots_accepted_since(user, since, roles.LEADERS, limit=LIMIT),
        _sustaining_projects(user),
        since,
    )
    return LeaderView(
        today=today,
        escalations=_escalations(user),
        overdue_actions=_overdue_actions(user, today),
        walkround_actions=_listed(walkround_selectors.walkround_actions_open(user, today=today)),
        recognition_to_pass_on=_listed(recognition_selectors.recognition_to_pass_on(user)),
        bright_spots=spots,
        sustaining_projects=projects,
        quiet_teams=_quiet_teams(user, since),
        coaching=coaching_selectors.coaching_due(user, today=today),
        walkrounds_planned=_walkrounds_planned(user),
    )


def home_leader(user) -> LeaderView | None:
    """Home's "What needs you" card: for leaders with something waiting for them; None (no
    card) for everyone else."""
    if not leads_anywhere(user):
        return None
    view = leader_view(user)
    return view if view.anything else None
