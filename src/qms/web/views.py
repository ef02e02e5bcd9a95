from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from qms.control import selectors as control_selectors
from qms.web.areas import AREAS


@login_required
def home(request):
    """Where a person lands: what needs them (open signals and escalations in their units,
    values due, their unread inbox), their units and roles, and the areas still to come."""
    memberships = request.user.memberships.select_related("unit").order_by("unit__path")
    context = {
        "memberships": memberships,
        "work": control_selectors.home_work(request.user),
        "areas": AREAS,
    }
    return render(request, "web/home.html", context)
