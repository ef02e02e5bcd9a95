"""Template tags: Recognition on other areas' pages: a unit's recent excellence on its page and
huddle board.

Not built yet: each tag renders nothing until its part lands."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def recognition_panel(context, record, *args, **kwargs):
    return ""
