"""Template tags of feedback for other areas' pages: "what people say" beside a unit's measures
(quality control's measure page and huddle board), and the Learn home's counts."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from qms.learning import roles
from qms.learning.selectors import feedback as selectors
from qms.people import access

register = template.Library()

# The Learn home counts the comments of the last 90 days.
HOME_DAYS = 90


@register.inclusion_tag("learning/_feedback_panel.html", takes_context=True)
def feedback_panel(context, unit, heading_level=2):
    """What people say about `unit` in the last three months, for those who may read its
    feedback: `{% feedback_panel measure.unit %}` (nothing for others, nor for a unit that has
    never had feedback). At most six queries."""
    user = context.get("user") or context["request"].user
    if unit is None or not access.can(user, unit, roles.VIEWERS):
        return {"panel": None}
    panel = selectors.panel(unit, today=timezone.localdate())
    if not panel.summary.total and not selectors.in_subtree(unit).exists():
        return {"panel": None}
    return {"panel": panel, "unit": unit, "level": heading_level}


@register.inclusion_tag("learning/_feedback_home.html")
def feedback_home(units):
    """Per unit the person reads, the comments of the last 90 days: `{% feedback_home units %}`
    (one query)."""
    since = timezone.localdate() - dt.timedelta(days=HOME_DAYS)
    return {
        "rows": selectors.home_rows(list(units), since=since),
        "units": units,
        "days": HOME_DAYS,
    }
