"""Template tags: Capability on other areas' pages: a unit's skills gap and protected time
(`{% unit_capability unit %}`, the unit page), a project team's skills and time
(`{% project_capability project %}`, the project page), and the board report's capability
summary (`{% capability_summary unit %}`). Each shows only to staff who may read it there,
and renders nothing for anyone else."""

from django import template
from django.utils import timezone

from qms.capability import roles
from qms.capability.selectors import gaps as selectors
from qms.people import access

register = template.Library()


def _user(context):
    return context.get("user") or context["request"].user


@register.inclusion_tag("capability/_unit_capability.html", takes_context=True)
def unit_capability(context, unit, heading_level=2):
    """The unit's skills gap and protected time, in short, with a link to the full page, for
    its staff (five queries)."""
    if unit is None or not access.can(_user(context), unit, roles.VIEWERS):
        return {"summary": None}
    summary = selectors.capability_summary(unit, today=timezone.localdate())
    return {"summary": summary, "unit": unit, "level": heading_level}


@register.inclusion_tag("capability/_project_capability.html", takes_context=True)
def project_capability(context, project, heading_level=2):
    """Whether the project's team has the skills its roles and its method need, and the
    team's protected time this month, for the project's staff (partners see nothing)."""
    user = _user(context)
    if project is None or not access.can(user, project, roles.VIEWERS):
        return {"capability": None}
    today = timezone.localdate()
    return {
        "capability": selectors.project_capability(project, today=today),
        "project": project,
        "level": heading_level,
        "today": today,
        # Who holds which level is each person's record: named only for those who may see it
        # (the unit's leads and coaches), as on the unit's gap page.
        "see_people": access.can(user, project.unit, roles.ASSESSORS),
    }


@register.inclusion_tag("capability/_capability_summary.html", takes_context=True)
def capability_summary(context, unit, heading_level=2):
    """The board report's capability summary for the report's unit and below (five
    queries)."""
    if unit is None or not access.can(_user(context), unit, roles.VIEWERS):
        return {"summary": None}
    summary = selectors.capability_summary(unit, today=timezone.localdate())
    return {"summary": summary, "unit": unit, "level": heading_level}
