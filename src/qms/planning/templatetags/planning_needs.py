"""Template tags other areas' pages use to reach the needs part: the measure page's link to
its equity page."""

from django import template
from django.urls import reverse

from qms.planning.selectors.needs import measures_with_groups

register = template.Library()


@register.inclusion_tag("planning/needs_equity_link.html")
def equity_link(measure):
    """A link to the measure's equity page, when it has values by population group:
    `{% load planning_needs %}{% equity_link measure %}` (one query). The page shows it to
    those who see the measure, as the equity page does."""
    if measure.pk not in measures_with_groups([measure.pk]):
        return {"url": ""}
    return {"url": reverse("planning:equity", args=[measure.pk]), "measure": measure}
