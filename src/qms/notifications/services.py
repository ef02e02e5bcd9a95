"""Every write of notifications. `notify` is the one way any app tells people something."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qms.notifications.models import (
    EmailChoice,
    Notification,
    NotificationKind,
    NotificationPreference,
)

TEXT_LENGTH = Notification._meta.get_field("text").max_length
LINK_LENGTH = Notification._meta.get_field("link").max_length


@transaction.atomic
def notify(
    people: Iterable, *, kind: str, text: str, subject=None, link: str = ""
) -> list[Notification]:
    """Put a notification in the inbox of each of `people` (inactive people and duplicates
    skipped) about `subject` (any record, or None), linking to `link` or, by default, to the
    subject's own page. After the commit, those who asked for e-mails at once get one; the rest
    hear in the daily digest (or only in the inbox, as each chose)."""
    if kind not in NotificationKind.values:
        raise ValidationError({"kind": f"Unknown kind of notification: {kind!r}."})
    if not text.strip():
        raise ValidationError({"text": "A notification needs a text."})
    if not link and subject is not None:
        link = subject.get_absolute_url()
    if len(link) > LINK_LENGTH:
        raise ValidationError({"link": f"The link is longer than {LINK_LENGTH} characters."})
    recipients = {person.pk: person for person in people if person.is_active}
    if not recipients:
        return []
    content_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                person=person,
                kind=kind,
                text=text.strip()[:TEXT_LENGTH],
                link=link,
                content_type=content_type,
                object_id=subject.pk if subject is not None else None,
            )
            for person in recipients.values()
        ]
    )
    if _wants_email_at_once(recipients):
        ids = [notification.pk for notification in notifications]
        transaction.on_commit(lambda: _enqueue_immediate_emails(ids))
    return notifications


def _wants_email_at_once(recipients: dict) -> bool:
    return NotificationPreference.objects.filter(
        person_id__in=recipients, email=EmailChoice.IMMEDIATE
    ).exists()


def _enqueue_immediate_emails(notification_ids: list[int]) -> None:
    from qms.notifications.tasks import send_immediate_emails

    send_immediate_emails.enqueue(notification_ids)


@transaction.atomic
def notifications_mark_read(*, person, ids: Iterable[int] | None = None) -> int:
    """Mark the person's unread notifications read: all of them, or those with `ids` (others'
    ids are ignored). Returns how many changed."""
    query = Notification.objects.filter(person=person, read_at__isnull=True)
    if ids is not None:
        query = query.filter(pk__in=list(ids))
    return query.update(read_at=timezone.now())


def notifications_mark_read_about(*, subject) -> int:
    """Mark everyone's unread notifications about `subject` read: someone has dealt with it
    (a signal acknowledged by one lead no longer waits in the other leads' inboxes)."""
    return Notification.objects.filter(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        read_at__isnull=True,
    ).update(read_at=timezone.now())


@transaction.atomic
def notification_preference_set(*, by, person, email: str) -> NotificationPreference:
    """Choose how notifications reach `person`'s e-mail. Only the person chooses (or the system,
    `by=None`)."""
    if by is not None and by.pk != person.pk:
        raise PermissionDenied("Only the person chooses how alerts reach them.")
    if email not in EmailChoice.values:
        raise ValidationError({"email": "Choose one of the options."})
    preference, _ = NotificationPreference.objects.update_or_create(
        person=person, defaults={"email": email}
    )
    return preference
