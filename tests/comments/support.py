"""Records and files for the comments tests."""

import datetime as dt
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from qms.control.models import Signal, SignalKind


def new_signal(measure):
    return Signal.objects.create(
        measure=measure,
        kind=SignalKind.CONCERN,
        first_period=dt.date(2025, 1, 1),
        last_period=dt.date(2025, 7, 1),
        explanation="Seven points above the centre line.",
    )


def pdf(name="minutes.pdf", body=b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def office_file(name: str, part: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def open_document(name: str, media_type: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), media_type)  # first, stored
        archive.writestr("content.xml", "<x/>", compress_type=zipfile.ZIP_DEFLATED)
    return SimpleUploadedFile(name, buffer.getvalue())


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
