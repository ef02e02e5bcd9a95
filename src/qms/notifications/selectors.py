"""Reads of notifications, shaped for the inbox, the navigation and the e-mails."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Q

from qms.notifications import registry
from qms.notifications.models import (
    EmailChoice,
    Notification,
    NotificationKind,
    NotificationPreference,
)


def email_choice(person) -> str:
    """How notifications reach the person's e-mail (the daily digest unless they chose)."""
    preference = NotificationPreference.objects.filter(person=person).first()
    return preference.email if preference is not None else EmailChoice.DAILY


def email_choice_filter(choice: str, *, prefix: str = "person__") -> Q:
    """A filter on notifications (or, with prefix="", people) whose person chose `choice`;
    people who never chose get the daily digest."""
    chosen = Q(**{f"{prefix}notification_preference__email": choice})
    if choice == EmailChoice.DAILY:
        return chosen | Q(**{f"{prefix}notification_preference__isnull": True})
    return chosen


def unread_count(person) -> int:
    return person.notifications.filter(read_at__isnull=True).count()


@dataclass(frozen=True)
class InboxItem:
    notification: Notification
    link: str  # empty when the person may no longer open the subject
    subject_status: str  # the subject's own status (e.g. the signal's), when it has one
    detail: str  # what the subject's app adds (e.g. the measure's latest value)

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


@dataclass(frozen=True)
class InboxGroup:
    kind: str
    label: str
    items: list[InboxItem]

    @property
    def unread_count(self) -> int:
        return sum(item.unread for item in self.items)


INBOX_LIMIT = 200  # the newest; older ones are still kept


def inbox(person, *, limit: int = INBOX_LIMIT) -> list[InboxGroup]:
    """The person's newest notifications grouped by kind (in the order of NotificationKind),
    newest first within each; a subject the person can no longer open is not linked."""
    notifications = person.notifications.prefetch_related(
        GenericPrefetch("subject", registry.querysets())
    )[:limit]
    groups: dict[str, list[InboxItem]] = {}
    for notification in notifications:
        groups.setdefault(notification.kind, []).append(_item(person, notification))
    return [
        InboxGroup(kind, label, groups[kind])
        for kind, label in NotificationKind.choices
        if kind in groups
    ]


def _item(person, notification: Notification) -> InboxItem:
    subject = notification.subject
    if subject is None:
        # About nothing (or about a record since deleted): the stored link, if any, is all.
        gone = notification.content_type_id is not None
        return InboxItem(notification, "" if gone else notification.link, "", "")
    visible = registry.may_see(person, subject)
    status = getattr(subject, "get_status_display", None)
    return InboxItem(
        notification,
        notification.link if visible else "",
        status() if visible and status is not None else "",
        registry.detail(subject) if visible else "",
    )


HOME_LIMIT = 8  # unread notifications on home; the inbox has the rest


@dataclass(frozen=True)
class HomeInbox:
    items: list[InboxItem]
    unread_count: int

    @property
    def anything(self) -> bool:
        return self.unread_count > 0


def home_inbox(person) -> HomeInbox:
    """The person's newest unread notifications and how many are unread, for home."""
    unread = person.notifications.filter(read_at__isnull=True)
    newest = unread.prefetch_related(GenericPrefetch("subject", registry.querysets()))
    return HomeInbox(
        [_item(person, notification) for notification in newest[:HOME_LIMIT]], unread.count()
    )
