"""E-mails of notifications, run by django-tasks (see settings.TASKS): at once for those who
asked for it, otherwise in the daily digest."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from qms.notifications.models import EmailChoice, Notification
from qms.notifications.selectors import email_choice_filter

# The word for one notification of each kind, in an e-mail's subject line.
SUBJECT_WORDS = {
    "signal": "signal",
    "escalation": "escalation",
    "issue": "issue",
    "action": "action",
    "comment": "comment",
    "baseline": "suggestion",
    "system": "notice",
}


def _one_line(text: str) -> str:
    """Text for a subject line: an escalation's reason may hold line breaks, which a mail
    header cannot (Django refuses to send the message)."""
    return " ".join(text.split())


@task()
def send_immediate_emails(notification_ids: list[int]) -> int:
    """E-mail these notifications, not yet e-mailed, to the people who want them at once.
    Returns the e-mails sent."""
    waiting = (
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .filter(email_choice_filter(EmailChoice.IMMEDIATE))
        .select_related("person")
    )
    sent = 0
    for notification in waiting:
        if notification.person.email:
            word = SUBJECT_WORDS.get(notification.kind, "notice")
            send_mail(
                subject=f"QMS {word}: {_one_line(notification.text)[:80]}",
                message=_body([notification]),
                from_email=None,
                recipient_list=[notification.person.email],
            )
            sent += 1
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return sent


@task()
def send_daily_digest() -> int:
    """One e-mail per person with their unread, not yet e-mailed notifications, for those who
    chose the daily digest (the default). Returns the people written to."""
    waiting = (
        Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True)
        .filter(email_choice_filter(EmailChoice.DAILY))
        .select_related("person")
        .order_by("person_id", "created_at", "pk")
    )
    by_person: dict = {}
    for notification in waiting:
        by_person.setdefault(notification.person, []).append(notification)
    for person, notifications in by_person.items():
        if person.email:
            send_mail(
                subject=f"QMS: {len(notifications)} new in your inbox",
                message=_body(notifications),
                from_email=None,
                recipient_list=[person.email],
            )
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
            emailed_at=timezone.now()
        )
    return len(by_person)


def _body(notifications) -> str:
    site = getattr(settings, "SITE_URL", "http://127.0.0.1:8000")
    lines = [f"- {n.text}\n  {site}{n.link}" if n.link else f"- {n.text}" for n in notifications]
    return (
        "New in your QMS inbox:\n\n"
        + "\n".join(lines)
        + "\n\nChange how alerts reach you on your profile page.\n"
    )
