"""Writes of the reporting culture: its four control measures of a unit, made once by a
quality lead and kept in step with the unit's issues and concerns (complete months only) by
the nightly round and after the writes that change past months."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from qms.control import services as control_services
from qms.culture import roles
from qms.culture.models import ReportingMeasure
from qms.culture.models import ReportingMeasureKind as Kind
from qms.culture.selectors import reporting as selectors
from qms.people import access
from qms.people.models import Person, Unit

_SOURCE = "Issues and concerns (QMS), kept in step by QMS each night"

# What each measure is, as control's measure fields.
DEFINITIONS: dict[str, dict] = {
    Kind.RAISED: {
        "code": "reporting-raised",
        "name": "Reporting: issues and concerns raised",
        "kind": "process",
        "domain": "safe",
        "operational_definition": (
            "The number of issues raised by people (not by the system from a chart signal) and "
            "staff concerns, named or anonymous, in each month, in {unit} and the units below "
            "it. More reporting is better: a fall is a signal about the reporting culture."
        ),
        "numerator_definition": "Issues and concerns raised by people in the month.",
        "chart": "c",
        "direction": "increase",
        "multiply": 1.0,
        "unit_label": "raised",
    },
    Kind.FRONT_LINE: {
        "code": "reporting-front-line",
        "name": "Reporting: share raised by front-line staff",
        "kind": "process",
        "domain": "safe",
        "operational_definition": (
            "Of the issues and named concerns raised by a named person in the month in {unit} "
            "and below, the share whose raiser held the team member role there when raising "
            "it. Anonymous concerns are left out of this share."
        ),
        "numerator_definition": "Raised by a person holding the team member role.",
        "denominator_definition": "Raised by a named person.",
        "chart": "p",
        "direction": "increase",
        "multiply": 100.0,
        "unit_label": "%",
    },
    Kind.FIRST_RESPONSE: {
        "code": "reporting-first-response",
        "name": "Reporting: days to first response",
        "kind": "process",
        "domain": "timely",
        "operational_definition": (
            "For the issues and concerns raised by people in the month in {unit} and below, "
            "the median days from raising to the first response: a handler's reply on a "
            "concern, an action, a comment or a change of status by anyone other than the "
            "person who raised it. Issues with no response yet are not in the median."
        ),
        "chart": "i",
        "direction": "decrease",
        "multiply": 1.0,
        "unit_label": "days",
    },
    Kind.FEEDBACK: {
        "code": "reporting-feedback",
        "name": "Reporting: share closed with feedback to the raiser",
        "kind": "process",
        "domain": "person_centred",
        "operational_definition": (
            "Of the issues and concerns raised by people and closed in the month in {unit} "
            "and below, the share whose handler sent the closing feedback to the person who "
            "raised them (their inbox, or the thread of an anonymous concern)."
        ),
        "numerator_definition": "Closed with feedback to the person who raised it.",
        "denominator_definition": "Closed in the month.",
        "chart": "p",
        "direction": "increase",
        "multiply": 100.0,
        "unit_label": "%",
    },
}


@transaction.atomic
def reporting_culture_track(*, by: Person | None, unit: Unit) -> list[ReportingMeasure]:
    """Make the unit's reporting culture four control measures (monthly, filled from its
    issues and concerns now and kept in step). Tracking what is tracked already adds nothing.
    Returns the unit's reporting measures."""
    access.authorise(by, unit, roles.REPORTING_TRACKERS, "track the reporting culture")
    have = set(ReportingMeasure.objects.filter(unit=unit).values_list("kind", flat=True))
    for kind, definition in DEFINITIONS.items():
        if kind in have:
            continue
        fields = dict(definition)
        code = control_services.measure_code_free(fields.pop("code"), unit)
        fields["operational_definition"] = fields["operational_definition"].format(unit=unit.name)
        measure = control_services.measure_create(
            by=by, unit=unit, code=code, data_source=_SOURCE, frequency="month", **fields
        )
        tracked = ReportingMeasure.objects.create(
            unit=unit, kind=kind, measure=measure, created_by=by
        )
        _sync(tracked)
    return list(ReportingMeasure.objects.filter(unit=unit).select_related("measure"))


def reporting_measures_sync(
    *, units: Iterable[int] | None = None, today: dt.date | None = None
) -> int:
    """Rewrite the observations of the reporting measures of these units (by id) and of the
    units above them (a unit's measure counts the units below it); all of them when `units`
    is None (the nightly round). The system's work. Returns how many measures were synced."""
    tracked = list(ReportingMeasure.objects.select_related("unit", "measure"))
    if units is not None:
        paths = list(Unit.objects.filter(pk__in=set(units)).values_list("path", flat=True))
        tracked = [t for t in tracked if any(p.startswith(t.unit.path) for p in paths)]
    for item in tracked:
        _sync(item, today=today)
    return len(tracked)


def _sync(tracked: ReportingMeasure, *, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    rows = [
        control_services.ObservationInput(
            measure=tracked.measure,
            period=point.month,
            value=point.value,
            denominator=point.denominator,
        )
        for point in selectors.series(tracked.unit, tracked.kind, today=today)
    ]
    if rows:
        control_services.observations_save(
            by=None, rows=rows, replace=True, reason="Reporting culture brought up to date"
        )
