"""Template tags of funnel plots: the Learn home's list of definitions to compare units on."""

from django import template

from qms.learning.selectors import funnel as selectors

register = template.Library()

HOME_LIMIT = 12


@register.inclusion_tag("learning/_funnel_home_entry.html", takes_context=True)
def funnel_home(context):
    """The library definitions at least two units the person may see measure, each a link to
    its funnel plot: `{% funnel_home %}` (two queries)."""
    user = context.get("user") or context["request"].user
    definitions = selectors.comparable_definitions(user)
    return {"definitions": definitions[:HOME_LIMIT], "more": len(definitions) - HOME_LIMIT}
