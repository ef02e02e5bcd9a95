"""The bright spots part of the Learn home page: `{% bright_spots_home as card %}` gives the
candidates waiting for the person's decision, the recent bright spots they may see, and the
topmost of the page's units (each list shows the units below it too)."""

from django import template

from qms.learning.selectors.bright_spots import home_bright_spots

register = template.Library()


@register.simple_tag(takes_context=True)
def bright_spots_home(context):
    units = list(context.get("units") or [])
    tops = [
        unit
        for unit in units
        if not any(other.pk != unit.pk and unit.path.startswith(other.path) for other in units)
    ]
    return {"spots": home_bright_spots(context["request"].user), "units": tops}
