"""Pages for loading data from files (the keys that let other systems post it are made on a
unit's API keys page, qms.people).

Uploading is two steps. The first POST stores the file server-side under a random key (kept in
the person's session), checks every row and shows what saving would do. The second POST saves
exactly that file, checked again, and only if what it would change is still what was shown.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from qms.control import imports
from qms.control.services import ObservationConflict
from qms.people import access
from qms.people.models import Unit
from qms.text.spreadsheet import spreadsheet_safe
from qms.web.request_size import max_upload_bytes
from qms.web.screening import ScreenedForm

# A web request checks and saves a file while the person waits; bigger loads are for the
# `qms import-observations` command.
MAX_UPLOAD_ROWS = 100_000
# Problems listed on the page; the rest are counted.
SHOWN_PROBLEMS = 500
_SESSION_KEY = "control_upload"
_STALE_SECONDS = 24 * 60 * 60


# Where files wait between the check and the save: in Django's default storage (the media
# folder or the object store), which every app server shares, so the second step may reach
# another server than the first.
PENDING_FOLDER = "uploads"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File to upload",
        help_text="CSV (UTF-8) or Excel workbook (.xlsx), 20 MB at most.",
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        name = file.name.lower()
        if not name.endswith((".csv", ".txt", ".xlsx")):
            if name.endswith(".xls"):
                raise ValidationError(
                    "This is an old Excel file (.xls): save it as an Excel workbook (.xlsx) "
                    "or as CSV UTF-8, and upload that."
                )
            raise ValidationError("Upload a CSV file (.csv) or an Excel workbook (.xlsx).")
        if file.size > max_upload_bytes():
            raise ValidationError(
                f"The file is {filesizeformat(file.size)}; the limit is "
                f"{filesizeformat(max_upload_bytes())}. Split it into smaller files, or ask an "
                "administrator to load it with `qms import-observations`."
            )
        return file


class ConfirmForm(ScreenedForm, forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(
        required=False,
        label="Replace the recorded values listed above with the values in the file",
    )
    reason = forms.CharField(
        required=False,
        max_length=500,
        label="Why are these values being replaced?",
        help_text="Kept in each measure's history with the old value, e.g. “Validated figures "
        "from the audit replace the provisional ones”.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, replacing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.replacing = replacing

    def clean(self):
        data = super().clean()
        if self.replacing:
            if not data.get("confirm"):
                self.add_error("confirm", "Tick the box to replace the recorded values.")
            if not (data.get("reason") or "").strip():
                self.add_error("reason", "Say why the recorded values are being replaced.")
        return data


# Uploads -----------------------------------------------------------------------------------


def _require_uploader(user) -> None:
    if not imports.may_upload(user):
        raise PermissionDenied("You need a team member, lead or analyst role to upload data.")


def _keys_unit(user) -> Unit | None:
    """The person's working unit, when they may make its API keys (linked from the page)."""
    unit = user.current_unit
    if unit is not None and access.can_manage_memberships(user, unit):
        return unit
    return None


@login_required
def upload(request):
    _require_uploader(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        pending = _store(request, form.cleaned_data["file"])
        return _check(request, pending)
    return _upload_page(request, form)


def _upload_page(request, form, status=None, error=None):
    context = {
        "form": form,
        "error": error,
        "measures": imports.entry_measures(request.user),
        "max_rows": MAX_UPLOAD_ROWS,
        "keys_unit": _keys_unit(request.user),
    }
    return render(
        request, "control/upload.html", context, status=status or (400 if form.errors else 200)
    )


@login_required
@require_POST
def upload_commit(request):
    _require_uploader(request.user)
    pending = request.session.get(_SESSION_KEY)
    if not pending or request.POST.get("key") != pending.get("key"):
        messages.error(
            request,
            "That upload is no longer waiting to be saved (it was saved, replaced by another "
            "upload or expired). Upload the file again.",
        )
        return redirect("control:upload")
    return _check(request, pending, committing=True)


def _check(request, pending, *, committing=False):
    """Check the stored file; on the second step save it when the person confirmed it and
    nothing moved since they looked."""
    try:
        with default_storage.open(_stored_name(pending), "rb") as stream:
            records = imports.read_file(stream, pending["name"], max_rows=MAX_UPLOAD_ROWS)
    except (imports.ReadError, OSError) as error:
        _discard(request)
        message = (
            str(error)
            if isinstance(error, imports.ReadError)
            else "The uploaded file could not be found again. Upload it once more."
        )
        return _upload_page(
            request, UploadForm(), status=400, error=f"Nothing was saved. {message}"
        )
    checked = imports.preview(records, scope=imports.PersonScope(request.user))
    replacing = bool(checked.conflicts)
    if checked.problems or not (checked.new or checked.conflicts):
        _discard(request)  # nothing can be saved from this file
        return _preview_page(
            request, pending, checked, None, status=400 if checked.problems else 200
        )

    fingerprint = checked.fingerprint()
    if not committing or fingerprint != pending.get("fingerprint"):
        notice = (
            "Values for these measures were recorded or changed since you checked the file. "
            "Look at the summary again before saving."
            if committing
            else None
        )
        pending["fingerprint"] = fingerprint
        request.session[_SESSION_KEY] = pending
        form = ConfirmForm(initial={"key": pending["key"]}, replacing=replacing)
        return _preview_page(
            request, pending, checked, form, notice=notice, status=409 if notice else 200
        )

    form = ConfirmForm(request.POST, replacing=replacing)
    if not form.is_valid():
        return _preview_page(request, pending, checked, form, status=400)
    try:
        summary = imports.commit(
            checked,
            by=request.user,
            replace=replacing,
            # History says why values changed, or else where new ones came from.
            reason=form.cleaned_data["reason"].strip() or f"Uploaded from {pending['name']}",
        )
    except (ObservationConflict, ValidationError):
        # Someone recorded values between this check and the save: nothing was saved.
        pending.pop("fingerprint", None)
        request.session[_SESSION_KEY] = pending
        return _check(request, pending, committing=True)
    _discard(request)
    parts = [f"{summary.created:,} new value{'s' if summary.created != 1 else ''} saved"]
    if summary.updated:
        parts.append(f"{summary.updated:,} replaced (the old values are kept in history)")
    if summary.unchanged:
        parts.append(f"{summary.unchanged:,} already recorded")
    messages.success(
        request,
        f"{pending['name']}: {', '.join(parts)}, for {summary.measures:,} "
        f"measure{'s' if summary.measures != 1 else ''}. The charts are being updated.",
    )
    return redirect("control:upload")


def _preview_page(request, pending, checked, form, *, notice=None, status=200):
    context = {
        "name": pending["name"],
        "checked": checked,
        "problems": checked.problems[:SHOWN_PROBLEMS],
        "hidden_problems": max(0, len(checked.problems) - SHOWN_PROBLEMS),
        "conflicts": checked.conflicts[:SHOWN_PROBLEMS],
        "hidden_conflicts": max(0, len(checked.conflicts) - SHOWN_PROBLEMS),
        "form": form,
        "notice": notice,
    }
    return render(request, "control/upload_preview.html", context, status=status)


def _stored_name(pending) -> str:
    return f"{PENDING_FOLDER}/{pending['key']}{pending['suffix']}"


def _store(request, file) -> dict:
    """Keep the uploaded file under a random key until it is saved or replaced."""
    _discard(request)
    _sweep()
    suffix = ".xlsx" if file.name.lower().endswith(".xlsx") else ".csv"
    pending = {"key": secrets.token_urlsafe(24), "name": Path(file.name).name, "suffix": suffix}
    # A random key of 24 bytes is never taken, so the name is kept as asked.
    default_storage.save(_stored_name(pending), file)
    request.session[_SESSION_KEY] = pending
    return pending


def _discard(request) -> None:
    pending = request.session.pop(_SESSION_KEY, None)
    if pending:
        default_storage.delete(_stored_name(pending))


def _sweep() -> None:
    """Remove files left by uploads that were never saved (closed tabs, expired sessions)."""
    cutoff = timezone.now() - dt.timedelta(seconds=_STALE_SECONDS)
    try:
        _folders, names = default_storage.listdir(PENDING_FOLDER)
    except OSError:  # nothing uploaded yet
        return
    for name in names:
        stored = f"{PENDING_FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(stored) < cutoff:
                default_storage.delete(stored)
        except OSError:  # another request removed it first
            pass


@login_required
@require_GET
def upload_template(request, kind):
    """The header and one example row per measure the person may record data for."""
    _require_uploader(request.user)
    rows = imports.template_rows(imports.entry_measures(request.user))
    if kind == "xlsx":
        return _xlsx_template(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(imports.TEMPLATE_HEADER)
    # Names and definitions are anyone's text: none may run as a formula where the file opens.
    writer.writerows([[spreadsheet_safe(value) for value in row] for row in rows])
    # A byte order mark, so Excel opens the UTF-8 file with its accents intact.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="observations-template.csv"'
    return response


def _text_cell(value):
    """A template value as the report exports write it: formula-safe, and without the
    control characters the workbook's XML cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = spreadsheet_safe(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _xlsx_template(rows) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Observations"
    sheet.append(imports.TEMPLATE_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_text_cell(value) for value in row])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                # Text, whatever it starts with: openpyxl would store "=..." as a formula.
                cell.data_type = "s"
    # Periods as text, so Excel does not turn 2025-03 into a date of its choosing.
    for (cell,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.number_format = "@"
    for letter, width in zip("ABCDEF", (24, 12, 10, 14, 30, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="observations-template.xlsx"'
    return response
