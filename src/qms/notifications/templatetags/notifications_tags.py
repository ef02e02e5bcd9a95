from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from qms.notifications.forms import EmailPreferenceForm
from qms.notifications.selectors import email_choice

register = template.Library()


@register.filter
def age(moment) -> str:
    """How long ago, in words: "3 days ago", "just now"."""
    if not moment:
        return ""
    if (timezone.now() - moment).total_seconds() < 60:
        return "just now"
    # timesince joins number and unit with a no-break space: kept, so "3 days" never wraps.
    return f"{timesince(moment, depth=1)} ago"


@register.inclusion_tag("notifications/_email_preference.html", takes_context=True)
def email_preference(context, person):
    """The person's choice of e-mails, for their own page (nothing on anyone else's)."""
    user = context["user"]
    own = user.is_authenticated and user.pk == person.pk
    form = EmailPreferenceForm(initial={"email": email_choice(person)}) if own else None
    return {"form": form, "csrf_token": context.get("csrf_token")}
