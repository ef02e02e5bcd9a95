"""The leader's view: what the teams a leader leads need from them now, each item linking to
where it is acted on. For LEADERS (in some unit); anyone else gets a 403."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path

from qms.culture.selectors import leadership as selectors


@login_required
def leader_view(request):
    if not selectors.leads_anywhere(request.user):
        raise PermissionDenied(
            "The leader's view is for team leads, quality leads, coaches and executives."
        )
    view = selectors.leader_view(request.user)
    return render(request, "culture/leadership_view.html", {"view": view})


urlpatterns = [path("leader/", leader_view, name="leader")]
