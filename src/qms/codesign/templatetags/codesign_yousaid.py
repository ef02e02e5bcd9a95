"""Template tags: “You said, we did” on a unit's page.

Not built yet: each tag renders nothing until its part lands."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def yousaid_link(context, record, *args, **kwargs):
    return ""
