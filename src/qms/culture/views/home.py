"""The Culture home page: each part's way in."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from qms.culture import roles
from qms.people import access


@login_required
def home(request):
    units = list(access.units_with_role(request.user, roles.VIEWERS).order_by("path"))
    # A partner may open Culture (to recognise someone, or follow up a concern's code) but not
    # the staff's pages: their sections leave their links out (`staff`).
    return render(request, "culture/home.html", {"units": units, "staff": bool(units)})


urlpatterns = [path("", home, name="home")]
