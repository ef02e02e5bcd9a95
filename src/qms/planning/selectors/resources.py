"""Quality planning's reads: a unit's capacity against what is committed (priorities not yet
projects, open improvement projects), the balance of effort between planning, control,
improvement and assurance, and the responsibilities (RACI) on a priority or project.

Each read makes a fixed number of queries whatever the number of units, priorities, projects
or people."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet, Sum

from qms.improvement import selectors as improvement_selectors
from qms.people import access
from qms.people.models import ObjectGrant, Person, Unit
from qms.planning import roles
from qms.planning.models import (
    Priority,
    PriorityStatus,
    Responsibility,
    UnitCapacity,
)
from qms.stats.effort import ACTIVITIES, ACTIVITY_LABELS, effort_balance_spec

__all__ = [
    "COMMITTED_STATUSES",
    "ITEMS_PAGE_SIZE",
    "Balance",
    "BalanceRow",
    "Commitments",
    "UnitCommitment",
    "balance",
    "balance_reading",
    "commitments",
    "committed_priorities",
    "people_for_roles",
    "responsibilities_of",
]

# A priority's hours and budget count against capacity while it is a candidate or approved and
# has not become a project (the project's own hours count then).
COMMITTED_STATUSES = (PriorityStatus.CANDIDATE, PriorityStatus.APPROVED)
ITEMS_PAGE_SIZE = 100
PEOPLE_MAX = 500  # the people offered for a responsibility; more is no longer a choice list
CHART_UNITS = 40  # the balance chart's bars; the table lists every unit
_ZERO = Decimal("0")


@dataclass
class UnitCommitment:
    """One unit's capacity and what its own priorities and open projects commit."""

    unit: Unit
    capacity: UnitCapacity | None
    priority_hours: Decimal = _ZERO
    priority_budget: Decimal = _ZERO
    project_hours: Decimal = _ZERO
    project_budget: Decimal = _ZERO

    @property
    def hours(self) -> Decimal:
        return self.priority_hours + self.project_hours

    @property
    def budget(self) -> Decimal:
        return self.priority_budget + self.project_budget

    @property
    def capacity_hours(self) -> Decimal | None:
        return self.capacity.protected_hours if self.capacity else None

    @property
    def capacity_budget(self) -> Decimal | None:
        return self.capacity.budget if self.capacity else None

    @property
    def hours_over(self) -> Decimal:
        """Hours committed above the protected hours (0 when within them or not set)."""
        if self.capacity_hours is None:
            return _ZERO
        return max(_ZERO, self.hours - self.capacity_hours)

    @property
    def budget_over(self) -> Decimal:
        if self.capacity_budget is None:
            return _ZERO
        return max(_ZERO, self.budget - self.capacity_budget)

    @property
    def over(self) -> bool:
        return bool(self.hours_over or self.budget_over)

    @property
    def has_capacity(self) -> bool:
        return self.capacity_hours is not None or self.capacity_budget is not None

    @property
    def status(self) -> str:
        """The reading of the row in words (never colour alone)."""
        if not self.has_capacity:
            return "No capacity set"
        parts = []
        if self.hours_over:
            parts.append(f"{self.hours_over:,.1f} hours a week over")
        if self.budget_over:
            parts.append(f"£{self.budget_over:,.2f} over budget")
        return "Over-committed: " + ", ".join(parts) if parts else "Within capacity"


@dataclass
class Commitments:
    unit: Unit
    rows: list[UnitCommitment]
    total: UnitCommitment
    priorities: Page
    projects: Page

    @property
    def over_rows(self) -> list[UnitCommitment]:
        return [row for row in self.rows if row.over]

    @property
    def without_capacity(self) -> list[UnitCommitment]:
        return [row for row in self.rows if not row.has_capacity]


def _subtree_units(unit: Unit) -> list[Unit]:
    return list(Unit.objects.filter(path__startswith=unit.path).order_by("path"))


def committed_priorities(unit: Unit) -> QuerySet[Priority]:
    """The priorities of the unit and below whose resources count against capacity."""
    return access.in_subtree(Priority.objects.all(), unit).filter(
        status__in=COMMITTED_STATUSES, project__isnull=True
    )


def _sums(queryset: QuerySet) -> dict[int, tuple[Decimal, Decimal]]:
    """Hours and budget summed per unit, in one query."""
    rows = queryset.order_by().values("unit_id").annotate(h=Sum("protected_hours"), b=Sum("budget"))
    return {row["unit_id"]: (row["h"] or _ZERO, row["b"] or _ZERO) for row in rows}


def _rows(unit: Unit) -> tuple[list[Unit], list[UnitCommitment], UnitCommitment]:
    units = _subtree_units(unit)
    capacities = {c.unit_id: c for c in UnitCapacity.objects.filter(unit__in=[u.pk for u in units])}
    priority_sums = _sums(committed_priorities(unit))
    project_sums = _sums(improvement_selectors.open_projects_in(unit).order_by())
    rows = []
    for each in units:
        ph, pb = priority_sums.get(each.pk, (_ZERO, _ZERO))
        jh, jb = project_sums.get(each.pk, (_ZERO, _ZERO))
        rows.append(UnitCommitment(each, capacities.get(each.pk), ph, pb, jh, jb))
    total = _total(unit, rows)
    return units, rows, total


def _sum_or_none(values) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, _ZERO) if known else None


def _total(unit: Unit, rows: list[UnitCommitment]) -> UnitCommitment:
    """The unit and every unit below it together."""
    capacity = UnitCapacity(
        unit=unit,
        protected_hours=_sum_or_none(r.capacity_hours for r in rows),
        budget=_sum_or_none(r.capacity_budget for r in rows),
        planning_hours=_sum_or_none(r.capacity.planning_hours for r in rows if r.capacity),
        control_hours=_sum_or_none(r.capacity.control_hours for r in rows if r.capacity),
        assurance_hours=_sum_or_none(r.capacity.assurance_hours for r in rows if r.capacity),
    )
    return UnitCommitment(
        unit,
        capacity,
        sum((r.priority_hours for r in rows), _ZERO),
        sum((r.priority_budget for r in rows), _ZERO),
        sum((r.project_hours for r in rows), _ZERO),
        sum((r.project_budget for r in rows), _ZERO),
    )


def _shown(rows: list[UnitCommitment], unit: Unit) -> list[UnitCommitment]:
    """The unit itself, and the units below it with a capacity or a commitment."""
    return [r for r in rows if r.unit.pk == unit.pk or r.has_capacity or r.hours or r.budget]


def commitments(
    user, unit: Unit, *, priorities_page: int | str = 1, projects_page: int | str = 1
) -> Commitments:
    """The unit's and its sub-units' capacity against the protected hours and budget of their
    candidate and approved priorities not yet projects and of their open projects, per unit,
    with the over-commitment of each, and the priorities and projects themselves (a page of
    100 of each)."""
    _, rows, total = _rows(unit)
    priorities = (
        committed_priorities(unit)
        .filter(Q(protected_hours__isnull=False) | Q(budget__isnull=False))
        .select_related("unit")
        .order_by("unit__path", "-protected_hours", "title", "pk")
    )
    projects = (
        improvement_selectors.open_projects_in(unit)
        .filter(Q(protected_hours__isnull=False) | Q(budget__isnull=False))
        .order_by("unit__path", "-protected_hours", "title", "pk")
    )
    return Commitments(
        unit=unit,
        rows=_shown(rows, unit),
        total=total,
        priorities=Paginator(priorities, ITEMS_PAGE_SIZE).get_page(priorities_page),
        projects=Paginator(projects, ITEMS_PAGE_SIZE).get_page(projects_page),
    )


# Balance ---------------------------------------------------------------------------------------


@dataclass
class BalanceRow:
    unit: Unit
    hours: dict[str, Decimal]
    recorded: set[str] = field(default_factory=set)  # activities with any figure recorded

    @property
    def total(self) -> Decimal:
        return sum(self.hours.values(), _ZERO)

    def as_cells(self) -> list[Decimal]:
        return [self.hours[a] for a in ACTIVITIES]


@dataclass
class Balance:
    unit: Unit
    rows: list[BalanceRow]
    total: BalanceRow
    reading: str
    spec_json: str | None
    charted: int  # units drawn in the chart (the largest, at most CHART_UNITS)
    activities: list[tuple[str, str]] = field(
        default_factory=lambda: [(a, ACTIVITY_LABELS[a]) for a in ACTIVITIES]
    )


def _balance_row(row: UnitCommitment) -> BalanceRow:
    capacity = row.capacity
    standing = {
        "planning": capacity.planning_hours if capacity else None,
        "control": capacity.control_hours if capacity else None,
        "assurance": capacity.assurance_hours if capacity else None,
    }
    hours = {
        "planning": (standing["planning"] or _ZERO) + row.priority_hours,
        "control": standing["control"] or _ZERO,
        "improvement": row.project_hours,
        "assurance": standing["assurance"] or _ZERO,
    }
    recorded = {a for a, v in standing.items() if v is not None}
    if row.priority_hours:
        recorded.add("planning")
    if row.project_hours:
        recorded.add("improvement")
    return BalanceRow(row.unit, hours, recorded)


def balance_reading(row: BalanceRow) -> str:
    """The balance in plain words: where most effort goes, and what has nothing recorded."""
    total = row.total
    missing = [ACTIVITY_LABELS[a].lower() for a in ACTIVITIES if not row.hours[a]]
    if not total:
        return (
            "No effort is recorded yet: set the standing hours, and the protected hours of "
            "priorities and projects."
        )
    most = max(ACTIVITIES, key=lambda a: row.hours[a])
    share = row.hours[most] / total * 100
    text = (
        f"Most effort goes to {ACTIVITY_LABELS[most].lower()}: {row.hours[most]:,.1f} of "
        f"{total:,.1f} hours a week ({share:.0f}%)."
    )
    if missing:
        text += f" Nothing is recorded for {_join(missing)}."
    return text


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def balance(user, unit: Unit) -> Balance:
    """The effort of the unit and of each unit below it on planning (standing hours and the
    hours of priorities not yet projects), control (standing), improvement (open projects'
    protected hours) and assurance (standing), in hours a week, with a stacked bar chart of
    the largest units and a reading of the whole."""
    _, rows, total = _rows(unit)
    balance_rows = [_balance_row(r) for r in _shown(rows, unit)]
    balance_rows = [r for r in balance_rows if r.total or r.unit.pk == unit.pk]
    whole = _balance_row(total)
    charted = sorted(balance_rows, key=lambda r: (-r.total, r.unit.path))[:CHART_UNITS]
    charted.sort(key=lambda r: r.unit.path)
    spec = None
    if whole.total:
        spec = effort_balance_spec(
            [{"unit": r.unit.name, **{a: float(r.hours[a]) for a in ACTIVITIES}} for r in charted]
        )
    return Balance(
        unit=unit,
        rows=balance_rows,
        total=whole,
        reading=balance_reading(whole),
        spec_json=json.dumps(spec) if spec else None,
        charted=len(charted),
    )


# Responsibilities ------------------------------------------------------------------------------


def responsibilities_of(record) -> list[Responsibility]:
    """The responsibilities for a priority or project, accountable first, with their people."""
    order = {value: position for position, value in enumerate("ARCI")}
    key = {"priority": record} if isinstance(record, Priority) else {"project": record}
    rows = list(Responsibility.objects.filter(**key).select_related("person").order_by("pk"))
    rows.sort(key=lambda r: (order.get(r.raci, 9), r.person.display_name.lower(), r.pk))
    return rows


def people_for_roles(record) -> QuerySet[Person]:
    """The people who may be given a responsibility for the priority or project: staff of its
    unit (or of a unit above it) and the people given a role on it, at most `PEOPLE_MAX`."""
    unit = access.unit_of(record)
    content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
    granted = ObjectGrant.objects.filter(content_type=content_type, object_id=record.pk)
    staff = Q(
        memberships__unit_id__in=unit.ancestor_ids,
        memberships__role__in=roles.VIEWERS,
    )
    return (
        Person.objects.filter(is_active=True)
        .filter(staff | Q(pk__in=granted.values("person_id")))
        .distinct()
        .order_by("display_name", "pk")[:PEOPLE_MAX]
    )
