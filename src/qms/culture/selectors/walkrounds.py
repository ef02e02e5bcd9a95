"""Reads of walkrounds: a unit's walkrounds (and those of the units below it), planned and
done; one walkround with what staff raised and the follow-up of each item; the follow-ups
overdue; items counted by theme; and the open actions of the walkrounds a leader went on
(`walkround_actions_open`, for the leader's own view)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from qms.culture import roles
from qms.culture.models.walkrounds import (
    Walkround,
    WalkroundItem,
    WalkroundStatus,
    WalkroundTheme,
)
from qms.issues.models import Action
from qms.people import access
from qms.people.models import Person, Unit
from qms.people.roles import Role

# The walkrounds a list shows at most, newest first: a year of monthly visits to thirty wards.
LIST_LIMIT = 400


def _visible_walkrounds(user, unit: Unit | None) -> QuerySet[Walkround]:
    walkrounds = access.visible(user, Walkround.objects.all(), roles.VIEWERS)
    return access.in_subtree(walkrounds, unit) if unit is not None else walkrounds


def _open_actions() -> QuerySet[Action]:
    """Actions not done on issues raised from walkround items, soonest due first."""
    return (
        Action.objects.filter(done_at__isnull=True, issue__walkround_item__isnull=False)
        .select_related("owner", "issue__walkround_item__walkround__unit")
        .order_by("due_on", "pk")
    )


@dataclass(frozen=True)
class WalkroundList:
    planned: list[Walkround]
    done: list[Walkround]
    cancelled: list[Walkround]
    may_plan: bool


def walkround_list(user, unit: Unit | None = None) -> WalkroundList:
    """The walkrounds the user may read (of `unit` and below, or everywhere they are staff):
    planned soonest first, done and cancelled newest first; each with `item_count` and
    `open_action_count`, and its leaders prefetched (three queries)."""
    walkrounds = list(
        _visible_walkrounds(user, unit)
        .select_related("unit")
        .prefetch_related("leaders")
        .annotate(
            item_count=Count("items", distinct=True),
            open_action_count=Count(
                "items__issue__actions",
                filter=Q(items__issue__actions__done_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("-planned_on", "-pk")[:LIST_LIMIT]
    )
    by_status: dict[str, list[Walkround]] = {value: [] for value in WalkroundStatus.values}
    for walkround in walkrounds:
        by_status[walkround.status].append(walkround)
    may_plan = (
        access.can(user, unit, roles.WALKROUND_LEADERS)
        if unit is not None
        else access.unit_paths_with_role(user, roles.WALKROUND_LEADERS) != []
    )
    return WalkroundList(
        planned=list(reversed(by_status[WalkroundStatus.PLANNED])),
        done=by_status[WalkroundStatus.DONE],
        cancelled=by_status[WalkroundStatus.CANCELLED],
        may_plan=may_plan,
    )


def walkround_detail(walkround: Walkround) -> list[WalkroundItem]:
    """What staff raised on a walkround, each with its issue and the issue's actions and their
    owners (three queries)."""
    actions = Prefetch("issue__actions", queryset=Action.objects.select_related("owner"))
    return list(walkround.items.select_related("issue").prefetch_related(actions).order_by("pk"))


def overdue_follow_ups(user, unit: Unit | None = None, *, today: dt.date | None = None):
    """Actions raised from walkrounds past their due date and not done, in the units the user
    is staff of (of `unit` and below), the most overdue first."""
    today = today or timezone.localdate()
    actions = access.visible(
        user, _open_actions().filter(due_on__lt=today), roles.VIEWERS, unit_field="issue__unit"
    )
    if unit is not None:
        actions = access.in_subtree(actions, unit, unit_field="issue__unit")
    return list(actions[:LIST_LIMIT])


@dataclass(frozen=True)
class ThemeCount:
    code: str
    name: str
    count: int


def items_by_theme(user, unit: Unit | None = None) -> list[ThemeCount]:
    """What staff raised on walkrounds counted by the part of the system it was about, every
    theme listed (a zero says something too), most raised first (one query)."""
    items = access.visible(
        user, WalkroundItem.objects.all(), roles.VIEWERS, unit_field="walkround__unit"
    )
    if unit is not None:
        items = access.in_subtree(items, unit, unit_field="walkround__unit")
    counts = dict(items.values_list("theme").annotate(n=Count("pk")).order_by())
    rows = [
        ThemeCount(code, str(name), counts.get(code, 0)) for code, name in WalkroundTheme.choices
    ]
    return sorted(rows, key=lambda row: -row.count)


def walkround_actions_open(user, *, today: dt.date | None = None) -> list[Action]:
    """The open actions from the walkrounds `user` went on as a leader, soonest due first:
    what their teams are waiting on them to follow up. Each action carries `walkround` (the
    visit it came from) and `overdue` (one query)."""
    today = today or timezone.localdate()
    actions = list(
        access.visible(
            user,
            _open_actions().filter(issue__walkround_item__walkround__leaders=user),
            roles.VIEWERS,
            unit_field="issue__unit",
        )[:LIST_LIMIT]
    )
    for action in actions:
        action.walkround = action.issue.walkround_item.walkround
        action.overdue = action.due_on < today
    return actions


def walkrounds_planned(user, *, today: dt.date | None = None) -> list[Walkround]:
    """The planned walkrounds `user` is going on, from today (overdue plans too: a plan whose
    date has passed is still to record or cancel), soonest first (one query)."""
    walkrounds = access.visible(
        user, Walkround.objects.filter(status=WalkroundStatus.PLANNED, leaders=user), roles.VIEWERS
    )
    return list(walkrounds.select_related("unit").order_by("planned_on", "pk")[:LIST_LIMIT])


def walkround_leaders_in(unit: Unit) -> list[Person]:
    """The people who may go on a walkround of the unit as a leader: active, holding a
    walkround leader's role in it or in a unit above (system administrators are left out:
    theirs is a technical role, not a senior leader's)."""
    leading = roles.WALKROUND_LEADERS - {Role.SYSTEM_ADMINISTRATOR}
    return list(
        Person.objects.filter(
            is_active=True,
            memberships__unit_id__in=unit.ancestor_ids,
            memberships__role__in=leading,
        )
        .distinct()
        .order_by("display_name", "pk")
    )


def units_to_choose(user) -> list[Unit]:
    """The units whose walkrounds the user reads, in the tree's order, for the list's filter."""
    return list(access.units_with_role(user, roles.VIEWERS).order_by("path")[:LIST_LIMIT])
