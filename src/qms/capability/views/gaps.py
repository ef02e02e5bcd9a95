"""Pages of gaps: a unit's skills gap (what its roles need against what its people have) and
its protected time planned against used. Its staff read the counts; its leads and coaches
(who may see each person's record) also see who is short of what."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from qms.capability import roles
from qms.capability.selectors import framework as framework_selectors
from qms.capability.selectors import gaps as selectors
from qms.capability.services import framework as framework_services
from qms.people import access
from qms.people.models import Unit


@login_required
def unit_gap(request, pk):
    unit = access.object_or_404(request.user, Unit, pk, roles.VIEWERS)
    organisation = framework_selectors.organisation_of(unit)
    framework_services.framework_ensure(organisation)
    gap = selectors.unit_gap(unit, today=timezone.localdate())
    context = {
        "unit": unit,
        "gap": gap,
        "organisation": organisation,
        # Who is short of what is each person's record: for those who may see it.
        "see_people": access.can(request.user, unit, roles.ASSESSORS),
    }
    return render(request, "capability/unit_gap.html", context)


urlpatterns = [path("units/<int:pk>/", unit_gap, name="unit-gap")]
