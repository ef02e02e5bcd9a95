"""Reads shaped for the issue pages and the home page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from qms.issues.models import Action, Issue, IssueStatus
from qms.issues.roles import HANDLERS, VIEWERS
from qms.people import access
from qms.people.models import Person, Unit

# How far ahead the home page looks for a person's actions.
DUE_SOON_DAYS = 14


def unit_issues(
    user,
    unit: Unit,
    *,
    status: str = "",
    source: str = "",
    owner_id: int | None = None,
) -> QuerySet[Issue]:
    """The issues of a unit and the units below it that the user may see: those with overdue
    actions first, then open before in progress before closed, newest first. Each carries
    `open_action_count` and `overdue_action_count`."""
    today = timezone.localdate()
    issues = access.in_subtree(access.visible(user, Issue.objects.all(), VIEWERS), unit)
    if status:
        issues = issues.filter(status=status)
    if source:
        issues = issues.filter(source=source)
    if owner_id:
        issues = issues.filter(owner_id=owner_id)
    not_done = Q(actions__done_at__isnull=True)
    return (
        issues.select_related("unit", "owner")
        .annotate(
            open_action_count=Count("actions", filter=not_done),
            overdue_action_count=Count("actions", filter=not_done & Q(actions__due_on__lt=today)),
            closed_last=Case(
                When(status=IssueStatus.CLOSED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by(
            "closed_last",
            Case(When(overdue_action_count__gt=0, then=Value(0)), default=Value(1)),
            "-created_at",
            "-pk",
        )
    )


def issue_owners(user, unit: Unit) -> list[Person]:
    """The people who own issues of the unit and below that the user may see (the owner
    filter's choices)."""
    issues = access.in_subtree(access.visible(user, Issue.objects.all(), VIEWERS), unit)
    return list(
        Person.objects.filter(issues_owned__in=issues).distinct().order_by("display_name", "pk")
    )


def owners_in(unit: Unit) -> list[Person]:
    """The people who may own an issue or an action of the unit: active staff with a role in
    it or in a unit above it (a role reaches down). Bounded by the unit's line, never every
    person of the organisation."""
    return list(
        Person.objects.filter(
            is_active=True,
            memberships__unit_id__in=unit.ancestor_ids,
            memberships__role__in=VIEWERS,
        )
        .distinct()
        .order_by("display_name", "pk")
    )


@dataclass
class IssuePage:
    issue: Issue
    actions: list[Action]
    source_link: str  # the source record's page, when the viewer may see it
    source_title: str
    can_handle: bool
    owners: list[Person]
    today: dt.date


def _source_of(user, issue: Issue) -> tuple[str, str]:
    """The source record's title and link, when it still exists and the user may see it."""
    if issue.source_type_id is None:
        return "", ""
    record = issue.source_record
    if record is None:
        return "", ""
    try:
        seen = bool(access.roles_on(user, record))
    except AttributeError:  # a record that says nothing of its unit is not shown
        seen = False
    return (str(record), record.get_absolute_url()) if seen else ("", "")


def issue_page(user, issue: Issue) -> IssuePage:
    """An issue with its actions (not done first, by due date), its source and who may act."""
    actions = list(
        issue.actions.select_related("owner", "done_by").order_by(
            Case(When(done_at__isnull=True, then=Value(0)), default=Value(1)), "due_on", "pk"
        )
    )
    held = access.roles_on(user, issue)
    can_handle = bool(held & HANDLERS) or (user.pk == issue.owner_id and bool(held & VIEWERS))
    title, link = _source_of(user, issue)
    return IssuePage(
        issue=issue,
        actions=actions,
        source_link=link,
        source_title=title,
        can_handle=can_handle,
        owners=owners_in(issue.unit) if can_handle else [],
        today=timezone.localdate(),
    )


def actions_due_for(person, *, within_days: int = DUE_SOON_DAYS) -> list[Action]:
    """The person's actions not yet done on issues still open, overdue or due within
    `within_days`, soonest first."""
    today = timezone.localdate()
    actions = (
        Action.objects.filter(
            owner=person,
            done_at__isnull=True,
            due_on__lte=today + dt.timedelta(days=within_days),
        )
        .exclude(issue__status=IssueStatus.CLOSED)
        .select_related("issue__unit")
        .order_by("due_on", "pk")
    )
    return list(access.visible(person, actions, VIEWERS, unit_field="issue__unit"))


def overdue_actions(today: dt.date) -> QuerySet[Action]:
    """Actions past their due date, not done, on open issues, whose owner has not yet been
    reminded of that due date."""
    return (
        Action.objects.filter(done_at__isnull=True, due_on__lt=today, owner__isnull=False)
        .exclude(issue__status=IssueStatus.CLOSED)
        .exclude(reminded_for=F("due_on"))
        .select_related("owner", "issue__unit")
        .order_by("due_on", "pk")
    )


@dataclass
class HomeActions:
    actions: list[Action]
    today: dt.date

    @property
    def anything(self) -> bool:
        return bool(self.actions)


def home_actions(user) -> HomeActions | None:
    """The person's actions due soon or overdue, for home; None (no card) when there are none."""
    actions = actions_due_for(user)
    return HomeActions(actions, timezone.localdate()) if actions else None


def working_unit(user) -> Unit | None:
    """The unit whose issues the Issues link opens on: the one the person works in when they
    are staff there, otherwise the first where they are."""
    current = user.current_unit
    if current is not None and access.can(user, current, VIEWERS):
        return current
    membership = (
        user.memberships.filter(role__in=VIEWERS)
        .select_related("unit")
        .order_by("unit__path")
        .first()
    )
    return membership.unit if membership else None
