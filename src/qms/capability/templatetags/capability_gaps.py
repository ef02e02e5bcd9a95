"""Template tags: Capability on other areas' pages: a unit's skills gap and protected time, a
project team's skills, the board report's capability summary.

Not built yet: each tag renders nothing until its part lands."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def unit_capability(context, record, *args, **kwargs):
    return ""


@register.simple_tag(takes_context=True)
def project_capability(context, record, *args, **kwargs):
    return ""


@register.simple_tag(takes_context=True)
def capability_summary(context, record, *args, **kwargs):
    return ""
