"""Template tags: A unit's reporting culture on its page.

Not built yet: each tag renders nothing until its part lands."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def reporting_culture_panel(context, record, *args, **kwargs):
    return ""
