"""Template tags of surveys: relationships beside process measures on a unit's huddle board,
and the part's way in on the Culture home page."""

from django import template
from django.template.loader import render_to_string

from qms.culture import roles
from qms.culture.selectors import surveys as selectors
from qms.culture.services import surveys as services
from qms.people import access

register = template.Library()

# Units listed on the Culture home page; the rest are reached from their unit page.
HOME_UNITS = 12


@register.simple_tag(takes_context=True)
def relationships_panel(context, unit, *args, **kwargs):
    """The latest closed survey's relational coordination index and pulse score of the unit,
    each with its change since the one before, for its staff; nothing when there is none."""
    request = context.get("request")
    if request is None or not access.can(request.user, unit, roles.VIEWERS):
        return ""
    runs = selectors.closed_runs(unit)
    if not runs:
        return ""
    if not all(run.sealed for run in runs):
        services.surveys_seal_closed(unit=unit)  # the system's work: see survey_seal
        runs = selectors.closed_runs(unit)
    scores = selectors.panel(runs)
    if not scores:
        return ""
    return render_to_string(
        "culture/_surveys_panel.html", {"unit": unit, "scores": scores}, request=request
    )


@register.simple_tag(takes_context=True)
def surveys_home(context):
    request = context["request"]
    user = request.user
    units = context.get("units") or []
    with_surveys = set(selectors.units_with_surveys(units))
    # Units with surveys, and those the user may plan one for: a way in to each.
    shown = [u for u in units if u in with_surveys or access.can(user, u, roles.SURVEY_RUNNERS)]
    return render_to_string(
        "culture/_surveys_home.html",
        {
            "to_answer": selectors.answerable(user),
            "units": shown[:HOME_UNITS],
            "more_units": len(shown) > HOME_UNITS,
            "invited": selectors.invited_runs(user),
        },
        request=request,
    )
