"""The demo's reporting culture (see qms.demo.culture): Ward 7's and Ward 15's four measures,
tracked by the demo's quality lead from the issues and concerns of qms.demo.culture.concerns.
Ward 15's count of issues raised signals its fall. Tracking twice adds nothing."""

from __future__ import annotations

import datetime as dt

from qms.culture.models import ReportingMeasure
from qms.culture.services import reporting as services
from qms.people.models import Person, Unit

UNITS = ("ward-7", "ward-15")


def build(*, today: dt.date | None = None) -> dict[str, int]:
    quality = Person.objects.filter(username="quality").first()
    added = 0
    for unit in Unit.objects.filter(code__in=UNITS).order_by("code"):
        before = ReportingMeasure.objects.filter(unit=unit).count()
        services.reporting_culture_track(by=quality, unit=unit)
        added += ReportingMeasure.objects.filter(unit=unit).count() - before
    return {"reporting culture measures": added} if added else {}
