"""Template tags of vision and aims for the Plan home page."""

from django import template

from qms.planning import selectors

register = template.Library()


@register.inclusion_tag("planning/_aims_home_entry.html")
def aims_home(units):
    """The organisation's vision and a link to the vision and aims of each top unit the person
    plans for: `{% aims_home units %}` (one query)."""
    tops = [u for u in units if not any(o is not u and u.path.startswith(o.path) for o in units)]
    return {"tops": tops[:20], "more": len(tops) > 20, "visions": selectors.home_visions(tops)}
