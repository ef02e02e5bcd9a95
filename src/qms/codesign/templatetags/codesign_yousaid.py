"""Template tags: “You said, we did” on a unit's page: the latest published entries and the way
to the board, for those who read it."""

from django import template

from qms.codesign.selectors import yousaid as selectors

register = template.Library()


@register.inclusion_tag("codesign/_yousaid_link.html", takes_context=True)
def yousaid_link(context, unit):
    """`{% yousaid_link unit %}`: the unit's latest published entries (nothing for those who may
    not read its board). Two queries at most."""
    user = context.get("user") or context["request"].user
    if unit is None or not selectors.may_read(user, unit):
        return {"unit": None}
    return {"unit": unit, "latest": selectors.latest_published(unit)}
