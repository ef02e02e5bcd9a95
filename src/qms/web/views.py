from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from qms.web.areas import AREA_BY_SLUG, AREAS


@login_required
def home(request):
    """Where a person lands: their units and roles, and the areas of the framework."""
    memberships = request.user.memberships.select_related("unit").order_by("unit__path")
    return render(request, "web/home.html", {"memberships": memberships, "areas": AREAS})


@login_required
def area(request, slug):
    area = AREA_BY_SLUG.get(slug)
    if area is None:
        raise Http404("No such area")
    return render(request, "web/area.html", {"area": area})
