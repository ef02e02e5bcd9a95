"""The e-mail that lets an imported person set their first password.

Django's "Forgotten your password?" form sends nothing to an account with no usable password
(an account made without one may be meant for single sign-on only), so the people an import
creates get their own link instead: the same one-use password reset token, made for them.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db.models.functions import Lower
from django.template.loader import render_to_string

from qms.codesign.services.partners import set_password_link
from qms.people.models import Person

_IN_CHUNK = 500


def invite(emails: set[str]) -> int:
    """E-mail each active account among `emails` (lower case) that has no usable password a
    link to set one; return how many were sent. Accounts with a password are left alone."""
    sent = 0
    addresses = sorted(emails)
    for start in range(0, len(addresses), _IN_CHUNK):
        chunk = addresses[start : start + _IN_CHUNK]
        people = (
            Person.objects.annotate(address=Lower("email"))
            .filter(address__in=chunk, is_active=True)
            .prefetch_related("memberships__unit")
        )
        for person in people:
            if person.has_usable_password():
                continue
            _send(person)
            sent += 1
    return sent


def _send(person: Person) -> None:
    units = sorted({membership.unit.name for membership in person.memberships.all()})
    context = {
        "person": person,
        "units": ", ".join(units),
        "link": set_password_link(person),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86_400),
        "site": settings.SITE_URL,
        "sso": getattr(settings, "QMS_SSO", None),
    }
    send_mail(
        "Your QMS account",
        render_to_string("onboarding/email/invitation.txt", context),
        None,
        [person.email],
    )
