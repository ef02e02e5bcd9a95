"""Reads of bright spots: a unit's list (with the units below it), a bright spot's page (its
finding, its chart from control's stored results), and what waits for a person's decision on
home."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.urls import NoReverseMatch, reverse

from qms.control import selectors as control_selectors
from qms.learning import roles
from qms.learning.models import BrightSpot, BrightSpotKind, BrightSpotStatus
from qms.people import access

__all__ = [
    "BrightSpotFilters",
    "BrightSpotPage",
    "HomeBrightSpots",
    "bright_spot_page",
    "bright_spots_accepted_since",
    "bright_spots_in",
    "home_bright_spots",
    "home_work",
]

PAGE_SIZE = 50
HOME_LIMIT = 6


def _with_related():
    return BrightSpot.objects.select_related("unit", "measure", "decided_by", "package", "network")


def bright_spot_or_404(user, pk, roles_needed=roles.VIEWERS) -> BrightSpot:
    """A bright spot the user may see (its unit's staff, and above): 404 otherwise."""
    return access.object_or_404(user, _with_related(), pk, roles_needed)


@dataclass(frozen=True)
class BrightSpotFilters:
    status: str = ""
    kind: str = ""


def bright_spots_in(unit, filters: BrightSpotFilters, *, page=1) -> tuple[Page, dict[str, int]]:
    """The bright spots and candidates of a unit and the units below it (the view has checked
    the user sees the unit), newest first, filtered and paged by 50, with counts by status:
    three queries whatever their number."""
    rows = access.in_subtree(_with_related(), unit)
    counts = {status: 0 for status in BrightSpotStatus.values}
    for status, count in _counts(rows):
        counts[status] = count
    if filters.status in BrightSpotStatus.values:
        rows = rows.filter(status=filters.status)
    if filters.kind in BrightSpotKind.values:
        rows = rows.filter(kind=filters.kind)
    paginator = Paginator(rows.order_by("-period_end", "-pk"), PAGE_SIZE)
    return paginator.get_page(page), counts


def _counts(rows):
    from django.db.models import Count

    return rows.order_by().values_list("status").annotate(n=Count("pk"))


@dataclass(frozen=True)
class BrightSpotPage:
    spot: BrightSpot
    chart: object | None  # control's MeasureChart for the unit's own chart
    can_decide: bool
    can_write: bool
    can_host: bool
    funnel_link: str
    package_link: str
    network_link: str

    @property
    def finding(self) -> dict:
        return self.spot.finding


def _link(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _funnel_link(spot: BrightSpot) -> str:
    code = spot.finding.get("definition")
    return _link("learning:compare", code) if code else ""


def bright_spot_page(user, spot: BrightSpot) -> BrightSpotPage:
    """What a bright spot's page shows: the unit's stored chart of the measure (from control,
    never recomputed), and what the person may do with it."""
    held = access.roles_on(user, spot)
    # The measure lives in the bright spot's unit, whose staff the person is one of.
    charts = control_selectors.measure_charts([spot.measure])
    package = spot.package
    return BrightSpotPage(
        spot=spot,
        chart=charts[0] if charts else None,
        can_decide=bool(held & roles.BRIGHT_SPOT_DECIDERS),
        can_write=bool(held & (roles.BRIGHT_SPOT_WRITERS | roles.BRIGHT_SPOT_DECIDERS)),
        can_host=bool(held & roles.NETWORK_HOSTS),
        funnel_link=_funnel_link(spot),
        package_link=package.get_absolute_url() if package is not None else "",
        network_link=_link("learning:network-detail", spot.network_id) if spot.network_id else "",
    )


def _waiting(user) -> tuple[list[BrightSpot], int]:
    """Candidates waiting for the person's decision (in the units where they decide bright
    spots), newest first, the first few and how many: two queries at most."""
    candidates = access.in_units_with_role(
        user, BrightSpot.objects.filter(status=BrightSpotStatus.CANDIDATE),
        roles.BRIGHT_SPOT_DECIDERS,
    )  # fmt: skip
    waiting = list(
        candidates.select_related("unit", "measure").order_by("-found_at", "-pk")[: HOME_LIMIT + 1]
    )
    count = len(waiting) if len(waiting) <= HOME_LIMIT else candidates.count()
    return waiting[:HOME_LIMIT], count


@dataclass(frozen=True)
class HomeBrightSpots:
    waiting: list[BrightSpot]
    waiting_count: int
    recent: list[BrightSpot]

    @property
    def anything(self) -> bool:
        return bool(self.waiting)

    @property
    def more_waiting(self) -> bool:
        return self.waiting_count > len(self.waiting)


def home_bright_spots(user) -> HomeBrightSpots:
    """For the Learn home: candidates waiting for the person's decision and the bright spots
    most recently accepted in the units they see."""
    waiting, count = _waiting(user)
    accepted = BrightSpot.objects.filter(status=BrightSpotStatus.ACCEPTED)
    recent = list(
        access.in_units_with_role(user, accepted, roles.VIEWERS)
        .select_related("unit", "measure")
        .order_by("-decided_at", "-pk")[:HOME_LIMIT]
    )
    return HomeBrightSpots(waiting=waiting, waiting_count=count, recent=recent)


def bright_spots_accepted_since(user, since: dt.date, roles_needed, *, limit: int = HOME_LIMIT):
    """Bright spots accepted on or after `since` in the units where the user holds one of
    `roles_needed` (the leader's view: good practice to recognise), newest first, at most
    `limit`; one query."""
    accepted = BrightSpot.objects.filter(
        status=BrightSpotStatus.ACCEPTED, decided_at__date__gte=since
    )
    return list(
        access.in_units_with_role(user, accepted, roles_needed)
        .select_related("unit", "measure")
        .order_by("-decided_at", "-pk")[:limit]
    )


def home_work(user) -> HomeBrightSpots | None:
    """Home's "What needs you" card: only for those with candidates waiting for them."""
    if not user.is_authenticated:
        return None
    waiting, count = _waiting(user)
    if not waiting:
        return None
    return HomeBrightSpots(waiting=waiting, waiting_count=count, recent=[])


def finding_period(spot: BrightSpot, key: str) -> dt.date | None:
    value = spot.finding.get(key)
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
