"""qms.comments.files: the kinds of file that may be attached, known by name AND contents."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from comments.support import EXECUTABLE, office_file, open_document, pdf
from qms.comments import files

ODF = "application/vnd.oasis.opendocument"


@pytest.mark.parametrize(
    ("upload", "media_type"),
    [
        (pdf(), "application/pdf"),
        (SimpleUploadedFile("chart.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20), "image/png"),
        (SimpleUploadedFile("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20), "image/jpeg"),
        (SimpleUploadedFile("icon.gif", b"GIF89a" + b"\x00" * 20), "image/gif"),
        (
            SimpleUploadedFile("notes.txt", "Huddle notes: falls down, café rota.".encode()),
            "text/plain",
        ),
        (SimpleUploadedFile("data.csv", b"period,value\r\n2025-01,3\r\n"), "text/csv"),
        (office_file("plan.docx", "word/document.xml"), "wordprocessingml.document"),
        (office_file("data.xlsx", "xl/workbook.xml"), "spreadsheetml.sheet"),
        (office_file("slides.pptx", "ppt/presentation.xml"), "presentationml.presentation"),
        (open_document("plan.odt", f"{ODF}.text"), f"{ODF}.text"),
        (open_document("data.ods", f"{ODF}.spreadsheet"), f"{ODF}.spreadsheet"),
        (open_document("slides.odp", f"{ODF}.presentation"), f"{ODF}.presentation"),
    ],
)
def test_it_knows_each_allowed_kind_by_its_name_and_its_contents(upload, media_type):
    kind = files.check_file(upload, upload.name)
    assert kind.media_type.endswith(media_type)
    assert upload.tell() == 0  # left ready to be stored


@pytest.mark.parametrize(
    ("upload", "found"),
    [
        (SimpleUploadedFile("report.pdf", EXECUTABLE), "does not contain what its name says (PDF)"),
        (SimpleUploadedFile("notes.txt", EXECUTABLE), "(plain text)"),
        (SimpleUploadedFile("chart.png", b"%PDF-1.7 not a png"), "(PNG image)"),
        # A zip that is not a Word document, and a Word document named as a workbook.
        (office_file("plan.docx", "other/part.xml"), "(Word document)"),
        (office_file("data.xlsx", "word/document.xml"), "(Excel workbook)"),
        (open_document("plan.odt", f"{ODF}.spreadsheet"), "(OpenDocument text)"),
        (SimpleUploadedFile("setup.exe", EXECUTABLE), "is not a kind of file QMS keeps"),
        (SimpleUploadedFile("page.html", b"<script>alert(1)</script>"), "Allowed: PDF, PNG image"),
        (SimpleUploadedFile("drawing.svg", b"<svg onload='x'/>"), "is not a kind of file"),
        (SimpleUploadedFile("no-extension", b"hello"), "is not a kind of file"),
        (SimpleUploadedFile("empty.pdf", b""), "is empty"),
    ],
)
def test_it_refuses_what_is_not_on_the_list_naming_the_file(upload, found):
    with pytest.raises(ValidationError) as refused:
        files.check_file(upload, upload.name)
    message = " ".join(refused.value.message_dict["file"])
    assert f"“{upload.name}”" in message
    assert found in message


@override_settings(QMS_ATTACHMENT_MAX_BYTES=1000)
def test_it_refuses_a_file_over_the_limit_with_both_sizes():
    upload = pdf(body=b"%PDF-" + b"x" * 1200)
    with pytest.raises(ValidationError) as refused:
        files.check_file(upload, "big.pdf")
    assert refused.value.message_dict["file"] == [
        "“big.pdf” is too large (1.2\xa0KB): the limit is 1000\xa0bytes."
    ]


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("Mrs Smith discharge.pdf", "may identify a patient"),
        ("DOB 12-03-1954.pdf", "may identify a patient"),
        ("943 476 5919.pdf", "looks like an NHS or CHI number"),
        ("notes\u200b.pdf", "invisible formatting characters"),
        ("x" * 252 + ".pdf", "is too long"),
    ],
)
def test_it_refuses_a_file_name_that_may_identify_a_patient_or_is_not_a_name(name, found):
    with pytest.raises(ValidationError) as refused:
        files.check_name(name)
    assert found in " ".join(refused.value.message_dict["file"])


def test_it_keeps_only_the_name_of_a_path_a_client_sent():
    assert files.clean_name("C:\\Users\\lead\\minutes.pdf") == "minutes.pdf"
    assert files.clean_name("../../etc/passwd.txt") == "passwd.txt"
