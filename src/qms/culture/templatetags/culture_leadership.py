"""Template tags of the leader's view."""

from django import template

from qms.culture.selectors import leadership

register = template.Library()


@register.simple_tag
def leads_anywhere(user) -> bool:
    """Whether the person has a leader's view (LEADERS in some unit)."""
    return leadership.leads_anywhere(user)
