"""What may be attached: an allow-list of kinds of file, each known by its extension AND by its
first bytes (a program renamed to .pdf is still a program), within a size limit.

Only kinds people share about quality work are allowed (documents, spreadsheets, slides, images,
plain text and CSV), and none that a browser would run. Every refusal names the file.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from qms.web.screening import prompts, refusals

# Bytes read to recognise a file: enough for every signature below and a page of text.
_HEAD_BYTES = 8192
_NAME_MAX = 255
# Bytes that never occur in text (controls other than tab, line feed, form feed, carriage
# return and escape): a file holding one is not plain text whatever its extension.
_NOT_TEXT = frozenset(range(0x00, 0x09)) | {0x0B} | frozenset(range(0x0E, 0x1B)) | {
    0x1C, 0x1D, 0x1E, 0x1F, 0x7F,
}  # fmt: skip


def max_bytes() -> int:
    """The largest attachment (settings.QMS_ATTACHMENT_MAX_BYTES, 10 MB unless set)."""
    return settings.QMS_ATTACHMENT_MAX_BYTES


def _starts_with(*signatures: bytes) -> Callable[[bytes, object], bool]:
    return lambda head, file: head.startswith(signatures)


def _is_text(head: bytes, file) -> bool:
    return not _NOT_TEXT.intersection(head)


def _office_open_xml(part: str) -> Callable[[bytes, object], bool]:
    """A Word, Excel or PowerPoint file: a zip holding the part that makes it one."""

    def sniff(head: bytes, file) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())  # the directory only: nothing is unpacked
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        return "[Content_Types].xml" in names and part in names

    return sniff


def _open_document(media_type: str) -> Callable[[bytes, object], bool]:
    """An OpenDocument file: a zip whose first member, stored uncompressed, is `mimetype`
    holding the document's media type (the ODF specification, part 3, section 3.3)."""
    expected = media_type.encode("ascii")

    def sniff(head: bytes, file) -> bool:
        if not head.startswith(b"PK\x03\x04") or head[30:38] != b"mimetype":
            return False
        extra = int.from_bytes(head[28:30], "little")
        start = 38 + extra
        return head[start : start + len(expected)] == expected

    return sniff


@dataclass(frozen=True)
class Kind:
    name: str
    media_type: str
    sniff: Callable[[bytes, object], bool]


def _ooxml(name: str, subtype: str, part: str) -> Kind:
    return Kind(
        name, f"application/vnd.openxmlformats-officedocument.{subtype}", _office_open_xml(part)
    )


def _odf(name: str, subtype: str) -> Kind:
    media_type = f"application/vnd.oasis.opendocument.{subtype}"
    return Kind(name, media_type, _open_document(media_type))


KINDS = {
    ".pdf": Kind("PDF", "application/pdf", _starts_with(b"%PDF-")),
    ".png": Kind("PNG image", "image/png", _starts_with(b"\x89PNG\r\n\x1a\n")),
    ".jpg": Kind("JPEG image", "image/jpeg", _starts_with(b"\xff\xd8\xff")),
    ".jpeg": Kind("JPEG image", "image/jpeg", _starts_with(b"\xff\xd8\xff")),
    ".gif": Kind("GIF image", "image/gif", _starts_with(b"GIF87a", b"GIF89a")),
    ".txt": Kind("plain text", "text/plain", _is_text),
    ".csv": Kind("CSV", "text/csv", _is_text),
    ".docx": _ooxml("Word document", "wordprocessingml.document", "word/document.xml"),
    ".xlsx": _ooxml("Excel workbook", "spreadsheetml.sheet", "xl/workbook.xml"),
    ".pptx": _ooxml(
        "PowerPoint presentation", "presentationml.presentation", "ppt/presentation.xml"
    ),
    ".odt": _odf("OpenDocument text", "text"),
    ".ods": _odf("OpenDocument spreadsheet", "spreadsheet"),
    ".odp": _odf("OpenDocument presentation", "presentation"),
}
ALLOWED = ", ".join(dict.fromkeys(kind.name for kind in KINDS.values()))  # in the order above
ACCEPT = ",".join(KINDS)  # for the file input's accept attribute


def _quoted(name: str) -> str:
    return f"“{name if len(name) <= 60 else name[:59] + '…'}”"


def clean_name(name: str) -> str:
    """The name a file came with, without any folders a browser or client put in front."""
    return PurePosixPath(name.replace("\\", "/")).name.strip()


def check_name(name: str) -> None:
    """Refuse a file name that is empty, too long, or may identify a patient (a name cannot be
    confirmed like text on a page: the file is renamed and attached again)."""
    if not name:
        raise ValidationError({"file": "The file has no name; give it one and attach it again."})
    shown = _quoted(name)
    if len(name) > _NAME_MAX:
        raise ValidationError(
            {"file": f"The file name {shown} is too long: {_NAME_MAX} characters at most."}
        )
    problems = refusals(name, label=f"The file name {shown}", multiline=False)
    found = prompts(name)
    if found:
        problems.append(
            f"The file name {shown} may identify a patient: {'; '.join(found)}. Rename the file "
            "and attach it again"
        )
    if problems:
        raise ValidationError({"file": problems})


def check_file(file, name: str) -> Kind:
    """The kind of an uploaded file (a Django UploadedFile or any file with `size`) named
    `name`, or a ValidationError for `file` naming it: not an allowed kind, not what its
    extension says, empty or too large."""
    shown = _quoted(name)
    kind = KINDS.get(PurePosixPath(name).suffix.lower())
    if kind is None:
        raise ValidationError(
            {"file": f"{shown} is not a kind of file QMS keeps. Allowed: {ALLOWED}."}
        )
    if file.size > max_bytes():
        raise ValidationError(
            {
                "file": f"{shown} is too large ({filesizeformat(file.size)}): the limit is "
                f"{filesizeformat(max_bytes())}."
            }
        )
    if not file.size:
        raise ValidationError({"file": f"{shown} is empty."})
    file.seek(0)
    head = file.read(_HEAD_BYTES)
    recognised = kind.sniff(head, file)
    file.seek(0)
    if not recognised:
        raise ValidationError(
            {
                "file": f"{shown} does not contain what its name says ({kind.name}): QMS "
                "looked at its contents. Attach the file itself, saved from the program that "
                "made it."
            }
        )
    return kind
