"""Template tags other areas' pages use to start improvement work from their records."""

from django import template
from django.urls import reverse

from qms.improvement import roles
from qms.people import access

register = template.Library()


@register.inclusion_tag("improvement/_start_project_link.html", takes_context=True)
def start_project_link(context, record, unit=None, text="Start an improvement project"):
    """A link to start a project from a signal or an issue, for those who may start one in its
    unit: `{% start_project_link signal measure.unit %}` (pass the unit when the page has it,
    to save a query per record)."""
    user = context.get("user") or context["request"].user
    unit = unit if unit is not None else access.unit_of(record)
    if not access.can(user, unit, roles.STARTERS):
        return {"url": ""}
    label = record._meta.label_lower
    url = reverse("improvement:project-create", args=[unit.pk]) + f"?from={label}:{record.pk}"
    return {"url": url, "text": text, "record": record}
