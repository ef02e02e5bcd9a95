"""Template tags of coaching: the Culture home's way in."""

from django import template

from qms.culture.selectors import coaching as selectors

register = template.Library()


@register.simple_tag
def coaching_home(user) -> dict:
    """What the Culture home shows of coaching to this person (two queries, three when they
    may open coaching)."""
    due = selectors.coaching_due(user)
    return {
        "due": due,
        "can_coach": selectors.may_coach(user),
        "leads": selectors.may_see_hours(user),
    }
