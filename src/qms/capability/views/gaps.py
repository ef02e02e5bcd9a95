"""Pages of gaps: a unit's skills gap (what its roles need against what its people have) and
its protected time planned against used. Its staff read the counts; its leads and coaches
(who may see each person's record) also see who is short of what."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import path
from django.utils import timezone

from qms.capability import roles
from qms.capability.forms import TrainingImportForm
from qms.capability.selectors import framework as framework_selectors
from qms.capability.selectors import gaps as selectors
from qms.capability.services import framework as framework_services
from qms.capability.services import records as record_services
from qms.people import access
from qms.people.models import Unit
from qms.web.forms import apply_service


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


@login_required
def training_import(request, pk):
    """Import training records for the unit's people from a file, all or nothing."""
    unit = access.object_or_404(request.user, Unit, pk, roles.ASSESSORS)
    posted = request.method == "POST"
    form = TrainingImportForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        added = apply_service(
            form,
            lambda: record_services.training_import_file(
                by=request.user, unit=unit, file=form.cleaned_data["file"]
            ),
        )
        if added is not None:
            messages.success(request, f"{added} training record{pluralize(added)} imported.")
            return redirect("capability:unit-gap", unit.pk)
    context = {"unit": unit, "form": form, "columns": record_services.TRAINING_COLUMNS}
    status = 400 if form.errors else 200
    return render(request, "capability/training_import.html", context, status=status)


urlpatterns = [
    path("units/<int:pk>/", unit_gap, name="unit-gap"),
    path("units/<int:pk>/training/import/", training_import, name="training-import"),
]
