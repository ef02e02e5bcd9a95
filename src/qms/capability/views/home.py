"""The Skills home page: each part's way in."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path

from qms.capability import roles
from qms.capability.selectors import framework as framework_selectors
from qms.capability.selectors import records as record_selectors
from qms.people import access
from qms.people.models import Unit


@login_required
def home(request):
    paths = access.unit_paths_with_role(request.user, roles.VIEWERS)
    if paths == []:
        raise Http404("Not found")  # partners and people without a role: nothing here
    # The units where the person holds a staff role themselves (their gap pages reach below).
    units = (
        Unit.objects.filter(parent=None) if paths is None else Unit.objects.filter(path__in=paths)
    )
    context = {
        "units": list(units.order_by("path")),
        "organisations": framework_selectors.organisations_of(request.user),
        "pending": record_selectors.pending_for(request.user),
    }
    return render(request, "capability/home.html", context)


urlpatterns = [path("", home, name="home")]
