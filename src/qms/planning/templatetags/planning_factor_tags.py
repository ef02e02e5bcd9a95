"""`{% issue_analysis_panel issue %}`: an issue's contributory factors on the issue page (the
issues app is a core app and cannot import planning; its template loads this tag)."""

from django import template

from qms.planning import selectors, services

register = template.Library()


@register.inclusion_tag("planning/_factors_panel.html", takes_context=True)
def issue_analysis_panel(context, issue, level=2):
    """The factors coded on the issue, its decision, and the link "Analyse contributory
    factors" for those who may (two queries; `level`: the heading's level)."""
    user = context.get("user") or context["request"].user
    return {
        "issue": issue,
        "analysis": selectors.analysis_of(issue),
        "can_analyse": services.may_analyse(user, issue),
        "level": level,
    }
