"""Reads for the measure pages, signals and the inbox, shaped for the page that shows them.
Everything comes from stored results (MeasureResult): pages never recompute SPC."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from qms.control.explain import explain_point
from qms.control.models import (
    Annotation,
    Escalation,
    Measure,
    MeasureResult,
    Notification,
    Observation,
    Phase,
    Signal,
    SignalStatus,
)
from qms.control.periods import period_label
from qms.control.reports import series_from_points
from qms.people import permissions
from qms.stats.vega import chart_spec

OPEN_STATUSES = [SignalStatus.OPEN, SignalStatus.ACKNOWLEDGED, SignalStatus.ESCALATED]


def measures_in(user, unit) -> list[Measure]:
    """Active measures of the unit and the units below it, with their stored results and
    counts of open signals: one query."""
    subtree = permissions.units_visible_to(user).filter(path__startswith=unit.path)
    return list(
        Measure.objects.filter(unit__in=subtree, is_active=True)
        .select_related("unit", "result", "owner")
        .defer("result__points", "result__phases")  # the chart data is not needed in a list
        .annotate(open_signals=Count("signals", filter=Q(signals__status__in=OPEN_STATUSES)))
        .order_by("unit__path", "name")
    )


@dataclass(frozen=True)
class PointRow:
    period: dt.date
    label: str
    value: float | None
    denominator: float | None
    cl: float | None
    lcl: float | None
    ucl: float | None
    point_type: str
    explanation: str
    observation: Observation | None


@dataclass(frozen=True)
class MeasurePage:
    measure: Measure
    result: MeasureResult | None
    rows: list[PointRow]
    chart: dict | None
    signals: list[Signal]
    phases: list[Phase]
    annotations: list[Annotation]


def measure_page(measure: Measure) -> MeasurePage:
    result = MeasureResult.objects.filter(measure=measure).first()
    points = result.points if result else []
    observations = {o.period: o for o in measure.observations.all()}
    phases = list(measure.phases.select_related("created_by"))
    annotations = list(measure.annotations.all())
    rows = []
    for index, point in enumerate(points):
        period = dt.date.fromisoformat(point["period"])
        observation = observations.get(period)
        rows.append(
            PointRow(
                period=period,
                label=period_label(period, measure.frequency),
                value=point["y"],
                denominator=observation.denominator if observation else None,
                cl=point["cl"],
                lcl=point["lcl"],
                ucl=point["ucl"],
                point_type=point["point_type"],
                explanation=explain_point(points, index, measure.frequency),
                observation=observation,
            )
        )
    signals = list(
        measure.signals.select_related("handled_by", "issue").prefetch_related(
            Prefetch(
                "escalations",
                queryset=Escalation.objects.select_related(
                    "from_unit", "to_unit", "created_by", "responded_by"
                ).order_by("created_at", "pk"),
            )
        )
    )
    chart = _chart(measure, result, phases, annotations) if points else None
    return MeasurePage(measure, result, rows, chart, signals, phases, annotations)


def _chart(measure, result, phases, annotations) -> dict:
    """The Vega-Lite specification of the stored chart, with phases and annotations marked."""
    points = result.points
    series = series_from_points(measure.name, points, result.variation_icon, result.assurance_icon)
    labels = {point["period"] for point in points}
    notes = [
        {"x": phase.starts_on.isoformat(), "text": f"New limits: {phase.reason}"[:60]}
        for phase in phases
        if phase.starts_on.isoformat() in labels
    ]
    notes += [
        {"x": note.period.isoformat(), "text": note.text[:60]}
        for note in annotations
        if note.period.isoformat() in labels
    ]
    y_title = measure.unit_label.strip() or None
    return chart_spec(
        series,
        title=measure.name,
        y_title=y_title,
        target=measure.target,
        annotations=notes,
        width=760,
        height=300,
    )


def inbox(person, *, limit: int = 100) -> list[Notification]:
    return list(person.notifications.select_related("signal")[:limit])


def escalations_into(user, unit) -> list[Escalation]:
    """Escalations that reached this unit or units below it, newest first."""
    subtree = permissions.units_visible_to(user).filter(path__startswith=unit.path)
    return list(
        Escalation.objects.filter(to_unit__in=subtree)
        .select_related("signal__measure", "from_unit", "to_unit", "created_by")
        .order_by("-created_at")
    )


def standards_library(user) -> list:
    """The national standards and the local standards of units the user can see, and of the
    units above their own (a division's standard applies to its wards), with the measures of
    the user's units that serve each. Another organisation's local standards are its own."""
    from qms.control.models import Standard, StandardScope
    from qms.people.models import Unit

    visible = permissions.units_visible_to(user)
    own_paths = Unit.objects.filter(memberships__person=user).values_list("path", flat=True)
    above = {int(part) for path in own_paths for part in path.strip("/").split("/")}
    measures = Measure.objects.filter(unit__in=visible, is_active=True).select_related("unit")
    return list(
        Standard.objects.filter(
            Q(scope=StandardScope.NATIONAL) | Q(unit__in=visible) | Q(unit_id__in=above)
        )
        .select_related("unit")
        .prefetch_related(Prefetch("measures", queryset=measures.order_by("unit__path", "name")))
    )
