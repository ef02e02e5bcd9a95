"""Template tags: a concern's thread and the closing feedback on an issue's page."""

from django import template

from qms.culture.forms_concerns import FeedbackForm, ReplyForm
from qms.culture.selectors import concerns as selectors

register = template.Library()


@register.inclusion_tag("culture/_issue_concern.html", takes_context=True)
def concern_panel(context, issue):
    """The concern's thread (for its handlers and its named raiser) and, on a closed issue,
    the feedback sent to the person who raised it or the form to send it."""
    user = context["request"].user
    panel = selectors.issue_panel(user, issue)
    return {
        "panel": panel,
        "reply_form": ReplyForm(),
        "feedback_form": FeedbackForm(initial={"text": issue.closing_note}),
        "csrf_token": context.get("csrf_token"),
    }
