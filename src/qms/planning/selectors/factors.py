"""Quality planning's reads: contributory factors. The framework, an issue's analysis, and the
Pareto of factors across a unit's analysed issues (counted in the database: one aggregate
query, whatever the number of issues), with the recurring factors that may become priorities.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from qms.issues.models import Issue, IssueSource
from qms.people import access
from qms.people.models import Unit
from qms.people.roles import STAFF_ROLES
from qms.planning import roles
from qms.planning.models import (
    FactorDomain,
    IssueAnalysis,
    IssueFactor,
    Priority,
    PriorityOrigin,
    PriorityStatus,
)
from qms.stats.pareto import PARETO_REFERENCE, pareto_rows, pareto_spec

__all__ = [
    "RECURRING_MINIMUM",
    "FactorCount",
    "Pareto",
    "analysis_domains",
    "analysis_of",
    "domain_issues",
    "framework_domains",
    "may_read_framework",
    "open_factor_priorities",
    "pareto",
    "recurring_factors",
]

# A factor coded on this many issues in the period recurs: it may become a candidate priority.
RECURRING_MINIMUM = 3
# The Pareto's counts are kept this long at most (a change of what they count makes a new key
# at once: see _counts_key).
COUNTS_CACHE_SECONDS = 6 * 3600
# Priorities still being worked on: a recurring factor with one of these is not proposed again.
OPEN_PRIORITY_STATUSES = (PriorityStatus.CANDIDATE, PriorityStatus.APPROVED)


def may_read_framework(user) -> bool:
    """The framework is read by staff anywhere in the organisation."""
    if not user.is_authenticated:
        return False
    return access.is_system_administrator(user) or (
        access.units_with_role(user, STAFF_ROLES).exists()
    )


def framework_domains(*, include_retired: bool = True) -> list[FactorDomain]:
    """The framework's domains in their order (the retired ones among them, unless left out)."""
    domains = FactorDomain.objects.order_by("position", "pk")
    if not include_retired:
        domains = domains.filter(is_active=True)
    return list(domains)


def analysis_of(issue: Issue) -> IssueAnalysis | None:
    """The issue's analysis with its factors and their domains (two queries), or None."""
    return (
        IssueAnalysis.objects.select_related("analysed_by")
        .prefetch_related(
            Prefetch("factors", queryset=IssueFactor.objects.select_related("domain"))
        )
        .filter(issue=issue)
        .first()
    )


def analysis_domains(analysis: IssueAnalysis | None) -> list[FactorDomain]:
    """The domains the analysis form offers: those in use, and the retired ones this analysis
    coded (kept on it until someone unticks them), in the framework's order."""
    coded = {coding.domain_id for coding in analysis.factors.all()} if analysis else set()
    return [d for d in framework_domains() if d.is_active or d.pk in coded]


# The Pareto -----------------------------------------------------------------------------------


def _month_start(month: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(month.year, month.month, 1))


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _analysed_issues(
    unit: Unit, *, since: dt.date | None, until: dt.date | None, source: str
) -> dict[str, Any]:
    """The conditions on an issue (as lookups) for the Pareto's filters: the unit and below,
    raised from the first day of `since` to the last of `until`, of `source`."""
    # The units as a subquery: the database matches the issues' unit ids against it, rather
    # than joining every issue to its unit to compare paths.
    units = Unit.objects.filter(path__startswith=unit.path).values("pk")
    conditions: dict[str, Any] = {"unit__in": units}
    if since is not None:
        conditions["created_at__gte"] = _month_start(since)
    if until is not None:
        conditions["created_at__lt"] = _month_start(_next_month(until))
    if source:
        conditions["source"] = source
    return conditions


def _codings(conditions: dict[str, Any]) -> QuerySet[IssueFactor]:
    return IssueFactor.objects.filter(
        **{f"analysis__issue__{lookup}": value for lookup, value in conditions.items()}
    )


@dataclass(frozen=True)
class FactorCount:
    """One domain of the Pareto: the issues coded with it, its share of all codings and the
    cumulative share (the Pareto's), and the share of the issues analysed that have it."""

    domain_id: int
    name: str
    is_active: bool
    count: int
    share: float
    cumulative: float
    issue_share: float

    @property
    def vital(self) -> bool:
        """Among the few domains that make up the first 80% of codings."""
        return self.cumulative - self.share < PARETO_REFERENCE


@dataclass(frozen=True)
class Pareto:
    unit: Unit
    since: dt.date | None
    until: dt.date | None
    source: str
    rows: list[FactorCount]
    issues_analysed: int  # issues with at least one factor coded
    codings: int  # factors coded on them: the total the shares are of
    spec: dict[str, Any] = field(default_factory=dict)

    @property
    def source_label(self) -> str:
        return str(dict(IssueSource.choices).get(self.source, "")) if self.source else ""


def _counts(conditions: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The codings per domain of the issues meeting `conditions` (one aggregate query) and the
    number of those issues with a factor coded."""
    counted = list(
        _codings(conditions)
        .values("domain_id", "domain__name", "domain__is_active", "domain__position")
        .annotate(count=Count("pk"))
        .order_by("-count", "domain__position", "domain_id")
    )
    # The issues with a factor coded: their analyses, each found once (cheaper than counting
    # the distinct analyses of every coding).
    issues = (
        IssueAnalysis.objects.filter(**{f"issue__{k}": v for k, v in conditions.items()})
        .filter(Exists(IssueFactor.objects.filter(analysis=OuterRef("pk"))))
        .count()
    )
    return counted, issues


def _latest(history) -> Subquery:
    return Subquery(history.order_by("-history_date").values("history_date")[:1])


def _counts_key(unit: Unit, since, until, source: str) -> str:
    """The cache key of a Pareto's counts: its unit and filters, and the latest change of all
    it is counted from (read in one query, from the histories' indexed dates): analyses (their
    codings change only with them), issues (their kind and unit; deleted ones too), the
    framework's domains (their names) and units (a unit moved to another branch). Every
    service records history, so a change makes a new key; nothing needs invalidating."""
    latest = (
        Unit.objects.filter(pk=unit.pk)
        .values_list(
            _latest(IssueAnalysis.history.all()),
            _latest(Issue.history.all()),
            _latest(FactorDomain.history.all()),
            _latest(Unit.history.all()),
        )
        .first()
    )
    version = (unit.pk, unit.path, since, until, source, latest)
    return "planning:pareto:" + hashlib.sha256(repr(version).encode()).hexdigest()[:32]


def pareto(
    user,
    unit: Unit,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    source: str = "",
    link=None,
) -> Pareto:
    """The count of analysed issues per factor domain in `unit` and below, raised in the months
    from `since` to `until` (first days of months; None: no bound) and of the `source` kind,
    highest first, with each domain's share of all codings and the cumulative share (an issue
    with three factors counts once for each). Two aggregate queries whatever the number of
    issues, kept in the cache until something they count changes (`_counts_key`).
    `link(domain_id)` gives each bar's link (the issues behind it).

    The user must be staff of the unit (Http404 or PermissionDenied otherwise, as for a page)."""
    access.require(user, unit, roles.VIEWERS)
    key = _counts_key(unit, since, until, source)
    counts = cache.get(key)
    if counts is None:
        counts = _counts(_analysed_issues(unit, since=since, until=until, source=source))
        cache.set(key, counts, timeout=COUNTS_CACHE_SECONDS)
    counted, issues = counts
    ranked = pareto_rows((str(row["domain_id"]), row["count"]) for row in counted)
    by_id = {str(row["domain_id"]): row for row in counted}
    rows = [
        FactorCount(
            domain_id=by_id[r.category]["domain_id"],
            name=by_id[r.category]["domain__name"],
            is_active=by_id[r.category]["domain__is_active"],
            count=r.count,
            share=r.share,
            cumulative=r.cumulative,
            issue_share=round(r.count / issues, 4) if issues else 0.0,
        )
        for r in ranked
    ]
    spec = {}
    if rows:
        # Ranked by id (two domains may share a name), drawn by name.
        named = [replace(r, category=by_id[r.category]["domain__name"]) for r in ranked]
        links = [link(row.domain_id) for row in rows] if link else None
        spec = pareto_spec(named, links=links, count_title="Issues")
    return Pareto(unit, since, until, source, rows, issues, sum(r.count for r in rows), spec)


def domain_issues(
    unit: Unit,
    domain: FactorDomain,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    source: str = "",
) -> QuerySet[Issue]:
    """The issues behind one bar of the Pareto: those in `unit` and below coded with `domain`
    in the period, newest first (the caller checked the unit; paginate it)."""
    conditions = _analysed_issues(unit, since=since, until=until, source=source)
    return (
        Issue.objects.filter(analysis__factors__domain=domain, **conditions)
        .select_related("unit", "owner")
        .order_by("-created_at", "-pk")
    )


def open_factor_priorities(unit: Unit, domain_ids) -> dict[int, Priority]:
    """The open priority (candidate or approved) of `unit` made from each recurring factor
    domain, by domain id: one query."""
    content_type = ContentType.objects.get_for_model(FactorDomain)
    found = Priority.objects.filter(
        unit=unit,
        origin=PriorityOrigin.FACTOR,
        source_type=content_type,
        source_id__in=list(domain_ids),
        status__in=OPEN_PRIORITY_STATUSES,
    ).order_by("created_at", "pk")
    priorities: dict[int, Priority] = {}
    for priority in found:
        priorities.setdefault(priority.source_id, priority)
    return priorities


@dataclass(frozen=True)
class Recurring:
    """A factor coded on at least RECURRING_MINIMUM issues, with the open priority made from it
    already (None when there is none: it may become a candidate priority)."""

    row: FactorCount
    priority: Priority | None


def recurring_factors(
    user,
    unit: Unit,
    *,
    minimum: int = RECURRING_MINIMUM,
    since: dt.date | None = None,
    until: dt.date | None = None,
    source: str = "",
    counted: Pareto | None = None,
) -> list[Recurring]:
    """The factors coded on `minimum` issues or more in the period, highest first, each with the
    unit's open priority made from it, if any. Pass the Pareto already `counted` to save its
    queries."""
    if counted is None:
        counted = pareto(user, unit, since=since, until=until, source=source)
    rows = [row for row in counted.rows if row.count >= minimum]
    priorities = open_factor_priorities(unit, [row.domain_id for row in rows]) if rows else {}
    return [Recurring(row, priorities.get(row.domain_id)) for row in rows]
