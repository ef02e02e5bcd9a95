"""Quality planning's reads: the vision and the aims.

Every read makes a fixed number of queries whatever the number of aims, measures and projects;
measures' progress comes from quality control's stored results (`measures_with_results`,
`measure_charts`), never recomputed here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from qms.control import selectors as control_selectors
from qms.people import access
from qms.people.models import Unit
from qms.planning import roles
from qms.planning.models import Aim, Priority, Vision
from qms.planning.services.aims import may_read_aim

__all__ = [
    "AIMS_PAGE_SIZE",
    "AimCascade",
    "AimPage",
    "AimRow",
    "AimStatus",
    "aim_readable",
    "MeasureProgress",
    "aim_cascade",
    "aim_page",
    "aim_status",
    "aims_of",
    "aims_served_by",
    "home_visions",
    "measure_choices_for_aim",
    "parent_choices",
    "project_choices_for_aim",
    "unserved_aims",
    "vision_page",
]

AIMS_PAGE_SIZE = 100
_CONCERN = {"concern_high", "concern_low"}
_IMPROVEMENT = {"improvement_high", "improvement_low"}


@dataclass(frozen=True)
class AimStatus:
    """What an aim's measures say, in words (the words carry the meaning, never colour)."""

    code: str  # "none", "no_data", "off_track", "on_track", "improving", "unclear"
    words: str


STATUSES = {
    "none": AimStatus("none", "No measure of its own yet"),
    "no_data": AimStatus("no_data", "No data yet"),
    "off_track": AimStatus("off_track", "Off track: a measure is of concern or will miss"),
    "on_track": AimStatus("on_track", "On track: its measures reliably meet their targets"),
    "improving": AimStatus("improving", "Improving"),
    "unclear": AimStatus("unclear", "Not yet clear: no change, or no target"),
}


def aim_status(measures) -> AimStatus:
    """An aim's status from the stored icons of its measures: off track when one is of concern
    or will not meet its target; on track when every one with a target reliably meets it;
    improving when one shows special cause improvement."""
    measures = list(measures)
    if not measures:
        return STATUSES["none"]
    results = [m.result for m in measures if _result(m) is not None]
    if not results:
        return STATUSES["no_data"]
    variation = {r.variation_icon for r in results}
    assurance = {r.assurance_icon for r in results}
    if variation & _CONCERN or "fail" in assurance:
        return STATUSES["off_track"]
    assured = [r.assurance_icon for r in results if r.assurance_icon not in ("", "none", None)]
    if assured and all(code == "pass" for code in assured):
        return STATUSES["on_track"]
    if variation & _IMPROVEMENT:
        return STATUSES["improving"]
    return STATUSES["unclear"]


def _result(measure):
    try:
        return measure.result
    except Exception:  # noqa: BLE001 - a measure with no results yet (RelatedObjectDoesNotExist)
        return None


# Choices for forms and other parts ---------------------------------------------------------------


def _above_and_here(unit: Unit) -> list[int]:
    return unit.ancestor_ids if unit.path else [unit.pk]


def aims_of(user, unit: Unit) -> QuerySet[Aim]:
    """The active aims a record of `unit` may serve, for a form's choices (a priority's aim, a
    new aim's parent): those of the unit and of the units above it that the user reads (staff
    of a unit read the aims above it: the cascade their own aims serve). One query."""
    if not (access.roles_in(user, unit) & roles.VIEWERS):
        return Aim.objects.none()
    return (
        Aim.objects.filter(unit_id__in=_above_and_here(unit), is_active=True)
        .select_related("unit")
        .order_by("unit__path", "due_on", "pk")
    )


def aims_served_by(user, measure) -> list[Aim]:
    """The active aims a measure serves that the person reads (of the measure's unit or the
    units above it: an aim's measures are of its unit or below). One query."""
    aims = Aim.objects.filter(measures=measure, is_active=True).select_related("unit")
    return [aim for aim in aims.order_by("unit__path", "due_on", "pk") if may_read_aim(user, aim)]


def parent_choices(user, unit: Unit, aim: Aim | None = None) -> list[Aim]:
    """The aims a (new or existing) aim of `unit` may serve: active aims of the unit and the
    units above, less the aim itself and those that serve it (a loop)."""
    choices = list(aims_of(user, unit))
    if aim is None or aim.pk is None:
        return choices
    below = _descendant_ids(aim)
    return [choice for choice in choices if choice.pk != aim.pk and choice.pk not in below]


def _descendant_ids(aim: Aim) -> set[int]:
    """The aims serving this one, all the way down (one query per level; a cascade is a few
    levels deep)."""
    found: set[int] = set()
    level = {aim.pk}
    while level:
        level = set(Aim.objects.filter(parent_id__in=level).values_list("pk", flat=True)) - found
        found |= level
    return found


def measure_choices_for_aim(
    user, aim: Aim, text: str = "", *, limit: int = 50, pk: int | None = None
) -> list:
    """Active measures of the aim's unit and below that the user sees, not linked yet, with
    their results (control's `measures_in`: two queries); only the one with `pk` when given
    (the one a form names, if it is among them)."""
    filters = control_selectors.MeasureFilters(text=text, sort="name")
    query = control_selectors.measures_in(user, aim.unit, filters).exclude(
        pk__in=Aim.measures.through.objects.filter(aim=aim).values("measure_id")
    )
    if pk is not None:
        query = query.filter(pk=pk)
    return list(query[:limit])


def project_choices_for_aim(
    user, aim: Aim, text: str = "", *, limit: int = 50, pk: int | None = None
) -> list:
    """Improvement projects of the aim's unit and below that the user sees, not linked yet;
    only the one with `pk` when given."""
    project_model = Aim._meta.get_field("projects").related_model
    query = access.visible(
        user,
        project_model.objects.filter(unit__path__startswith=aim.unit.path),
        roles.VIEWERS,
    ).exclude(pk__in=Aim.projects.through.objects.filter(aim=aim).values("project_id"))
    if text:
        query = query.filter(Q(title__icontains=text) | Q(aim__icontains=text))
    if pk is not None:
        query = query.filter(pk=pk)
    return list(query.select_related("unit").order_by("title", "pk")[:limit])


# The vision ---------------------------------------------------------------------------------------


@dataclass
class VisionPage:
    unit: Unit
    vision: Vision | None
    # The visions of the units above, the board's first ("Our organisation's vision").
    above: list[Vision]

    @property
    def organisation(self) -> Vision | None:
        return self.above[0] if self.above and self.above[0].unit.parent_id is None else None


def vision_page(unit: Unit) -> VisionPage:
    """A unit's vision and the visions of the units above it: one query."""
    visions = {
        v.unit_id: v
        for v in Vision.objects.filter(unit_id__in=_above_and_here(unit)).select_related(
            "unit", "updated_by"
        )
    }
    above = [visions[pk] for pk in _above_and_here(unit)[:-1] if pk in visions]
    return VisionPage(unit=unit, vision=visions.get(unit.pk), above=above)


def home_visions(units) -> list[Vision]:
    """The organisation's vision for each board among the units the person plans for (Plan
    home): one query."""
    roots = {unit.ancestor_ids[0] for unit in units if unit.path}
    return list(
        Vision.objects.filter(unit_id__in=roots, unit__parent__isnull=True)
        .select_related("unit")
        .order_by("unit__name")
    )


# The aims page: the cascade -------------------------------------------------------------------


@dataclass
class AimRow:
    aim: Aim
    measures: list
    projects: int
    children: int  # active aims serving it
    status: AimStatus
    depth: int = 0  # its place in the nested list
    nested: list[AimRow] = field(default_factory=list)

    @property
    def serves_retired(self) -> bool:
        return self.aim.parent_id is not None and not self.aim.parent.is_active

    @property
    def unserved(self) -> bool:
        return not self.measures and not self.projects and not self.children


@dataclass
class AimCascade:
    unit: Unit
    vision: VisionPage
    page: Page  # of the top-level rows, each with its nested rows
    unserved: list[AimRow]
    retired: list[Aim]
    total: int
    today: dt.date = field(default_factory=timezone.localdate)


def _subtree_aims(unit: Unit) -> QuerySet[Aim]:
    return (
        Aim.objects.filter(unit__path__startswith=unit.path)
        .select_related("unit", "parent__unit")
        .annotate(
            project_count=Count("projects", distinct=True),
            child_count=Count("children", filter=Q(children__is_active=True), distinct=True),
        )
        .order_by("unit__path", "due_on", "pk")
    )


def _rows(aims: list[Aim]) -> dict[int, AimRow]:
    """Each aim's row with its measures' stored results: two queries for any number."""
    through = Aim.measures.through
    links = list(
        through.objects.filter(aim_id__in=[a.pk for a in aims]).values_list("aim_id", "measure_id")
    )
    measures = control_selectors.measures_with_results({m for _, m in links}) if links else {}
    by_aim: dict[int, list] = {}
    for aim_id, measure_id in links:
        if measure_id in measures:
            by_aim.setdefault(aim_id, []).append(measures[measure_id])
    return {
        aim.pk: AimRow(
            aim=aim,
            measures=sorted(by_aim.get(aim.pk, []), key=lambda m: m.name.lower()),
            projects=aim.project_count,
            children=aim.child_count,
            status=aim_status(by_aim.get(aim.pk, [])),
        )
        for aim in aims
    }


def _nest(rows: dict[int, AimRow]) -> list[AimRow]:
    """The active aims as a tree: each under the aim it serves when that aim is on the page,
    otherwise at the top (an aim of a unit above, a retired aim, none)."""
    tops = []
    for row in rows.values():
        parent = rows.get(row.aim.parent_id) if row.aim.parent_id else None
        if parent is not None and parent.aim.is_active:
            parent.nested.append(row)
        else:
            tops.append(row)

    def depth(row: AimRow, level: int) -> None:
        row.depth = level
        for child in row.nested:
            depth(child, level + 1)

    for row in tops:
        depth(row, 0)
    return tops


def aim_cascade(user, unit: Unit, *, sub_unit: Unit | None = None, page: int | str = 1):
    """The aims page of a unit (the view has checked the user sees its planning; roles reach
    down): the organisation's vision and the unit's; the active aims of the unit and the units
    below (or of `sub_unit`'s subtree) nested by the aims they serve, paged by 100 top-level
    rows; those nothing serves; the retired. Five queries whatever the number of aims."""
    where = sub_unit or unit
    aims = list(_subtree_aims(where))
    active = [a for a in aims if a.is_active]
    rows = _rows(active)
    tops = _nest(rows)
    paginator = Paginator(tops, AIMS_PAGE_SIZE)
    return AimCascade(
        unit=unit,
        vision=vision_page(unit),
        page=paginator.get_page(page),
        unserved=[row for row in rows.values() if row.unserved],
        retired=[a for a in aims if not a.is_active],
        total=len(active),
    )


def unserved_aims(user, unit: Unit) -> list[Aim]:
    """The active aims of the unit and the units below it (that the user sees) that no measure,
    no project and no active aim serves. One query."""
    query = access.visible(
        user, Aim.objects.filter(unit__path__startswith=unit.path, is_active=True), roles.VIEWERS
    )
    return list(
        query.annotate(
            measure_count=Count("measures", distinct=True),
            project_count=Count("projects", distinct=True),
            child_count=Count("children", filter=Q(children__is_active=True), distinct=True),
        )
        .filter(measure_count=0, project_count=0, child_count=0)
        .select_related("unit")
        .order_by("unit__path", "due_on", "pk")
    )


# The aim page -------------------------------------------------------------------------------------


@dataclass
class MeasureProgress:
    """A linked measure as the aim page shows it: its stored chart and icons, the latest value
    against its target."""

    measure: object
    chart: object  # control's MeasureChart
    seen: bool  # the user may open its page

    @property
    def target_met(self) -> bool | None:
        """Whether the latest value meets the target in the measure's direction (None when
        there is no target, no value or no direction)."""
        target, value = self.measure.target, self.chart.last_value
        if target is None or value is None:
            return None
        if self.measure.direction == "increase":
            return value >= target
        if self.measure.direction == "decrease":
            return value <= target
        return None


@dataclass
class AimPage:
    aim: Aim
    can_set: bool
    can_see_unit: bool
    propose_link: str  # a new priority towards the aim (the priorities' part), or ""
    gaps_link: str  # the gaps of its measures (the gaps' part), or ""
    children: list[Aim]
    measures: list[MeasureProgress]
    projects: list[tuple[object, bool]]  # (project, the user may open its page)
    priorities: list[tuple[Priority, str]]  # (priority, its page's address or "")
    status: AimStatus
    retired_reason: str
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def overdue(self) -> bool:
        return self.aim.is_active and self.aim.due_on < self.today


def _priority_link(priority: Priority) -> str:
    try:
        return reverse("planning:priority-detail", args=[priority.pk])
    except NoReverseMatch:  # the priorities' part has no page yet
        return ""


def _part_link(name: str, aim: Aim, query: str) -> str:
    """Another part's page of the aim's unit, about this aim; "" when that part has no page."""
    try:
        return f"{reverse(name, args=[aim.unit_id])}?{query}{aim.pk}"
    except NoReverseMatch:
        return ""


def _sees(user, priority: Priority) -> bool:
    return user is None or bool(
        access.roles_on(user, priority) & roles.VIEWERS
        or access.granted_roles(user, priority) & roles.GRANTED_VIEWERS
    )


def _retired_reason(aim: Aim) -> str:
    if aim.is_active:
        return ""
    row = aim.history.filter(is_active=False).order_by("history_date").first()
    reason = (row.history_change_reason or "") if row is not None else ""
    return reason.removeprefix("Retired: ")


def aim_page(aim: Aim, user=None) -> AimPage:
    """Everything the aim page shows: who may change it, the aims serving it, each measure's
    chart, icons and latest value against its target (stored results), the projects and the
    priorities serving it. A fixed number of queries whatever the number of measures."""
    measure_ids = list(Aim.measures.through.objects.filter(aim=aim).values_list("measure_id"))
    measures = control_selectors.measures_with_results(pk for (pk,) in measure_ids)
    ordered = sorted(measures.values(), key=lambda m: (m.unit.path, m.name.lower()))
    charts = control_selectors.measure_charts(ordered)
    progress = [
        MeasureProgress(
            measure=chart.measure,
            chart=chart,
            seen=user is None or bool(access.roles_on(user, chart.measure) & roles.VIEWERS),
        )
        for chart in charts
    ]
    projects = [
        (project, user is None or bool(access.roles_on(user, project) & roles.VIEWERS))
        for project in aim.projects.select_related("unit", "lead").order_by("title", "pk")
    ]
    priorities = [
        (priority, _priority_link(priority) if _sees(user, priority) else "")
        for priority in Priority.objects.filter(aim=aim)
        .select_related("unit")
        .order_by("-created_at", "-pk")
    ]
    held = access.roles_on(user, aim) if user is not None else frozenset()
    return AimPage(
        aim=aim,
        can_set=user is not None and aim.is_active and bool(held & roles.AIM_SETTERS),
        can_see_unit=user is None or bool(held & roles.VIEWERS),
        propose_link=_part_link("planning:priority-create", aim, "origin=aim&aim=")
        if aim.is_active and user is not None and held & roles.PROPOSERS
        else "",
        gaps_link=_part_link("planning:gaps", aim, "aim=")
        if progress and user is not None and held & roles.VIEWERS
        else "",
        children=list(
            aim.children.select_related("unit").order_by("-is_active", "unit__path", "due_on")
        ),
        measures=progress,
        projects=projects,
        priorities=priorities,
        status=aim_status(ordered),
        retired_reason=_retired_reason(aim),
    )


def aim_readable(user, aim: Aim) -> bool:
    """For views: whether the person reads this aim (see `services.may_read_aim`)."""
    return may_read_aim(user, aim)
