"""Reflective practice on other areas' pages: `{% load learning_reflection %}{% reflect_link
record %}` on a signal's, issue's, project's or PDSA cycle's page shows "Reflect on this" (the
new reflection about it), the person's own reflections about it (never anyone else's private
ones), the learning reviews of it they may read, and "Hold a learning review" for its unit's
staff. `{% network_learning network %}` links a network's page to what its members shared."""

from django import template

from qms.learning import roles
from qms.learning.selectors import reflection as selectors
from qms.people import access

register = template.Library()


@register.inclusion_tag("learning/_reflect_link.html", takes_context=True)
def reflect_link(context, record):
    """Reflective practice about `record` (three queries)."""
    user = context.get("user") or context["request"].user
    if record is None or not user.is_authenticated:
        return {"learning": None}
    return {"learning": selectors.learning_about(user, record)}


@register.inclusion_tag("learning/_network_learning.html", takes_context=True)
def network_learning(context, network):
    """A link to the reflections and reviews shared with a network, with their counts."""
    return {
        "network": network,
        "reflections": selectors.network_reflections(network).count(),
        "reviews": selectors.network_reviews(network).count(),
    }


@register.simple_tag(takes_context=True)
def home_reflection(context):
    """The Learn home's section on reflective practice: `{% home_reflection as card %}`."""
    user = context.get("user") or context["request"].user
    return selectors.home_reflection(user)


@register.inclusion_tag("learning/_reflect_buttons.html", takes_context=True)
def reflect_buttons(context, record, unit):
    """Only the links, for a page listing many records (the measure page's signals): no query
    (the person's roles are read once a request), the pages they open check that the person may
    see the record. "Hold a learning review" only for those who may hold one in `unit`."""
    user = context.get("user") or context["request"].user
    return {
        "reference": selectors.subject_reference(record),
        "unit": unit,
        "can_review": access.can(user, unit, roles.REVIEWERS),
    }
