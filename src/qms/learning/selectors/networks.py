"""Learning networks: who stands where on a network, the networks a person may see, and a
network's page (its teams, members, shared measures side by side, events, packages).

A network is read by the staff of its host unit, by everyone given a role on it (partners
included) and by the staff of its member teams' units; it is run by its hosts: those holding
`roles.NETWORK_HOSTS` in the host unit or given one of those roles on the network itself (a
co-host from another unit). A partner of the host unit, without a role on the network, does not
read it: partners see only what their networks share with them."""

import datetime as dt
import json
import math
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from qms.control import selectors as control_selectors
from qms.improvement import selectors as improvement_selectors
from qms.learning import roles
from qms.learning.models import Network, NetworkEvent, NetworkStatus, NetworkTeam
from qms.people import access
from qms.people import selectors as people_selectors
from qms.people.models import ObjectGrant, Unit
from qms.people.roles import STAFF_ROLES, Role
from qms.stats.funnel import FunnelInputError, funnel, funnel_limits

NETWORKS_PAGE_SIZE = 25
HOME_LIMIT = 5
PICKER_LIMIT = 50
# The roles a person may be given on a network: members, partners, and co-hosts (a lead or a
# coach given the role on the network runs it with the host unit's leads).
MEMBER_ROLES = (
    Role.TEAM_MEMBER,
    Role.PARTNER,
    Role.ANALYST,
    Role.IMPROVEMENT_COACH,
    Role.TEAM_LEAD,
)


@dataclass(frozen=True)
class Standing:
    """Where a person stands on one network: whether they read it (and so take part in its
    discussion) and whether they run it."""

    reads: bool
    hosts: bool


def _network_content_type_id() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Network).pk


def team_units(network: Network) -> list[Unit]:
    """The units taking part, in tree order."""
    return [team.unit for team in network.teams.select_related("unit")]


def standing(user, network: Network, units: list[Unit] | None = None) -> Standing:
    """Where `user` stands on `network`. `units`: its teams' units when already loaded (one
    query otherwise); the person's memberships and grants are read once per request."""
    if not user.is_authenticated:
        return Standing(reads=False, hosts=False)
    in_host = access.roles_in(user, network.unit)
    granted = access.granted_roles(user, network)
    hosts = bool((in_host | granted) & roles.NETWORK_HOSTS)
    if hosts or in_host & STAFF_ROLES or granted & roles.NETWORK_MEMBERS:
        return Standing(reads=True, hosts=hosts)
    units = team_units(network) if units is None else units
    reads = any(access.roles_in(user, unit) & STAFF_ROLES for unit in units)
    return Standing(reads=reads, hosts=False)


def may_read(user, network: Network) -> bool:
    """Whether the person reads the network and takes part in its discussion (for other parts
    of the learning system: a reflection or a review shared with a network)."""
    return standing(user, network).reads


def network_or_404(user, network_id) -> tuple[Network, Standing]:
    """The network and the person's standing on it; 404 when it does not exist or they do not
    read it (the two look the same)."""
    try:
        network = Network.objects.select_related("unit", "created_by").get(pk=network_id)
    except (Network.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("Not found") from None
    found = standing(user, network)
    if not found.reads:
        raise Http404("Not found")
    return network, found


def networks_for(user) -> QuerySet[Network]:
    """Every network the person reads: hosted in units where they are staff (or below), given
    to them, or in which a unit where they are staff (or below) takes part."""
    if not user.is_authenticated:
        return Network.objects.none()
    paths = access.unit_paths_with_role(user, STAFF_ROLES)
    if paths is None:
        return Network.objects.all()
    granted = ObjectGrant.objects.filter(
        person=user, content_type_id=_network_content_type_id()
    ).values("object_id")
    condition = Q(pk__in=granted)
    for path in paths:
        condition |= Q(unit__path__startswith=path) | Q(teams__unit__path__startswith=path)
    ids = Network.objects.filter(condition).values("pk")
    return Network.objects.filter(pk__in=ids)


def networks_page(user, *, status: str = "", text: str = "", page=1) -> Page:
    """The networks the person reads, a page at a time, with their host unit and how many
    teams, measures and upcoming events each has."""
    networks = networks_for(user).select_related("unit")
    if status:
        networks = networks.filter(status=status)
    if text:
        networks = networks.filter(Q(name__icontains=text) | Q(topic__icontains=text))
    now = timezone.now()
    networks = networks.annotate(
        team_count=Count("teams", distinct=True),
        measure_count=Count("measures", distinct=True),
        upcoming_count=Count("events", filter=Q(events__starts_at__gte=now), distinct=True),
    ).order_by("status", "name", "pk")
    return Paginator(networks, NETWORKS_PAGE_SIZE).get_page(page)


def hosting_units(user) -> list[Unit]:
    """Units where the person may start a network, in tree order."""
    units = list(access.units_with_role(user, roles.NETWORK_HOSTS).order_by("path"))
    top = min((u.depth for u in units), default=0)
    for unit in units:
        unit.indent = "\u2003" * (unit.depth - top)
    return units


# A network's page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    grant: ObjectGrant
    seen: bool  # whether the reader may open the person's page


@dataclass(frozen=True)
class SharedMeasure:
    chart: object  # control's MeasureChart
    seen: bool  # whether the reader sees the measure in quality control
    team: Unit | None  # the team it is shared from

    @property
    def measure(self):
        return self.chart.measure  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SharedPackage:
    package: object
    link: str  # "" when the reader may not open the package itself


@dataclass
class NetworkPage:
    network: Network
    standing: Standing
    teams: list[NetworkTeam]
    members: list[Member]
    measures: list[SharedMeasure]
    upcoming: list[NetworkEvent]
    past: list[NetworkEvent]
    packages: list[SharedPackage]
    funnels: list["NetworkFunnel"] = field(default_factory=list)
    leavable: set[int] = field(default_factory=set)  # teams the reader may take out
    can_add_team: bool = False  # a host, or a lead of a unit of the organisation

    @property
    def is_active(self) -> bool:
        return self.network.status == NetworkStatus.ACTIVE


def _team_of(unit: Unit, teams: list[NetworkTeam]) -> Unit | None:
    """The member team a unit belongs to (the deepest team unit containing it)."""
    found = [t.unit for t in teams if unit.path.startswith(t.unit.path)]
    return max(found, key=lambda u: len(u.path)) if found else None


def shared_measures(user, network: Network, teams: list[NetworkTeam]) -> list[SharedMeasure]:
    """The measures the network shares, each with its stored chart (quality control's, in a
    fixed number of queries however many), by team and name. Members see them here whether or
    not they see the measure's unit: the network shares its aggregate data with them."""
    ids = list(network.measures.values_list("pk", flat=True))
    measures = control_selectors.measures_with_results(ids)
    ordered = sorted(measures.values(), key=lambda m: (m.unit.path, m.name.lower(), m.pk))
    return [
        SharedMeasure(
            chart=chart,
            seen=bool(access.roles_on(user, chart.measure) & roles.VIEWERS),
            team=_team_of(chart.measure.unit, teams),
        )
        for chart in control_selectors.measure_charts(ordered)
    ]


def _packages(user, network: Network) -> list[SharedPackage]:
    packages = network.packages.select_related("project__unit").order_by("title", "pk")
    return [
        SharedPackage(
            package=package,
            link=package.get_absolute_url()
            if improvement_selectors.package_readable(user, package)
            else "",
        )
        for package in packages
    ]


def network_page(user, network: Network, found: Standing) -> NetworkPage:
    """Everything the network's page shows, in a fixed number of queries whatever the number
    of teams, members, measures, events and packages."""
    teams = list(network.teams.select_related("unit", "joined_by"))
    members = [
        Member(grant=grant, seen=access.can_see_person(user, grant.person))
        for grant in people_selectors.record_grants(network)
    ]
    now = timezone.now()
    events = list(network.events.select_related("created_by"))
    leavable = {
        team.pk
        for team in teams
        if team.unit_id != network.unit_id
        and (found.hosts or access.roles_in(user, team.unit) & roles.NETWORK_HOSTS)
    }
    measures = shared_measures(user, network, teams)
    return NetworkPage(
        network=network,
        standing=found,
        teams=teams,
        members=members,
        measures=measures,
        funnels=network_funnels([row.measure for row in measures]),
        upcoming=[e for e in events if e.starts_at >= now],
        past=sorted((e for e in events if e.starts_at < now), key=lambda e: e.starts_at)[::-1],
        packages=_packages(user, network),
        leavable=leavable,
        can_add_team=found.hosts
        or access.units_with_role(user, roles.NETWORK_HOSTS)
        .filter(path__startswith=organisation_of(network.unit))
        .exists(),
    )


# The funnel plot when comparable ----------------------------------------------------------------

# Charts whose data compare across units on a funnel: proportions as proportions, rates (events
# per exposure) as indirectly standardised ratios, observed over expected at the overall rate.
FUNNEL_KINDS = {"p": "proportion", "pp": "proportion", "u": "ratio", "up": "ratio"}
FUNNEL_MONTHS = 12
_FLAG_WORDS = {
    "high": "Above the 99.8% limit",
    "low": "Below the 99.8% limit",
    "within": "Within the limits",
}
_BETTER_SIDE = {"increase": "high", "decrease": "low"}


@dataclass(frozen=True)
class FunnelRow:
    measure: object
    numerator: float
    denominator: float
    value: float  # as shown: a percentage, or observed over expected
    lower998: float
    upper998: float
    flag: str
    words: str


@dataclass(frozen=True)
class NetworkFunnel:
    """The funnel plot of the network's shared measures made from one library definition (the
    same name, operational definition and chart): `kind` "proportion" or "ratio"."""

    name: str
    kind: str
    target: float  # as shown
    unit_label: str
    rows: list[FunnelRow]
    chart: str  # the Vega-Lite specification as JSON
    element_id: str


def _comparable_groups(measures) -> list[list]:
    """Shared measures copied from one library definition, on a proportion or rate chart,
    from at least two units."""
    groups: dict[tuple, list] = {}
    for measure in measures:
        if measure.chart in FUNNEL_KINDS:
            key = (measure.name.strip().lower(), measure.chart, measure.operational_definition)
            groups.setdefault(key, []).append(measure)
    return [group for group in groups.values() if len({m.unit_id for m in group}) >= 2]


def network_funnels(measures, *, today: dt.date | None = None) -> list[NetworkFunnel]:
    """A funnel plot (qms.stats.funnel) for each set of comparable shared measures, over the
    last twelve whole months of their data: one query for all the sums."""
    groups = _comparable_groups(measures)
    if not groups:
        return []
    sums = control_selectors.window_sums(
        [m.pk for group in groups for m in group], months=FUNNEL_MONTHS, today=today
    )
    funnels = []
    for index, group in enumerate(groups):
        found = _funnel_of(group, sums, f"network-funnel-{index}")
        if found is not None:
            funnels.append(found)
    return funnels


def _funnel_of(group, sums, element_id: str) -> NetworkFunnel | None:
    kept = [m for m in group if sums.get(m.pk, (0, 0, 0))[1] > 0]
    if len(kept) < 2:
        return None
    kind = FUNNEL_KINDS[kept[0].chart]
    numerators = [sums[m.pk][0] for m in kept]
    denominators = [sums[m.pk][1] for m in kept]
    if kind == "ratio":
        rate = sum(numerators) / sum(denominators)
        if rate <= 0:
            return None
        denominators = [exposure * rate for exposure in denominators]  # expected events
    try:
        result = funnel(numerators, denominators, kind=kind, groups=[str(m.pk) for m in kept])
    except FunnelInputError:  # a proportion above 1 in recorded data: nothing to compare
        return None
    scale = kept[0].multiply if kind == "proportion" else 1.0
    better = _BETTER_SIDE.get(kept[0].direction)
    rows = []
    for measure, point in zip(kept, result.groups, strict=True):
        words = _FLAG_WORDS[point.flag]
        if point.flag != "within" and better:
            words += ": better than expected" if point.flag == better else ": worse than expected"
        rows.append(
            FunnelRow(
                measure,
                point.numerator,
                point.denominator,
                point.value * scale,
                point.lower998 * scale,
                point.upper998 * scale,
                point.flag,
                words,
            )
        )
    chart = _funnel_spec(rows, kind, result.target * scale, scale, result.target)
    return NetworkFunnel(
        name=kept[0].name,
        kind=kind,
        target=result.target * scale,
        unit_label=kept[0].unit_label if kind == "proportion" else "",
        rows=rows,
        chart=json.dumps(chart, separators=(",", ":")),
        element_id=element_id,
    )


def _funnel_spec(rows: list[FunnelRow], kind: str, target_shown, scale, target) -> dict:
    """A Vega-Lite funnel plot: the units' points, the overall value, and the 95% and 99.8%
    limits as curves over the range of denominators; a point outside the 99.8% limits is a
    different shape as well as a different colour."""
    # The curves over the units' own range (from half the smallest): near zero the limits
    # widen without bound and would flatten every point onto the axis.
    low = min(row.denominator for row in rows) / 2
    high = max(row.denominator for row in rows) * 1.1
    steps = [low + (high - low) * i / 60 for i in range(61)]
    curves = [
        {
            "x": limit.denominator,
            "lower95": limit.lower95 * scale,
            "upper95": limit.upper95 * scale,
            "lower998": limit.lower998 * scale,
            "upper998": limit.upper998 * scale,
        }
        for limit in funnel_limits(steps, kind=kind, target=target)
        if all(math.isfinite(v) for v in (limit.lower998, limit.upper998))
    ]
    x_title = "Cases" if kind == "proportion" else "Expected events"
    legend = {"title": "Against the limits", "orient": "bottom", "labelLimit": 400}
    y_title = "Value" if kind == "proportion" else "Observed / expected"

    def line(field_name, dash):
        return {
            "data": {"values": curves},
            "mark": {"type": "line", "color": "#6b7280", "strokeDash": dash},
            "encoding": {
                "x": {"field": "x", "type": "quantitative", "title": x_title},
                "y": {"field": field_name, "type": "quantitative", "title": y_title},
            },
        }

    points = [
        {
            "unit": row.measure.unit.name,  # type: ignore[attr-defined]
            "x": row.denominator,
            "value": row.value,
            "flag": row.words,
        }
        for row in rows
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 600,
        "height": 300,
        "layer": [
            line("lower95", [4, 3]),
            line("upper95", [4, 3]),
            line("lower998", [1, 0]),
            line("upper998", [1, 0]),
            {
                "data": {"values": [{"target": target_shown}]},
                "mark": {"type": "rule", "color": "#1d4ed8"},
                "encoding": {"y": {"field": "target", "type": "quantitative"}},
            },
            {
                "data": {"values": points},
                "mark": {"type": "point", "filled": True, "size": 90},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative"},
                    "y": {"field": "value", "type": "quantitative"},
                    "shape": {"field": "flag", "type": "nominal", "legend": legend},
                    "color": {"field": "flag", "type": "nominal", "legend": legend},
                    "tooltip": [
                        {"field": "unit", "title": "Unit"},
                        {"field": "value", "title": y_title, "format": ".2f"},
                        {"field": "x", "title": x_title, "format": ",.0f"},
                        {"field": "flag", "title": "Against the limits"},
                    ],
                },
            },
        ],
    }


# What a host adds -------------------------------------------------------------------------------


def organisation_of(unit: Unit) -> str:
    """The path of the unit's organisation (its root): teams come from the same one."""
    return "/".join(unit.path.split("/")[:2]) + "/"


def team_candidates(user, network: Network, *, text: str = "") -> list[Unit]:
    """Units that may join: for a host, any unit of the host's organisation not yet taking
    part; for anyone else, the units they lead (a unit's lead joins their own unit)."""
    taking_part = network.teams.values("unit_id")
    if standing(user, network).hosts:
        units = Unit.objects.filter(path__startswith=organisation_of(network.unit))
    else:
        units = access.units_with_role(user, roles.NETWORK_HOSTS).filter(
            path__startswith=organisation_of(network.unit)
        )
    units = units.exclude(pk__in=taking_part)
    if text:
        units = units.filter(name__icontains=text)
    return list(units.order_by("path")[:PICKER_LIMIT])


def measure_candidates(network: Network, *, text: str = "") -> list:
    """Active measures of the member teams' units (and below) not yet shared."""
    paths = [unit.path for unit in team_units(network)]
    shared = network.measures.values_list("pk", flat=True)
    return control_selectors.active_measures_below(
        paths, text=text, exclude=list(shared), limit=PICKER_LIMIT
    )


def package_candidates(user, network: Network, *, text: str = "") -> list:
    """Published change packages the host reads, not yet shared."""
    shared = set(network.packages.values_list("pk", flat=True))
    packages = improvement_selectors.packages_published(user, text=text)
    return [p for p in packages if p.pk not in shared][:PICKER_LIMIT]


_LARGEST_ID = 2**63 - 1


def _id(value) -> int | None:
    try:
        pk = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return pk if 0 < pk <= _LARGEST_ID else None


def measure_for_network(measure_id):
    """The measure with this id, with its unit and stored results, or None (checked by the
    service that shares it)."""
    pk = _id(measure_id)
    return control_selectors.measures_with_results([pk]).get(pk) if pk else None


def package_for_network(package_id):
    """The published change package with this id, or None."""
    pk = _id(package_id)
    return improvement_selectors.package_published(pk) if pk else None


def member_role_choices() -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in MEMBER_ROLES]


# Home -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeNetworks:
    networks: list[Network]
    more: bool
    upcoming: list[NetworkEvent]
    can_start: bool

    @property
    def anything(self) -> bool:
        return bool(self.upcoming)


def home_networks(user) -> HomeNetworks | None:
    """The person's active networks (a few) and their events of the coming weeks, for home and
    the Learn home; None (no card) when they read none."""
    if not user.is_authenticated:
        return None
    networks = list(
        networks_for(user)
        .filter(status=NetworkStatus.ACTIVE)
        .select_related("unit")
        .order_by("name", "pk")[: HOME_LIMIT + 1]
    )
    can_start = bool(hosting_units(user))
    if not networks:
        return None
    now = timezone.now()
    upcoming = list(
        NetworkEvent.objects.filter(
            network__in=networks_for(user).filter(status=NetworkStatus.ACTIVE),
            starts_at__gte=now,
            starts_at__lt=now + dt.timedelta(days=28),
        )
        .select_related("network")
        .order_by("starts_at", "pk")[:HOME_LIMIT]
    )
    return HomeNetworks(
        networks=networks[:HOME_LIMIT],
        more=len(networks) > HOME_LIMIT,
        upcoming=upcoming,
        can_start=can_start,
    )
