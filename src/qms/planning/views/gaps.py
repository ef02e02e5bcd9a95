"""Pages of quality planning: gaps. Thin: the record through `qms.people.access`, a form, a
service, a page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse

from qms.control import selectors as control_selectors
from qms.people import access
from qms.people.models import Unit
from qms.planning import roles, selectors
from qms.planning.forms_gaps import GapFilterForm


def _priority_create_url(unit: Unit) -> str:
    """Where a gap becomes a candidate priority (the priorities part's page), or "" while that
    page does not exist."""
    try:
        return reverse("planning:priority-create", args=[unit.pk])
    except NoReverseMatch:
        return ""


@login_required
def gaps(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, roles.VIEWERS)
    units = selectors.gap_units(request.user, unit)
    aims = selectors.gap_aims(unit)
    form = GapFilterForm(
        request.GET or None,
        units=units,
        domains=control_selectors.quality_domains(),
        aims=aims,
    )
    data = form.valid_data() if form.is_bound else {}
    sub_unit = next((u for u in units if u.pk == data.get("unit")), None)
    aim = next((a for a in aims if a.pk == data.get("aim")), None)
    gaps_only = data.get("show") == "gaps"
    found = selectors.gaps_page(
        request.user,
        unit,
        domain=data.get("domain") or "",
        aim=aim,
        sub_unit=sub_unit,
        gaps_only=gaps_only,
        page=request.GET.get("page", 1),
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "unit": unit,
        "form": form,
        "gaps": found,
        "filtered": bool(sub_unit or aim or data.get("domain") or gaps_only),
        "gaps_only": gaps_only,
        "query": query.urlencode(),
        "priority_url": _priority_create_url(unit)
        if access.can(request.user, unit, roles.PROPOSERS)
        else "",
    }
    return render(request, "planning/gaps_list.html", context)


urlpatterns = [path("units/<int:unit_id>/gaps/", gaps, name="gaps")]
