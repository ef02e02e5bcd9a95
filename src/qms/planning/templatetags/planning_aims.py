"""Template tags of vision and aims for the Plan home page."""

from django import template

from qms.planning import selectors

register = template.Library()


@register.inclusion_tag("planning/_aims_served.html", takes_context=True)
def aims_served(context, measure):
    """The active aims a measure serves that the person reads, for quality control's measure
    page: `{% aims_served measure %}` (one query; nothing shown when it serves none)."""
    user = context.get("user") or context["request"].user
    return {"aims": selectors.aims_served_by(user, measure)}


@register.inclusion_tag("planning/_aims_home_entry.html")
def aims_home(units):
    """The organisation's vision and a link to the vision and aims of each top unit the person
    plans for: `{% aims_home units %}` (one query)."""
    tops = [u for u in units if not any(o is not u and u.path.startswith(o.path) for o in units)]
    return {"tops": tops[:20], "more": len(tops) > 20, "visions": selectors.home_visions(tops)}
