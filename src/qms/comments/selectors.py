"""Reads for pages: the discussions (comments and attachments) of records, many at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from qms.comments import registry
from qms.comments.models import Attachment, Comment
from qms.people import access


@dataclass
class Discussion:
    """What a person sees of one record's discussion, and what they may do there. Each comment
    and attachment carries `can_remove` (and a comment `can_edit`) for this person."""

    subject: object
    key: str  # the registered model, "app_label.model", as the URLs name it
    can_write: bool
    comments: list[Comment] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        """Unique on a page that shows several discussions: for ids of headings and fields."""
        return f"{self.key.replace('.', '-')}-{self.subject.pk}"

    @property
    def count(self) -> int:
        live = [c for c in self.comments if c.removed_at is None]
        return len(live) + len([a for a in self.attachments if a.removed_at is None])


def discussion_of(user, subject) -> Discussion | None:
    """The record's discussion as `user` sees it; None when they may not read it."""
    return discussions_of(user, [subject]).get(_key_of(subject))


def discussions_of(user, subjects: Iterable) -> dict[tuple[str, int], Discussion]:
    """The discussions of many records (of any registered models), keyed by ("app.model",
    pk), for those the user may read: two queries whatever their number."""
    found: dict[tuple[str, int], Discussion] = {}
    moderator: dict[tuple[str, int], bool] = {}
    for subject in subjects:
        entry = registry.entry_for(subject)
        held = access.roles_on(user, subject)
        if entry.may_read(user, subject, held):
            key = _key_of(subject)
            found[key] = Discussion(subject, entry.key, entry.may_write(user, subject, held))
            moderator[key] = bool(held & entry.moderator_roles)
    if not found:
        return found
    wanted = _condition(found.values())
    comments = Comment.objects.filter(wanted).select_related("author", "removed_by")
    attachments = Attachment.objects.filter(wanted).select_related("uploaded_by", "removed_by")
    keys = {registry.content_type_of(d.subject).pk: d.key for d in found.values()}
    for comment in comments:
        discussion = found[(keys[comment.content_type_id], comment.object_id)]
        mine = comment.author_id == user.pk
        comment.can_edit = mine and discussion.can_write and comment.removed_at is None
        comment.can_remove = comment.removed_at is None and (
            moderator[(discussion.key, comment.object_id)] or comment.can_edit
        )
        discussion.comments.append(comment)
    for attachment in attachments:
        discussion = found[(keys[attachment.content_type_id], attachment.object_id)]
        mine = attachment.uploaded_by_id == user.pk and discussion.can_write
        attachment.can_remove = attachment.removed_at is None and (
            moderator[(discussion.key, attachment.object_id)] or mine
        )
        discussion.attachments.append(attachment)
    return found


def _key_of(subject) -> tuple[str, int]:
    return (registry.entry_for(subject).key, subject.pk)


def _condition(discussions: Iterable[Discussion]) -> Q:
    by_type: dict[int, list[int]] = defaultdict(list)
    for discussion in discussions:
        by_type[registry.content_type_of(discussion.subject).pk].append(discussion.subject.pk)
    condition = Q(pk__in=[])
    for content_type_id, pks in by_type.items():
        condition |= Q(content_type_id=content_type_id, object_id__in=pks)
    return condition
