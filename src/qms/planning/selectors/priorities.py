"""Quality planning's reads: priorities, their weights and ranking, the priority page, and what
a new priority is pre-filled with when another page proposes it (a gap, a factor theme, a need,
an aim)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.utils import timezone

from qms.control import selectors as control_selectors
from qms.people import access
from qms.people.models import Unit
from qms.planning import methods, roles, scoring
from qms.planning.models import (
    Aim,
    FactorDomain,
    IssueFactor,
    MethodChoice,
    Need,
    Priority,
    PriorityOrigin,
    PriorityStatus,
    ScoringWeights,
)
from qms.stats.vega import SCHEMA

__all__ = [
    "PRIORITY_PAGE_SIZE",
    "PRIORITY_SORTS",
    "Prefill",
    "PriorityFilters",
    "PriorityPage",
    "PriorityRow",
    "RankedPriorities",
    "Weights",
    "priority_chart_spec",
    "priority_page",
    "priority_prefill",
    "priority_score_of",
    "priority_units",
    "ranked_priorities",
    "weights_by_unit",
    "weights_for",
]

PRIORITY_PAGE_SIZE = 100
# Sort orders of the ranked list: key -> label. A leading "-" reverses.
PRIORITY_SORTS = {
    "rank": "Rank",
    "title": "Priority",
    "unit": "Unit",
    "overall": "Score",
    "impact": "Impact",
    "feasibility": "Feasibility",
    "status": "Status",
    "owner": "Owner",
}
# The chart's ink, as the SPC charts' (qms.stats.vega).
_FONT = "Arial, Liberation Sans, Helvetica, sans-serif"
_INK, _MUTED, _MARKER = "#231F20", "#425563", "#005EB8"
# How far back a factor theme's issues are counted when a priority is proposed from it.
FACTOR_MONTHS = 12


# Weights ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    """The weights a unit's priorities are scored with, and the unit they are set on (None: the
    default, equal weights)."""

    values: dict[str, float]
    source: Unit | None = None


def _row_values(row: ScoringWeights) -> dict[str, float]:
    return {name: float(getattr(row, name)) for name in scoring.CRITERIA}


def weights_for(unit: Unit) -> Weights:
    """The unit's own weights, else the nearest unit above with weights, else equal weights.
    One query."""
    rows = {
        row.unit_id: row
        for row in ScoringWeights.objects.filter(unit_id__in=unit.ancestor_ids).select_related(
            "unit"
        )
    }
    for pk in reversed(unit.ancestor_ids):
        if pk in rows:
            return Weights(_row_values(rows[pk]), rows[pk].unit)
    return Weights(dict(scoring.DEFAULT_WEIGHTS))


def weights_by_unit(units) -> dict[int, Weights]:
    """The weights of each of `units` (see weights_for): one query whatever their number."""
    units = list(units)
    ids = {pk for unit in units for pk in unit.ancestor_ids}
    rows = {
        row.unit_id: row
        for row in ScoringWeights.objects.filter(unit_id__in=ids).select_related("unit")
    }
    result = {}
    for unit in units:
        found = next((rows[pk] for pk in reversed(unit.ancestor_ids) if pk in rows), None)
        result[unit.pk] = (
            Weights(_row_values(found), found.unit)
            if found is not None
            else Weights(dict(scoring.DEFAULT_WEIGHTS))
        )
    return result


def priority_score_of(priority: Priority, weights: Weights) -> scoring.Score:
    return scoring.score(
        {name: getattr(priority, name) for name in scoring.CRITERIA}, weights.values
    )


# The ranked list --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityFilters:
    """What the ranked list is narrowed to; empty fields do not narrow it."""

    status: str = ""
    origin: str = ""
    unit: int | None = None
    sort: str = "rank"


@dataclass
class PriorityRow:
    priority: Priority
    score: scoring.Score
    rank: int | None  # among the fully scored, after filtering; None when not fully scored
    quadrant: str
    weights: Weights


@dataclass
class RankedPriorities:
    unit: Unit
    page: Page
    rows: list[PriorityRow]  # every row, all pages (the chart draws every scored one)
    total: int
    sort: str
    status_counts: dict[str, int] = field(default_factory=dict)


def priority_units(user, unit: Unit) -> list[Unit]:
    """The unit and the units below it whose planning the user sees, in tree order, each with an
    `indent` for a select list."""
    units = list(
        access.units_with_role(user, roles.VIEWERS)
        .filter(path__startswith=unit.path)
        .order_by("path")
    )
    for each in units:
        each.indent = "\u2003" * (each.depth - unit.depth)
    return units


def _sort_value(row: PriorityRow, key: str):
    priority = row.priority
    if key == "title":
        return (priority.title.lower(),)
    if key == "unit":
        return (priority.unit.path, priority.title.lower())
    if key == "status":
        return (PriorityStatus.values.index(priority.status), priority.title.lower())
    if key == "owner":
        name = priority.owner.display_name.lower() if priority.owner else "\uffff"
        return (name, priority.title.lower())
    value = getattr(row.score, key)
    # Unscored last whichever way: the reverse sort flips the sign, not the "unscored" flag.
    return (value is None, -(value or 0.0))


def ranked_priorities(
    user, unit: Unit, filters: PriorityFilters | None = None, *, page: int | str = 1
) -> RankedPriorities:
    """The priorities of a unit and the units below it (the view has checked the user sees the
    unit's planning), each scored with its own unit's weights, ranked (`qms.planning.scoring`),
    filtered, sorted and paged by 100. Three queries whatever the number of priorities: scores
    are computed here, never stored, so a change of weights re-ranks at once."""
    filters = filters or PriorityFilters()
    queryset = access.in_subtree(Priority.objects.all(), unit).select_related(
        "unit", "owner", "project", "measure"
    )
    if filters.unit:
        chosen = Unit.objects.filter(pk=filters.unit).only("path").first()
        queryset = access.in_subtree(queryset, chosen) if chosen is not None else queryset.none()
    if filters.origin:
        queryset = queryset.filter(origin=filters.origin)
    priorities = list(queryset)
    weights = weights_by_unit({p.unit_id: p.unit for p in priorities}.values())
    status_counts = {status: 0 for status in PriorityStatus.values}
    for priority in priorities:
        status_counts[priority.status] += 1
    if filters.status:
        priorities = [p for p in priorities if p.status == filters.status]
    scored = [(p, priority_score_of(p, weights[p.unit_id])) for p in priorities]
    scored.sort(key=lambda pair: scoring.rank_key(pair[1], (pair[0].created_at, pair[0].pk)))
    rows = []
    for position, (priority, result) in enumerate(scored, start=1):
        rows.append(
            PriorityRow(
                priority=priority,
                score=result,
                rank=position if result.fully_scored else None,
                quadrant=scoring.quadrant(result),
                weights=weights[priority.unit_id],
            )
        )
    key = filters.sort.lstrip("-")
    sort = filters.sort if key in PRIORITY_SORTS else "rank"
    ordered = list(rows)
    if key in PRIORITY_SORTS and key != "rank":
        ordered.sort(key=lambda row: _sort_value(row, key))
        if filters.sort.startswith("-"):
            ordered = _reverse_keeping_unscored_last(ordered, key)
    elif filters.sort == "-rank":
        ordered = _reverse_keeping_unscored_last(ordered, "overall")
    paginator = Paginator(ordered, PRIORITY_PAGE_SIZE)
    return RankedPriorities(
        unit=unit,
        page=paginator.get_page(page),
        rows=rows,
        total=len(rows),
        sort=sort,
        status_counts=status_counts,
    )


# The chart's quadrants: (label, x, y, align, baseline), placed in the corners of the 1-5 grid.
_QUADRANTS = (
    ("Quick wins", 5, 5, "right", "top"),
    ("Major projects", 1, 5, "left", "top"),
    ("Fill-ins", 5, 1, "right", "bottom"),
    ("Thankless tasks", 1, 1, "left", "bottom"),
)
_AXIS = {"labelFont": _FONT, "titleFont": _FONT, "labelColor": _MUTED, "titleColor": _INK}


def priority_chart_spec(rows: list[PriorityRow]) -> dict | None:
    """The impact-against-effort chart (Vega-Lite): each fully scored priority a point at its
    feasibility (x: 5 is easy) and impact (y), labelled, with a tooltip and a link to its page,
    on a grid split at 3 into quick wins, major projects, fill-ins and thankless tasks. None
    when nothing is fully scored. The ranked list under it is its table."""
    values = [
        {
            "title": row.priority.title
            if len(row.priority.title) <= 40
            else row.priority.title[:39] + "…",
            "full_title": row.priority.title,
            "impact": round(row.score.impact, 2),
            "feasibility": round(row.score.feasibility, 2),
            "score": round(row.score.overall, 1),
            "rank": row.rank,
            "status": row.priority.get_status_display(),
            "quadrant": row.quadrant,
            "url": row.priority.get_absolute_url(),
        }
        for row in rows
        if row.score.fully_scored
    ]
    if not values:
        return None
    scale = {"domain": [1, 5], "nice": False, "zero": False}
    x = {
        "field": "feasibility",
        "type": "quantitative",
        "scale": scale,
        "title": "Feasibility (5 = little effort and cost, ready now)",
        "axis": {**_AXIS, "tickCount": 5},
    }
    y = {
        "field": "impact",
        "type": "quantitative",
        "scale": scale,
        "title": "Impact (5 = greatest)",
        "axis": {**_AXIS, "tickCount": 5},
    }
    quadrants = [
        {"label": label, "x": qx, "y": qy, "align": align, "baseline": baseline}
        for label, qx, qy, align, baseline in _QUADRANTS
    ]
    return {
        "$schema": SCHEMA,
        "description": "Priorities by impact (up) against feasibility (right); the table below "
        "lists the same priorities with their scores.",
        "height": 360,
        "data": {"values": values},
        "layer": [
            {
                "data": {"values": [{"at": 3}]},
                "mark": {"type": "rule", "color": _MUTED, "strokeDash": [4, 4]},
                "encoding": {"x": {"field": "at", "type": "quantitative", "scale": scale}},
            },
            {
                "data": {"values": [{"at": 3}]},
                "mark": {"type": "rule", "color": _MUTED, "strokeDash": [4, 4]},
                "encoding": {"y": {"field": "at", "type": "quantitative", "scale": scale}},
            },
            *[
                {
                    "data": {"values": [quadrant]},
                    "mark": {
                        "type": "text",
                        "align": quadrant["align"],
                        "baseline": quadrant["baseline"],
                        "font": _FONT,
                        "fontSize": 12,
                        "fontWeight": "bold",
                        "color": _MUTED,
                        "dx": 4 if quadrant["align"] == "left" else -4,
                        "dy": 4 if quadrant["baseline"] == "top" else -4,
                    },
                    "encoding": {
                        "x": {"field": "x", "type": "quantitative", "scale": scale},
                        "y": {"field": "y", "type": "quantitative", "scale": scale},
                        "text": {"field": "label"},
                    },
                }
                for quadrant in quadrants
            ],
            {
                "mark": {
                    "type": "point",
                    "filled": True,
                    "size": 90,
                    "color": _MARKER,
                    "cursor": "pointer",
                },
                "encoding": {
                    "x": x,
                    "y": y,
                    "shape": {
                        "field": "status",
                        "type": "nominal",
                        "title": "Status",
                        "legend": {"labelFont": _FONT, "titleFont": _FONT},
                    },
                    "href": {"field": "url"},
                    "tooltip": [
                        {"field": "full_title", "title": "Priority"},
                        {"field": "rank", "title": "Rank"},
                        {"field": "score", "title": "Score (1-25)"},
                        {"field": "impact", "title": "Impact"},
                        {"field": "feasibility", "title": "Feasibility"},
                        {"field": "quadrant", "title": "Quadrant"},
                        {"field": "status", "title": "Status"},
                    ],
                },
            },
            {
                "mark": {
                    "type": "text",
                    "align": "left",
                    "dx": 8,
                    "dy": -8,
                    "font": _FONT,
                    "fontSize": 11,
                    "color": _INK,
                },
                "encoding": {"x": x, "y": y, "text": {"field": "title"}, "href": {"field": "url"}},
            },
        ],
    }


def _reverse_keeping_unscored_last(rows: list[PriorityRow], key: str) -> list[PriorityRow]:
    if key in ("overall", "impact", "feasibility"):
        with_value = [r for r in rows if getattr(r.score, key) is not None]
        without = [r for r in rows if getattr(r.score, key) is None]
        return [*reversed(with_value), *without]
    return list(reversed(rows))


# The priority page ------------------------------------------------------------------------------


@dataclass
class PriorityPage:
    priority: Priority
    score: scoring.Score
    weights: Weights
    rank: int | None
    ranked_among: int
    quadrant: str
    criteria: list[tuple[str, str, int | None, float]]  # name, label, score, weight
    source_title: str
    source_link: str
    measures: list
    factors: list[FactorDomain]
    method_choice: MethodChoice | None
    designs: list
    aim_link: str
    project_link: str
    measure_link: str
    can_score: bool
    can_decide: bool
    can_see_unit: bool

    @property
    def method_choice_label(self) -> str:
        choice = self.method_choice
        return methods.METHODS.get(choice.chosen, choice.chosen) if choice else ""

    @property
    def method_recommended_label(self) -> str:
        choice = self.method_choice
        return methods.METHODS.get(choice.recommended, choice.recommended) if choice else ""


def _source(user, priority: Priority) -> tuple[str, str]:
    """The record the priority came from, when it exists and the user may see it."""
    if priority.source_type_id is None:
        return "", ""
    record = priority.source_record
    if record is None:
        return "", ""
    if isinstance(record, FactorDomain):
        # The origin ("Recurring contributory factor") already says what kind of record it is.
        return record.name, ""
    try:
        seen = bool(access.roles_on(user, record))
    except AttributeError:
        seen = False
    if not seen:
        return "", ""
    link = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
    if isinstance(record, Need):
        link = record.assessment.get_absolute_url()
        return f"Need: {record} ({record.assessment})", link
    return str(record), link


def _link_if_seen(user, record) -> str:
    """The record's page when the user may open it: staff of its unit, or a role given on it
    (a partner on the priority is not on every project it became)."""
    if record is None:
        return ""
    seen = access.roles_in(user, access.unit_of(record)) & roles.VIEWERS or access.granted_roles(
        user, record
    )
    return record.get_absolute_url() if seen else ""


def _aim_link(user, priority: Priority) -> str:
    """The page of the priority's aim, when the user reads it (a partner on the priority may
    not: the aim is then named without a link)."""
    from qms.planning.selectors.aims import aim_readable

    aim = priority.aim
    return aim.get_absolute_url() if aim is not None and aim_readable(user, aim) else ""


def priority_page(user, priority: Priority) -> PriorityPage:
    """Everything the priority page shows: its scores under its unit's weights, its rank among
    the unit's priorities, its source, measures, factors, method and who may do what."""
    from qms.planning.services.priorities import may_decide, may_score

    weights = weights_for(priority.unit)
    result = priority_score_of(priority, weights)
    siblings = list(
        Priority.objects.filter(unit=priority.unit).only("pk", "created_at", *scoring.CRITERIA)
    )
    ranked = sorted(
        ((p, priority_score_of(p, weights)) for p in siblings),
        key=lambda pair: scoring.rank_key(pair[1], (pair[0].created_at, pair[0].pk)),
    )
    scored = [p.pk for p, s in ranked if s.fully_scored]
    rank = scored.index(priority.pk) + 1 if priority.pk in scored else None
    measure_ids = list(priority.measures.values_list("pk", flat=True))
    measures = list(control_selectors.measures_with_results(measure_ids).values())
    measures = [m for m in measures if access.roles_on(user, m) & roles.VIEWERS]
    title, link = _source(user, priority)
    return PriorityPage(
        priority=priority,
        score=result,
        weights=weights,
        rank=rank,
        ranked_among=len(scored),
        quadrant=scoring.quadrant(result),
        criteria=[
            (name, scoring.LABELS[name], getattr(priority, name), weights.values[name])
            for name in scoring.CRITERIA
        ],
        source_title=title,
        source_link=link,
        measures=sorted(measures, key=lambda m: m.name),
        factors=list(priority.factors.all()),
        method_choice=MethodChoice.objects.filter(priority=priority).first(),
        designs=list(priority.designs.only("pk", "title", "kind", "priority_id")),
        aim_link=_aim_link(user, priority),
        project_link=_link_if_seen(user, priority.project),
        measure_link=_link_if_seen(user, priority.measure),
        can_score=may_score(user, priority),
        can_decide=may_decide(user, priority),
        can_see_unit=bool(access.roles_in(user, priority.unit) & roles.VIEWERS),
    )


# Pre-filling a new priority ---------------------------------------------------------------------


@dataclass
class Prefill:
    """What a new priority proposed from another page starts with: its origin and source, the
    title and problem to start from, its aim, measures and factors."""

    origin: str
    source: object | None = None
    title: str = ""
    problem: str = ""
    aim: Aim | None = None
    measures: list = field(default_factory=list)
    factors: list = field(default_factory=list)

    @property
    def origin_label(self) -> str:
        return PriorityOrigin(self.origin).label.lower()


def _int(value) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _fmt(value) -> str:
    if value is None:
        return "not known"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


_ASSURANCE_WORDS = {
    "pass": "passes",
    "fail": "fails",
    "hit_or_miss": "hit or miss",
    "none": "not known yet",
}


def _visible_in_org(user, record, unit: Unit) -> bool:
    record_unit = access.unit_of(record)
    return bool(access.roles_on(user, record) & roles.VIEWERS) and (
        record_unit.ancestor_ids[:1] == unit.ancestor_ids[:1]
    )


def _gap_prefill(user, unit: Unit, measure_id) -> Prefill | None:
    measure = control_selectors.measures_with_results([measure_id]).get(measure_id)
    if measure is None or not _visible_in_org(user, measure, unit):
        return None
    result = getattr(measure, "result", None)
    centre = None
    assurance = "none"
    if result is not None:
        points = result.points or []
        centre = points[-1].get("cl") if points else None
        assurance = result.assurance_icon
    label = f" {measure.unit_label}" if measure.unit_label else ""
    target = f"{_fmt(measure.target)}{label}" if measure.target is not None else "no target set"
    problem = (
        f"Current performance {_fmt(centre)}{label if centre is not None else ''} against target "
        f"{target} (assurance: {_ASSURANCE_WORDS.get(assurance, assurance)}), for {measure.name} "
        f"in {measure.unit.name}."
    )
    return Prefill(
        origin=PriorityOrigin.GAP,
        source=measure,
        title=f"Close the gap: {measure.name}"[:200],
        problem=problem,
        measures=[measure],
    )


def _factor_prefill(user, unit: Unit, domain_id) -> Prefill | None:
    domain = FactorDomain.objects.filter(pk=domain_id, is_active=True).first()
    if domain is None:
        return None
    since = timezone.localdate() - dt.timedelta(days=FACTOR_MONTHS * 366 // 12)
    count = (
        IssueFactor.objects.filter(
            domain=domain,
            analysis__issue__unit__path__startswith=unit.path,
            analysis__issue__created_at__date__gte=since,
        )
        .values("analysis__issue")
        .distinct()
        .count()
    )
    issues = "issue" if count == 1 else "issues"
    problem = (
        f"{domain.name} contributed to {count} {issues} in {unit.name} in the last "
        f"{FACTOR_MONTHS} months."
    )
    return Prefill(
        origin=PriorityOrigin.FACTOR,
        source=domain,
        title=f"Recurring factor: {domain.name}"[:200],
        problem=problem,
        factors=[domain],
    )


def _need_prefill(user, unit: Unit, need_id) -> Prefill | None:
    need = Need.objects.select_related("assessment__unit").filter(pk=need_id).first()
    if need is None or not _visible_in_org(user, need, unit):
        return None
    assessment = need.assessment
    return Prefill(
        origin=PriorityOrigin.NEED,
        source=need,
        title=f"Meet a need: {need}"[:200],
        problem=f"{need.statement}\n\nFrom the needs assessment “{assessment}” "
        f"({assessment.population}).",
    )


def _aim_prefill(user, unit: Unit, aim_id) -> Prefill | None:
    from qms.planning.selectors.aims import aims_of

    aim = aims_of(user, unit).filter(pk=aim_id).first()
    if aim is None:
        return None
    return Prefill(
        origin=PriorityOrigin.AIM,
        source=aim,
        title=f"Towards the aim: {aim}"[:200],
        problem=f"The aim “{aim.statement}” (target {aim.target}, by {aim.due_on:%d %B %Y}) "
        "needs work to be met.",
        aim=aim,
    )


def priority_prefill(user, unit: Unit, query) -> Prefill | None:
    """What `?origin=gap&measure=ID`, `?origin=factor&domain=ID`, `?origin=need&need=ID` or
    `?origin=aim&aim=ID` pre-fill a new priority of `unit` with; None when the query names
    nothing, a malformed id, or a record the user cannot see or of another organisation (the
    form then starts empty: no error, nothing disclosed)."""
    origin = query.get("origin", "")
    makers = {
        PriorityOrigin.GAP: ("measure", _gap_prefill),
        PriorityOrigin.FACTOR: ("domain", _factor_prefill),
        PriorityOrigin.NEED: ("need", _need_prefill),
        PriorityOrigin.AIM: ("aim", _aim_prefill),
    }
    if origin not in makers:
        return None
    parameter, make = makers[origin]
    record_id = _int(query.get(parameter))
    if record_id is None:
        return None
    return make(user, unit, record_id)
