"""Reads of quality improvement: PDSA cycles, shaped for the ramp page, the cycle page, its
Study form (the charts of the cycle's measures beside the predictions) and the project page's
section. Each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import mark_safe

from qms.control import selectors as control_selectors
from qms.improvement import roles
from qms.improvement.models import (
    ActDecision,
    CycleStage,
    DriverNode,
    NodeKind,
    PdsaCycle,
    Project,
    ProjectMeasure,
)
from qms.people import access
from qms.people.models import ObjectGrant, Person
from qms.people.roles import STAFF_ROLES

__all__ = [
    "CyclePage",
    "RampPage",
    "StudyChart",
    "cycle_measures",
    "cycle_page",
    "cycles_due",
    "cycles_section",
    "ramp_page",
    "study_charts",
    "team_people",
]


def may_change(user, project: Project) -> bool:
    """Whether the user may plan and record the project's cycles now (the projects part's
    rule, read lazily: services import these selectors)."""
    from qms.improvement.services.projects import may_change as rule

    return rule(user, project)


def _overdue(cycle: PdsaCycle, today: dt.date) -> bool:
    return cycle.stage != CycleStage.DONE and cycle.ends_on < today


def team_people(project: Project) -> list[Person]:
    """Who may own a cycle: the project's team (people given a team role on the project) and
    the leads and coaches of its unit or a unit above it, active, by name."""
    content_type = ContentType.objects.get_for_model(Project)
    granted = ObjectGrant.objects.filter(
        content_type=content_type, object_id=project.pk, role__in=roles.TEAM_GRANTED
    ).values("person_id")
    return list(
        Person.objects.filter(is_active=True)
        .filter(
            Q(pk__in=granted)
            | Q(
                memberships__unit_id__in=project.unit.ancestor_ids,
                memberships__role__in=roles.TEAM,
            )
        )
        .distinct()
        .order_by("display_name", "pk")
    )


# The ramp ---------------------------------------------------------------------------------------


@dataclass
class RampRow:
    cycle: PdsaCycle
    overdue: bool


@dataclass
class RampPage:
    change_idea: DriverNode
    project: Project
    rows: list[RampRow]
    can_plan: bool
    project_link: str
    diagram_link: str
    today: dt.date


def ramp_page(user, change_idea: DriverNode, *, today: dt.date | None = None) -> RampPage:
    """A change idea's cycles in order, each with its stage, dates, owner and decision."""
    today = today or timezone.localdate()
    project = change_idea.project
    cycles = change_idea.cycles.select_related("owner").order_by("number")
    return RampPage(
        change_idea=change_idea,
        project=project,
        rows=[RampRow(cycle, _overdue(cycle, today)) for cycle in cycles],
        can_plan=may_change(user, project),
        project_link=project.get_absolute_url(),
        diagram_link=change_idea.get_absolute_url(),
        today=today,
    )


# One cycle --------------------------------------------------------------------------------------


@dataclass
class CyclePage:
    cycle: PdsaCycle
    predictions: list
    can_write: bool
    overdue: bool
    previous: PdsaCycle | None
    next_cycles: list[PdsaCycle]
    project_link: str
    ramp_link: str
    stage_index: int
    stages: list[tuple[str, str, str]] = field(default_factory=list)  # value, label, state


def cycle_page(user, cycle: PdsaCycle, *, today: dt.date | None = None) -> CyclePage:
    """The cycle with its predictions, its neighbours in the ramp and where it stands."""
    from django.urls import reverse

    today = today or timezone.localdate()
    order = [stage.value for stage in CycleStage]
    index = order.index(cycle.stage)
    stages = [
        (
            stage.value,
            stage.label,
            "done" if position < index else "current" if position == index else "todo",
        )
        for position, stage in enumerate(CycleStage)
    ]
    return CyclePage(
        cycle=cycle,
        predictions=list(cycle.predictions.all()),
        can_write=may_change(user, cycle.project),
        overdue=_overdue(cycle, today),
        previous=cycle.previous,
        next_cycles=list(cycle.next_cycles.order_by("number")),
        project_link=cycle.project.get_absolute_url(),
        ramp_link=reverse("improvement:ramp", args=[cycle.change_idea_id]),
        stage_index=index,
        stages=stages,
    )


def cycle_measures(cycle: PdsaCycle) -> list:
    """The measures whose charts show the cycle: the project's and its change idea's, the
    project's outcome measures first. Two queries."""
    links = ProjectMeasure.objects.filter(project_id=cycle.project_id).select_related("measure")
    order = {"outcome": 0, "process": 1, "balancing": 2}
    measures = {}
    for link in sorted(links, key=lambda link: (order.get(link.role, 3), link.measure.name)):
        measures[link.measure.pk] = link.measure
    for measure in cycle.change_idea.measures.order_by("name"):
        measures.setdefault(measure.pk, measure)
    return list(measures.values())


@dataclass
class StudyChart:
    measure: object
    spec_json: str  # the chart's Vega-Lite JSON, escaped for a <script> element; "" without data
    element_id: str
    link: str  # the measure's page, for those who may open it


def study_charts(cycle: PdsaCycle, user) -> list[StudyChart]:
    """The charts of the cycle's measures for the Study form, with the project's cycles marked
    on them (control's stored charts: a few queries however many measures)."""
    charts = []
    for chart in control_selectors.measure_charts(cycle_measures(cycle)):
        # control escapes the chart's JSON for a <script> element (charts.spec_json).
        spec = mark_safe(chart.chart) if chart.chart else ""  # noqa: S308
        # The team sees the charts of its project's measures; the measure's own page is for
        # those who may open it.
        staff = access.roles_on(user, chart.measure) & STAFF_ROLES
        link = chart.measure.get_absolute_url() if staff else ""
        charts.append(StudyChart(chart.measure, spec, f"measure-chart-{chart.measure.pk}", link))
    return charts


# Home ------------------------------------------------------------------------------------------

# How far ahead home shows the person's cycles ending, and how many at most.
DUE_WITHIN_DAYS = 7
DUE_LIMIT = 5


@dataclass
class CycleDue:
    cycle: PdsaCycle
    overdue: bool


def cycles_due(user, *, today: dt.date | None = None) -> list[CycleDue]:
    """The cycles the person owns that are not done and end within a week or are overdue, the
    earliest first (one query)."""
    today = today or timezone.localdate()
    cycles = (
        PdsaCycle.objects.filter(owner=user, ends_on__lte=today + dt.timedelta(DUE_WITHIN_DAYS))
        .exclude(stage=CycleStage.DONE)
        .select_related("project")
        .order_by("ends_on", "pk")[:DUE_LIMIT]
    )
    return [CycleDue(cycle, _overdue(cycle, today)) for cycle in cycles]


# The project page's section ---------------------------------------------------------------------


@dataclass
class IdeaRamp:
    change_idea: DriverNode
    counts: list[tuple[str, int]]  # (stage label, cycles at it), in the stages' order
    total: int
    latest_decision: str  # the label of the last decision taken, or ""
    overdue: list[PdsaCycle]


def cycles_section(project, user) -> dict:
    """The context of the project page's cycles section (improvement/_project_cycles.html,
    given as `cycles`): each change idea with its ramp (cycles by stage, the latest decision,
    overdue cycles). Two queries, whatever the size of the project."""
    today = timezone.localdate()
    ideas = list(
        DriverNode.objects.filter(project=project, kind=NodeKind.CHANGE_IDEA).order_by(
            "parent_id", "position", "pk"
        )
    )
    by_idea: dict[int, list[PdsaCycle]] = {}
    for cycle in PdsaCycle.objects.filter(project=project).only(
        "pk", "change_idea_id", "number", "title", "stage", "ends_on", "decision", "project_id"
    ):
        by_idea.setdefault(cycle.change_idea_id, []).append(cycle)
    ramps = []
    for idea in ideas:
        cycles = sorted(by_idea.get(idea.pk, []), key=lambda cycle: cycle.number)
        decided = [cycle for cycle in cycles if cycle.decision]
        counted = Counter(cycle.stage for cycle in cycles)
        ramps.append(
            IdeaRamp(
                change_idea=idea,
                counts=[(stage.label, counted[stage]) for stage in CycleStage],
                total=len(cycles),
                latest_decision=ActDecision(decided[-1].decision).label if decided else "",
                overdue=[cycle for cycle in cycles if _overdue(cycle, today)],
            )
        )
    total = sum(ramp.total for ramp in ramps)
    return {
        "ramps": ramps,
        "stages": list(CycleStage),
        "total": total,
        "overdue": sum(len(ramp.overdue) for ramp in ramps),
        "can_plan": may_change(user, project),
    }
