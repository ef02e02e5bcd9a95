"""Template tags: Partners' involvement on other areas' pages: a record's involvement log, the
board report's ladder summary.

Not built yet: each tag renders nothing until its part lands."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def involvement_panel(context, record, *args, **kwargs):
    return ""


@register.simple_tag(takes_context=True)
def ladder_summary(context, record, *args, **kwargs):
    return ""
