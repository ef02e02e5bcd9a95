"""Template tags: Recognition on other areas' pages: a unit's recent excellence on its page and
huddle board (`{% recognition_panel unit %}`), and the Culture home's section
(`{% recognition_home %}`)."""

from django import template

from qms.culture.selectors import recognition as selectors

register = template.Library()

# Recognition the Culture home lists for a person's units.
HOME_LATEST = 5


@register.inclusion_tag("culture/_recognition_panel.html", takes_context=True)
def recognition_panel(context, unit, heading_level=2):
    """The last few recognitions shown in `unit` and below and the count this month, for its
    staff; for a partner of the unit, only the way to recognise. Nothing for others."""
    user = context.get("user") or context["request"].user
    panel = selectors.panel(user, unit) if unit is not None else None
    return {"panel": panel, "unit": unit, "level": heading_level}


@register.inclusion_tag("culture/_recognition_home.html", takes_context=True)
def recognition_home(context):
    """The Culture home's section: the way to recognise, the latest recognition of the
    person's units, what they received and, for leads, what is still to pass on."""
    user = context.get("user") or context["request"].user
    return {
        "latest": selectors.latest_for(user, limit=HOME_LATEST),
        "received": selectors.received_count(user),
        "to_pass_on": selectors.recognition_to_pass_on(user),
        "units": context.get("units") or [],
    }


@register.inclusion_tag("culture/_recognition_received_link.html", takes_context=True)
def recognition_received_link(context, person):
    """On a person's own page: the recognition they received, when there is any."""
    user = context.get("user") or context["request"].user
    count = selectors.received_count(user) if person == user else 0
    return {"count": count}
