"""Compare units: the funnel plot of the units measuring one library definition."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path

from qms.learning.forms_funnel import CompareForm
from qms.learning.selectors import funnel as selectors


@login_required
def compare(request, code):
    definition = selectors.definition_or_none(code)
    if definition is None:
        raise Http404("No such measure definition")
    form = CompareForm(request.GET or None)
    months, overdispersion = form.choices()
    comparison = selectors.unit_comparison(
        request.user, definition, months=months, overdispersion=overdispersion
    )
    if comparison.visible == 0 and comparison.kind is not None:
        # Nothing of it the person may see: the same as a definition no one measures here.
        raise Http404("No measure of this definition you may see")
    return render(
        request,
        "learning/compare.html",
        {"definition": definition, "comparison": comparison, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


urlpatterns = [path("compare/<slug:code>/", compare, name="compare")]
