"""The person's learning networks on the Learn home page (`{% networks_home %}`), read by the
networks' selector so the page's view stays the same for every part of the area."""

from django import template

from qms.learning.selectors.networks import home_networks, hosting_units

register = template.Library()


@register.inclusion_tag("learning/_networks_home_body.html", takes_context=True)
def networks_home(context):
    user = context["request"].user
    return {"card": home_networks(user), "can_start": bool(hosting_units(user))}
