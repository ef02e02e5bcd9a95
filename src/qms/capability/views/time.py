"""Pages of protected time: hours planned and used, recorded from a person's page (by the
person or a lead or coach of their unit); a unit's totals are on its gap page (views.gaps)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from qms.capability.forms import TimeForm
from qms.capability.services import time as services
from qms.capability.views.records import _clean, _page, _person_or_404
from qms.web.forms import apply_service


@login_required
@require_POST
def time_add(request, pk):
    person = _person_or_404(request, pk)
    form = TimeForm(request.POST)
    if form.is_valid():
        data = _clean(form)
        done = apply_service(
            form, lambda: services.time_record(by=request.user, person=person, **data)
        )
        if done is not None:
            messages.success(request, f"Protected time for {done.month:%B %Y} saved.")
            return redirect("capability:person", person.pk)
    return _page(request, person, bound=("time_form", form), status=400)


urlpatterns = [path("people/<int:pk>/time/", time_add, name="time-add")]
