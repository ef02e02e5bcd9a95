"""Background work of quality control, run by django-tasks (see settings.TASKS)."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from qms.control.models import Notification
from qms.people.models import AlertEmail


@task()
def refresh_results(measure_ids: list[int]) -> int:
    """Recompute SPC results (and signals) for these measures. Returns the signals raised."""
    from qms.control.services import results_refresh

    return len(results_refresh(measure_ids))


@task()
def build_report_export(export_id: int) -> str:
    """Make a report PDF (control.exports). Returns the export's status."""
    from qms.control.exports import report_export_build

    return report_export_build(export_id).status


@task()
def send_alert_emails(signal_id: int) -> int:
    """E-mail the people who want alerts at once about a new signal."""
    waiting = Notification.objects.filter(
        signal_id=signal_id,
        emailed_at__isnull=True,
        person__alert_email=AlertEmail.IMMEDIATE,
    ).select_related("person")
    sent = 0
    for notification in waiting:
        if notification.person.email:
            send_mail(
                subject=f"QMS signal: {notification.text[:80]}",
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
    """One e-mail per person with the day's unread, not yet e-mailed notifications."""
    waiting = (
        Notification.objects.filter(
            emailed_at__isnull=True, read_at__isnull=True, person__alert_email=AlertEmail.DAILY
        )
        .select_related("person")
        .order_by("person_id", "created_at")
    )
    by_person: dict = {}
    for notification in waiting:
        by_person.setdefault(notification.person, []).append(notification)
    for person, notifications in by_person.items():
        if person.email:
            send_mail(
                subject=f"QMS: {len(notifications)} new signal(s) about your measures",
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
    lines = [f"- {n.text}\n  {site}{n.link}" for n in notifications]
    return (
        "New signals in QMS:\n\n"
        + "\n".join(lines)
        + "\n\nChange how alerts reach you on your profile page.\n"
    )
