"""Pages of the reporting culture: a unit's four charts (its staff), and tracking them as
control measures (its quality leads)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from qms.culture import roles
from qms.culture.selectors import reporting as selectors
from qms.culture.services import reporting as services
from qms.people import access
from qms.people.models import Unit


@login_required
def unit_reporting(request, unit_id):
    """The unit's reporting culture on four SPC charts, with their measures when tracked."""
    unit = access.object_or_404(request.user, Unit, unit_id, roles.VIEWERS)
    context = {
        "unit": unit,
        "charts": selectors.reporting_charts(unit),
        "panel": selectors.unit_panel(request.user, unit),
        "may_handle": access.can(request.user, unit, roles.CONCERN_HANDLERS),
    }
    return render(request, "culture/reporting_unit.html", context)


@login_required
@require_POST
def reporting_track(request, unit_id):
    """Make the unit's reporting culture four control measures."""
    unit = access.object_or_404(request.user, Unit, unit_id, roles.REPORTING_TRACKERS)
    services.reporting_culture_track(by=request.user, unit=unit)
    messages.success(
        request,
        f"The reporting culture of {unit.name} is four measures now, brought up to date each "
        "night: they signal, alert and reach the huddle board and the report like any measure.",
    )
    return redirect("culture:reporting-unit", unit.pk)


urlpatterns = [
    path("units/<int:unit_id>/reporting/", unit_reporting, name="reporting-unit"),
    path("units/<int:unit_id>/reporting/track/", reporting_track, name="reporting-track"),
]
