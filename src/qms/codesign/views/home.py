"""The Partners home page: each part's way in."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from qms.codesign import roles
from qms.people import access


@login_required
def home(request):
    units = list(access.units_with_role(request.user, roles.BOARD_READERS).order_by("path"))
    return render(request, "codesign/home.html", {"units": units})


urlpatterns = [path("", home, name="home")]
