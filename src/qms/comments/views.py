"""Comments and attachments on any registered record. Every form posts here and comes back to
the record's page; a record the person cannot see is a 404, one they may read but not write to a
403. Files are only ever served from here, as downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from qms.comments import files, registry, services
from qms.comments.forms import AttachmentForm, CommentForm, RemoveForm
from qms.comments.models import Attachment, Comment
from qms.people import access
from qms.web.screening import check_text_page, first_error


def _subject_or_404(user, key: str, object_id: int):
    """The registered record a form names, with its registration, if the user may read it."""
    try:
        entry = registry.entry_for_key(key)
    except LookupError:
        raise Http404("Not found") from None
    try:
        subject = entry.model._default_manager.get(pk=object_id)
    except (entry.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("Not found") from None
    # Those the registration lets read without a role on the record (a learning network's
    # member teams' staff) get past; anyone else as access decides: 404 without a role, else 403.
    if not entry.may_read(user, subject, access.roles_on(user, subject)):
        access.require(user, subject, entry.read_roles)
    return subject, entry


def _subject_of(user, item):
    """The record a comment or attachment belongs to, if the user may read it (404 otherwise,
    whether the item exists or not)."""
    subject = item.subject
    if subject is None:
        raise Http404("Not found")
    try:
        entry = registry.entry_for(subject)
    except LookupError:
        raise Http404("Not found") from None
    if not entry.may_read(user, subject, access.roles_on(user, subject)):
        access.require(user, subject, entry.read_roles)
    return subject, entry


def _require_write(user, subject, entry) -> None:
    if not entry.may_write(user, subject, access.roles_on(user, subject)):
        raise PermissionDenied("Your role here does not allow this.")


def _back(subject, anchor: str = "") -> str:
    url = subject.get_absolute_url()
    return f"{url.split('#')[0]}#{anchor}" if anchor else url


def _refused(request, error: ValidationError, what: str) -> None:
    messages.error(request, f"{what} {' '.join(error.messages)}")


@login_required
@require_POST
def comment_add(request, key, object_id):
    subject, entry = _subject_or_404(request.user, key, object_id)
    _require_write(request.user, subject, entry)
    form = CommentForm(request.POST)
    if not form.is_valid():
        if form.screening_prompted:
            return check_text_page(request, form, subject.get_absolute_url())
        messages.error(request, f"The comment was not added. {first_error(form)}")
        return redirect(_back(subject))
    try:
        comment = services.comment_add(
            by=request.user,
            subject=subject,
            text=form.cleaned_data["text"],
            identifiers_checked=form.identifiers_checked,
        )
    except ValidationError as error:
        _refused(request, error, "The comment was not added.")
        return redirect(_back(subject))
    messages.success(request, "Comment added.")
    return redirect(_back(subject, f"comment-{comment.pk}"))


@login_required
@require_POST
def comment_edit(request, comment_id):
    comment = get_object_or_404(Comment, pk=comment_id)
    subject, entry = _subject_of(request.user, comment)
    if comment.author_id != request.user.pk or comment.removed_at is not None:
        raise PermissionDenied("Only its author may change a comment.")
    _require_write(request.user, subject, entry)
    form = CommentForm(request.POST)
    if not form.is_valid():
        if form.screening_prompted:
            return check_text_page(request, form, subject.get_absolute_url())
        messages.error(request, f"The comment was not changed. {first_error(form)}")
        return redirect(_back(subject, f"comment-{comment.pk}"))
    try:
        services.comment_edit(
            by=request.user,
            comment=comment,
            text=form.cleaned_data["text"],
            identifiers_checked=form.identifiers_checked,
        )
    except ValidationError as error:
        _refused(request, error, "The comment was not changed.")
    else:
        messages.success(request, "Comment changed. The earlier text stays in its history.")
    return redirect(_back(subject, f"comment-{comment.pk}"))


@login_required
@require_POST
def comment_remove(request, comment_id):
    comment = get_object_or_404(Comment, pk=comment_id)
    subject, _ = _subject_of(request.user, comment)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        if form.screening_prompted:
            return check_text_page(request, form, subject.get_absolute_url())
        messages.error(request, f"Nothing was removed. {first_error(form)}")
    else:
        services.comment_remove(by=request.user, comment=comment, **form.cleaned_data)
        messages.success(request, "Comment removed. Its text stays in the record's history.")
    return redirect(_back(subject, f"comment-{comment.pk}"))


@login_required
@require_POST
def attachment_add(request, key, object_id):
    subject, entry = _subject_or_404(request.user, key, object_id)
    _require_write(request.user, subject, entry)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, f"Nothing was attached. {first_error(form)}")
        return redirect(_back(subject))
    try:
        attachment = services.attachment_add(
            by=request.user, subject=subject, file=form.cleaned_data["file"]
        )
    except ValidationError as error:
        _refused(request, error, "Nothing was attached.")
        return redirect(_back(subject))
    messages.success(request, f"“{attachment.original_name}” attached.")
    return redirect(_back(subject, f"attachment-{attachment.pk}"))


# The request-size middleware lets a file this large through to this view (and no larger), so
# that the limit told is the attachments' own.
attachment_add.max_upload_bytes = files.max_bytes


@login_required
@require_GET
def attachment_download(request, attachment_id):
    """The file, always as a download (never shown in the browser, whatever it holds), under
    the name it came with, to those who may read its record."""
    attachment = get_object_or_404(Attachment, pk=attachment_id)
    _subject_of(request.user, attachment)
    if attachment.removed_at is not None:
        raise Http404("This file was removed")
    try:
        handle = attachment.file.open("rb")
    except OSError:
        raise Http404("This file is missing from storage") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.media_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_remove(request, attachment_id):
    attachment = get_object_or_404(Attachment, pk=attachment_id)
    subject, _ = _subject_of(request.user, attachment)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        if form.screening_prompted:
            return check_text_page(request, form, subject.get_absolute_url())
        messages.error(request, f"Nothing was removed. {first_error(form)}")
    else:
        services.attachment_remove(by=request.user, attachment=attachment, **form.cleaned_data)
        messages.success(request, f"“{attachment.original_name}” removed.")
    return redirect(_back(subject, f"attachment-{attachment.pk}"))
