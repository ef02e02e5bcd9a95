"""Template tags: Partners' involvement on other areas' pages.

{% load codesign_involvement %}
{% involvement_panel record %}   a piece of work's involvement log, its highest rung and
                                 "Log involvement" (nothing for those who do not read the work)
{% ladder_summary unit %}        the board report's ladder summary of the unit and below over
                                 the last 12 months (nothing for those who are not its staff)
"""

import datetime as dt

from django import template
from django.utils import timezone

from qms.codesign import roles
from qms.codesign.selectors import involvement as selectors
from qms.people import access

register = template.Library()


def _user(context):
    return context.get("user") or context["request"].user


@register.inclusion_tag("codesign/_involvement_panel.html", takes_context=True)
def involvement_panel(context, record, *args, **kwargs):
    panel = selectors.involvement_of(_user(context), record) if record is not None else None
    if panel is None:
        return {"panel": None}
    meta = record._meta
    return {"panel": panel, "model": f"{meta.app_label}.{meta.model_name}"}


@register.inclusion_tag("codesign/_ladder_summary.html", takes_context=True)
def ladder_summary(context, record, *args, **kwargs):
    """The unit's ladder over the last 12 months (outside the report's cache: it is read for
    each request, in three queries)."""
    user = _user(context)
    if record is None or not access.can(user, record, roles.VIEWERS):
        return {"summary": None}
    end = timezone.localdate()
    start = end - dt.timedelta(days=365)
    return {
        "summary": selectors.ladder_summary(record, start, end, decisions=5),
        "source": selectors.LEVEL_SOURCE,
    }


@register.filter
def share(value) -> str:
    """A share (0 to 1) as a whole percentage; a dash when there is nothing to share."""
    return "–" if value is None else f"{round(value * 100)}%"


@register.simple_tag(takes_context=True)
def reads_ladder(context) -> bool:
    """Whether the person reads a ladder summary (staff of some unit): `{% reads_ladder as
    staff %}` on the Partners home page."""
    return bool(access.unit_paths_with_role(_user(context), roles.VIEWERS) != [])
