from django import template
from django.urls import reverse

from qms.escalation import selectors, services

register = template.Library()


def escalate_url(subject) -> str:
    meta = subject._meta
    return reverse("escalation:escalate", args=[meta.app_label, meta.model_name, subject.pk])


@register.inclusion_tag("escalation/_escalation.html", takes_context=True)
def escalation_chain(context, subject, level=2):
    """A record's escalations, the forms to answer them and the form to escalate it, for any
    record page: {% escalation_chain issue %} (`level`: the heading's level, 2 by default).
    A few queries; a page listing many records loads their chains at once instead (see
    qms.escalation.selectors.answerable and escalation/_chain.html)."""
    user = context["user"]
    steps = selectors.chain(user, subject)
    meta = subject._meta
    return {
        "escalations": steps,
        "can_escalate": services.may_escalate(user, subject, chain=steps),
        "escalate_url": escalate_url(subject),
        "sits_in": services.subject_unit(subject, chain=steps),
        "form_id": f"{meta.app_label}-{meta.model_name}-{subject.pk}",
        "level": level,
        "csrf_token": context.get("csrf_token"),
        "user": user,
    }
