"""Every write to comments and attachments: authorised on the record they belong to (its
registration in `qms.comments.registry` says which roles read, write and moderate), screened
for patient identifiers, atomic, and kept in history with who did it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qms.comments import files, registry
from qms.comments.models import Attachment, Comment
from qms.notifications.services import notify
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Person
from qms.web.screening import TEXT_MAX_LENGTH, problems_without_prompt, refusals


def _clean_text(text: str, *, identifiers_checked: bool) -> str:
    """The comment's text, or a ValidationError for `text`: empty, too long, or refused by the
    screening. Text that may identify a patient passes only when a person has looked and
    confirmed it does not (`identifiers_checked`, the box on the page)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the comment."})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {"text": f"The comment is too long: {TEXT_MAX_LENGTH:,} characters at most."}
        )
    check = refusals if identifiers_checked else problems_without_prompt
    problems = check(text, label="The comment")
    if problems:
        raise ValidationError({"text": problems})
    return text


def _authorise_write(by: Person | None, subject, entry, action: str) -> None:
    """`by` must hold one of the write roles on the record (or a granted role, given on it)."""
    if by is not None and not entry.may_write(by, subject, access.roles_on(by, subject)):
        raise PermissionDenied(
            f"Your role does not allow you to {action} in {access.unit_of(subject)}."
        )


def _may_remove(by: Person | None, author_id: int | None, subject) -> None:
    """Authors remove their own (while they may still write there); a moderator (a lead, by
    default) removes anyone's."""
    if by is None:
        return
    entry = registry.entry_for(subject)
    held = access.roles_on(by, subject)
    if held & entry.moderator_roles:
        return
    if author_id == by.pk and entry.may_write(by, subject, held):
        return
    raise PermissionDenied("Only its author or a lead may remove this.")


@transaction.atomic
def comment_add(
    *, by: Person | None, subject, text: str, identifiers_checked: bool = False
) -> Comment:
    """Add a comment to a record that takes them."""
    entry = registry.entry_for(subject)
    _authorise_write(by, subject, entry, "comment here")
    comment = Comment(
        content_type=registry.content_type_of(subject),
        object_id=subject.pk,
        author=by,
        text=_clean_text(text, identifiers_checked=identifiers_checked),
    )
    record_by(comment, by)
    comment.save()
    _tell_the_discussion(comment, subject, entry)
    return comment


def _tell_the_discussion(comment: Comment, subject, entry) -> None:
    """Tell the record's owner and the people who commented on it before that someone has
    answered, as long as they may still read the discussion (never the author)."""
    earlier = Comment.objects.filter(
        content_type=comment.content_type, object_id=comment.object_id, removed_at__isnull=True
    ).exclude(pk=comment.pk)
    people = {c.author for c in earlier.select_related("author") if c.author is not None}
    owner = getattr(subject, "owner", None)
    if isinstance(owner, Person):
        people.add(owner)
    readers = [
        person
        for person in people
        if person.pk != comment.author_id
        and entry.may_read(person, subject, access.roles_on(person, subject))
    ]
    if readers:
        author = comment.author or "QMS"
        page = subject.get_absolute_url()
        notify(
            readers,
            kind="comment",
            text=f"{author} commented on “{subject}”: {comment.text}"[:300],
            subject=subject,
            # A page that already points inside itself (a signal on its measure) keeps its place.
            link=page if "#" in page else f"{page}#comment-{comment.pk}",
        )


@transaction.atomic
def comment_edit(
    *, by: Person | None, comment: Comment, text: str, identifiers_checked: bool = False
) -> Comment:
    """Change the text of one's own comment; the earlier text stays in its history."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    subject = comment.subject
    entry = registry.entry_for(subject)
    _authorise_write(by, subject, entry, "comment here")
    if by is not None and comment.author_id != by.pk:
        raise PermissionDenied("Only its author may change a comment.")
    if comment.removed_at is not None:
        raise ValidationError({"text": "This comment was removed."})
    comment.text = _clean_text(text, identifiers_checked=identifiers_checked)
    comment.edited_at = timezone.now()
    record_by(comment, by, "Edited")
    comment.save()
    return comment


@transaction.atomic
def comment_remove(*, by: Person | None, comment: Comment, reason: str = "") -> Comment:
    """Take a comment off the discussion (its author, or a lead). It shows as removed; its
    text is kept in its history, for the record."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    _may_remove(by, comment.author_id, comment.subject)
    if comment.removed_at is not None:
        return comment
    comment.text, comment.removed_at, comment.removed_by = "", timezone.now(), by
    record_by(comment, by, reason.strip() or "Removed")
    comment.save()
    return comment


@transaction.atomic
def attachment_add(*, by: Person | None, subject, file) -> Attachment:
    """Attach a file to a record that takes attachments: an allowed kind of file (by its
    extension and its contents), within the size limit, with a name that does not identify a
    patient. Stored through Django's default storage under a name of QMS's own."""
    entry = registry.entry_for(subject)
    _authorise_write(by, subject, entry, "attach files here")
    name = files.clean_name(file.name or "")
    files.check_name(name)
    kind = files.check_file(file, name)
    attachment = Attachment(
        content_type=registry.content_type_of(subject),
        object_id=subject.pk,
        uploaded_by=by,
        original_name=name,
        media_type=kind.media_type,
        size=file.size,
    )
    attachment.file.save(name, file, save=False)
    stored = attachment.file.name
    try:  # the row and the file go together: no file is left without its row
        record_by(attachment, by)
        attachment.save()
    except Exception:
        attachment.file.storage.delete(stored)
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, by: Person | None, attachment: Attachment, reason: str = "") -> Attachment:
    """Take an attachment off the record (its uploader, or a lead): the file is deleted from
    storage once the removal is committed (a file is most often removed because it was the
    wrong one); who attached what, and who removed it, stay in the record and its history."""
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    _may_remove(by, attachment.uploaded_by_id, attachment.subject)
    if attachment.removed_at is not None:
        return attachment
    attachment.removed_at, attachment.removed_by = timezone.now(), by
    record_by(attachment, by, reason.strip() or "Removed")
    attachment.save()
    storage, stored = attachment.file.storage, attachment.file.name
    transaction.on_commit(lambda: storage.delete(stored))
    return attachment
