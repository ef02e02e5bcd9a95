"""The Plan home page: the units the person plans for, each part's way in."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from qms.people import access
from qms.planning import roles


@login_required
def home(request):
    units = list(access.units_with_role(request.user, roles.VIEWERS).order_by("path"))
    return render(request, "planning/home.html", {"units": units})


urlpatterns = [path("", home, name="home")]
