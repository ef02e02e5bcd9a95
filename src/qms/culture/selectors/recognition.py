"""Reads of recognition: who may read one, a unit's latest, by theme (a Pareto like planning's
contributory factors) and by month, what a person received, and what a leader still has to
pass on. Public for other parts: `recognition_to_pass_on(user)` (the leader's view),
`unit_recognition(unit, since)` and `monthly_counts(unit, since=..., until=...)` (a measure
the reporting culture part may chart)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from qms.culture import roles
from qms.culture.models import ExcellenceTheme, Recognition
from qms.people import access
from qms.people.models import Person, Unit
from qms.people.roles import ALL_ROLES, STAFF_ROLES
from qms.stats.pareto import PARETO_REFERENCE, pareto_rows, pareto_spec

__all__ = [
    "Panel",
    "ThemeCount",
    "ThemePareto",
    "may_read",
    "monthly_counts",
    "panel",
    "received",
    "latest_for",
    "received_count",
    "recipients_for",
    "recognition_for",
    "recognition_to_pass_on",
    "recognitions_of",
    "recognitions_with_theme",
    "theme_pareto",
    "themes",
    "unit_recognition",
]

# The recognition a panel shows (the unit page, the huddle board).
PANEL_LATEST = 3
# What a leader's list of recognition still to pass on holds at most.
PASS_ON_LIMIT = 50


def _with_parts(queryset: QuerySet[Recognition]) -> QuerySet[Recognition]:
    """What a list shows of each recognition, read with it: two queries in all."""
    return queryset.select_related(
        "unit", "recipient", "reported_by", "thanked_by"
    ).prefetch_related(
        Prefetch("themes", queryset=ExcellenceTheme.objects.order_by("position", "pk"))
    )


def themes(*, include_retired: bool = False) -> list[ExcellenceTheme]:
    """The themes of excellence in their order."""
    found = ExcellenceTheme.objects.order_by("position", "pk")
    if not include_retired:
        found = found.filter(is_active=True)
    return list(found)


def may_read(user, recognition: Recognition) -> bool:
    """A recognition is read by its recipient and the person who reported it, by the leads of
    its unit, and by the unit's staff when it is shown (the recipient may keep it private).
    Partners see what they reported, not the unit's."""
    if not user.is_authenticated:
        return False
    if user.pk in (recognition.recipient_id, recognition.reported_by_id):
        return True
    held = access.roles_on(user, recognition)
    if held & roles.RECOGNITION_THANKERS:
        return True
    return recognition.shown and bool(held & roles.VIEWERS)


def recognition_for(user, pk) -> Recognition:
    """The recognition with this id if the user may read it; Http404 otherwise (whether it
    exists is not disclosed)."""
    queryset = Recognition.objects.select_related("unit", "recipient", "reported_by", "thanked_by")
    recognition = access.object_or_404(user, queryset, pk, ALL_ROLES)
    if not may_read(user, recognition):
        raise Http404("Not found")
    return recognition


def recognitions_of(user, unit: Unit) -> QuerySet[Recognition]:
    """The recognition of `unit` and below the user may read there, newest first (the caller
    checked the user sees the unit): all of it for its leads, what is shown for its staff."""
    found = access.in_subtree(Recognition.objects.all(), unit)
    if not access.can(user, unit, roles.RECOGNITION_THANKERS):
        found = found.filter(shown=True)
    return _with_parts(found).order_by("-reported_at", "-pk")


def unit_recognition(unit: Unit, since: dt.date | dt.datetime | None = None) -> list[Recognition]:
    """The recognition shown in `unit` and below since `since` (a date or a moment; None: all),
    newest first, with its people and themes (three queries). For other parts' pages: the
    caller checks the reader may see the unit."""
    found = access.in_subtree(Recognition.objects.filter(shown=True), unit)
    if since is not None:
        found = found.filter(reported_at__gte=_moment(since))
    return list(_with_parts(found).order_by("-reported_at", "-pk"))


def _moment(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime(value.year, value.month, value.day))


def recognition_to_pass_on(user, *, limit: int = PASS_ON_LIMIT) -> list[Recognition]:
    """The recognition a leader still has to pass on: in the units where the user is a lead
    (team or quality lead, or a system administrator) and below, not thanked yet, not of the
    user themselves, oldest first (the longest waiting at the top), at most `limit`."""
    if not user.is_authenticated:
        return []
    waiting = access.in_units_with_role(
        user, Recognition.objects.filter(thanked_at__isnull=True), roles.RECOGNITION_THANKERS
    ).exclude(recipient=user)
    return list(_with_parts(waiting).order_by("reported_at", "pk")[:limit])


def received(user) -> list[Recognition]:
    """The recognition the user received, newest first."""
    if not user.is_authenticated:
        return []
    return list(_with_parts(Recognition.objects.filter(recipient=user)).order_by("-reported_at"))


def received_count(user) -> int:
    return Recognition.objects.filter(recipient=user).count() if user.is_authenticated else 0


def latest_for(user, *, limit: int) -> list[Recognition]:
    """The latest recognition shown in the units where the user is staff (and below)."""
    if not user.is_authenticated:
        return []
    shown = access.in_units_with_role(user, Recognition.objects.filter(shown=True), roles.VIEWERS)
    return list(_with_parts(shown).order_by("-reported_at", "-pk")[:limit])


def recipients_for(unit: Unit) -> list[Person]:
    """The people who may be recognised in `unit`: those with a staff role there or below,
    active, each once, by name."""
    return list(
        Person.objects.filter(
            is_active=True,
            memberships__role__in=STAFF_ROLES,
            memberships__unit__path__startswith=unit.path,
        )
        .distinct()
        .order_by("display_name", "pk")
    )


# Counts ---------------------------------------------------------------------------------------


def _month_start(month: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(month.year, month.month, 1))


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _in_period(unit: Unit, since: dt.date | None, until: dt.date | None) -> QuerySet[Recognition]:
    found = access.in_subtree(Recognition.objects.all(), unit)
    if since is not None:
        found = found.filter(reported_at__gte=_month_start(since))
    if until is not None:
        found = found.filter(reported_at__lt=_month_start(_next_month(until)))
    return found


def monthly_counts(unit: Unit, *, since: dt.date, until: dt.date) -> list[tuple[dt.date, int]]:
    """The recognition reported in `unit` and below in each month from `since` to `until`
    (first days of months), months without any included as 0: one aggregate query. Shown or
    not, all count: a count names no one. A measure the reporting culture part may chart."""
    since, until = since.replace(day=1), until.replace(day=1)
    counted = (
        _in_period(unit, since, until)
        .annotate(month=TruncMonth("reported_at"))
        .values("month")
        .annotate(count=Count("pk"))
    )
    by_month = {}
    for row in counted:
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        by_month[month.replace(day=1)] = row["count"]
    months, month = [], since
    while month <= until:
        months.append((month, by_month.get(month, 0)))
        month = _next_month(month)
    return months


@dataclass(frozen=True)
class ThemeCount:
    """One theme of the Pareto: the recognitions coded with it, its share of all codings, the
    cumulative share, and the share of the recognitions in the period that have it."""

    theme_id: int
    name: str
    is_active: bool
    count: int
    share: float
    cumulative: float
    recognition_share: float

    @property
    def vital(self) -> bool:
        """Among the few themes that make up the first 80% of codings."""
        return self.cumulative - self.share < PARETO_REFERENCE


@dataclass(frozen=True)
class ThemePareto:
    unit: Unit
    since: dt.date | None
    until: dt.date | None
    rows: list[ThemeCount]
    recognitions: int
    codings: int
    spec: dict[str, Any] = field(default_factory=dict)


def theme_pareto(
    user,
    unit: Unit,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    link=None,
) -> ThemePareto:
    """The count of recognition per theme of excellence in `unit` and below in the months from
    `since` to `until` (None: no bound), highest first, with shares like planning's Pareto of
    contributory factors: two aggregate queries whatever the number of recognitions. `link(id)`
    gives each bar's link. The user must be staff of the unit (Http404 or PermissionDenied)."""
    access.require(user, unit, roles.VIEWERS)
    found = _in_period(unit, since, until)
    counted = list(
        ExcellenceTheme.objects.filter(recognitions__in=found)
        .values("pk", "name", "is_active", "position")
        .annotate(count=Count("recognitions"))
        .order_by("-count", "position", "pk")
    )
    total = found.count()
    ranked = pareto_rows((str(row["pk"]), row["count"]) for row in counted)
    by_id = {str(row["pk"]): row for row in counted}
    rows = [
        ThemeCount(
            theme_id=by_id[r.category]["pk"],
            name=by_id[r.category]["name"],
            is_active=by_id[r.category]["is_active"],
            count=r.count,
            share=r.share,
            cumulative=r.cumulative,
            recognition_share=round(r.count / total, 4) if total else 0.0,
        )
        for r in ranked
    ]
    spec: dict[str, Any] = {}
    if rows:
        # Ranked by id (two themes may share a name over time), drawn by name.
        named = [replace(r, category=by_id[r.category]["name"]) for r in ranked]
        links = [link(row.theme_id) for row in rows] if link else None
        spec = pareto_spec(named, links=links, count_title="Recognitions")
    return ThemePareto(unit, since, until, rows, total, sum(r.count for r in rows), spec)


def recognitions_with_theme(
    user, unit: Unit, theme_id: int, *, since: dt.date | None, until: dt.date | None
) -> QuerySet[Recognition]:
    """The recognition behind one bar of the Pareto that the user may read, newest first."""
    found = recognitions_of(user, unit).filter(themes=theme_id)
    if since is not None:
        found = found.filter(reported_at__gte=_month_start(since))
    if until is not None:
        found = found.filter(reported_at__lt=_month_start(_next_month(until)))
    return found


# The panel ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    unit: Unit
    latest: list[Recognition]
    this_month: int
    may_recognise: bool
    reads: bool  # the unit's staff read its recognition; a partner only recognises


def panel(user, unit: Unit, *, today: dt.date | None = None) -> Panel | None:
    """What the unit page and huddle board show of a unit's recognition: the last few shown,
    and how many were reported this month; None for those who do not read it (partners see
    only the way to recognise)."""
    if not user.is_authenticated:
        return None
    may_recognise = access.can(user, unit, roles.RECOGNISERS)
    if not access.can(user, unit, roles.VIEWERS):
        return Panel(unit, [], 0, True, False) if may_recognise else None
    today = today or timezone.localdate()
    shown = list(
        _with_parts(access.in_subtree(Recognition.objects.filter(shown=True), unit)).order_by(
            "-reported_at", "-pk"
        )[:PANEL_LATEST]
    )
    this_month = _in_period(unit, today.replace(day=1), today.replace(day=1)).count()
    return Panel(unit, shown, this_month, may_recognise, True)
