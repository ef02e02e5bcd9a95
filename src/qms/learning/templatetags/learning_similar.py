"""Similar work on other areas' pages: `{% similar_work record %}` on the page of a project, a
priority, an aim or a network; `{% similar_work_panel "form-id" record %}` beside the form that
starts (or changes) one, updated as the person types."""

from django import template

from qms.learning.selectors import similar as selectors

register = template.Library()


def _user(context):
    return context.get("user") or context["request"].user


@register.inclusion_tag("learning/_similar_work.html", takes_context=True)
def similar_work(context, record):
    """The work most like the record that the person may see (a few queries: the index's
    version, the person's grants)."""
    return {"suggestions": selectors.similar_to(_user(context), record)}


@register.inclusion_tag("learning/_similar_panel.html", takes_context=True)
def similar_work_panel(context, form_id, record=None):
    """The "Similar work elsewhere" panel for the form with id `form_id`; `record` is the one
    being changed, left out of its own suggestions. It shows suggestions once script runs, or
    when the form is sent to the page by its button."""
    key = selectors.record_key(record) if record else None
    return {
        "form_id": form_id,
        "exclude": f"{key[0]}:{key[1]}" if key else "",
        "suggestions": None,
        "request": context.get("request"),
    }
