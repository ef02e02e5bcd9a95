"""Template tags: a unit's reporting culture on its page."""

from django import template

from qms.culture import roles
from qms.culture.selectors import reporting as selectors
from qms.people import access

register = template.Library()


@register.inclusion_tag("culture/_reporting_panel.html", takes_context=True)
def reporting_culture_panel(context, unit):
    """The unit page's way to its reporting culture: the charts, the measures when tracked, or
    "Track the reporting culture" for a quality lead. Nothing for partners."""
    user = context["request"].user
    if not access.can(user, unit, roles.VIEWERS):
        return {"panel": None}
    return {
        "panel": selectors.unit_panel(user, unit),
        "may_raise": access.can(user, unit, roles.CONCERN_RAISERS),
        "may_handle": access.can(user, unit, roles.CONCERN_HANDLERS),
        "csrf_token": context.get("csrf_token"),
    }
