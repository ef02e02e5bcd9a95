"""The bright spots part of the Learn home page: `{% bright_spots_home as card %}` gives the
candidates waiting for the person's decision and the recent bright spots they may see."""

from django import template

from qms.learning.selectors.bright_spots import home_bright_spots

register = template.Library()


@register.simple_tag(takes_context=True)
def bright_spots_home(context):
    return home_bright_spots(context["request"].user)
