"""Template tags: Relationships beside process measures on a unit's huddle board.

Not built yet: each tag renders nothing until its part lands."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def relationships_panel(context, record, *args, **kwargs):
    return ""
