"""Broken and hostile feedback files posted to the import page: every one is refused with a
message (or saved safely), never a server error, and nothing partial is saved."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learning.feedback_support import HEADER, csv_upload, row
from qms.learning.models import Feedback, FeedbackImport
from qms.learning.services import feedback as services

pytestmark = pytest.mark.django_db


def _post(client, who, unit, upload):
    client.force_login(who)
    return client.post(reverse("learning:feedback-import", args=[unit.pk]), {"file": upload})


def _raw(content: bytes, name="feedback.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


HEADER_LINE = ",".join(HEADER).encode()


@pytest.mark.parametrize(
    "upload",
    [
        _raw(HEADER_LINE + "\n03/02/2025,Ward 7,1,Très bien ça,patient,,,\n".encode("latin-1")),
        _raw("\ufeff".encode("utf-16") + HEADER_LINE.decode().encode("utf-16")),
        _raw(b""),
        _raw(HEADER_LINE + b"\n"),
        _raw(b"\x00\x01\x02\xff\xfe" * 1000),
        _raw(b"PK\x03\x04 not really a workbook", name="feedback.xlsx"),
        _raw(b"not really an old workbook", name="feedback.xls"),
        _raw(HEADER_LINE + b'\n"unterminated,quote\n'),
        _raw(b"date;service;rating;text\n03/02/2025;Ward 7;1;Fine\n"),
    ],
    ids=[
        "latin-1",
        "utf-16",
        "empty",
        "header only",
        "binary",
        "fake xlsx",
        "fake xls",
        "bad quoting",
        "semicolons",
    ],  # fmt: skip
)
def test_it_refuses_broken_files_with_a_message(client, org, lead, upload):
    response = _post(client, lead, org["ward"], upload)
    assert response.status_code in (200, 400)
    assert not Feedback.objects.exists() or response.status_code == 200


@pytest.mark.parametrize(
    "bad",
    [
        row(date="31/12/9999"),
        row(date="00/00/0000"),
        row(date="2025-02-30"),
        row(rating="99999999999999999999999999"),
        row(rating="1e309"),
        row(rating="-1"),
        row(rating="NaN"),
        row(text="\x00"),
        row(text="   "),
        row(unit="x" * 10_000),
        row(reference="r" * 10_000),
        row(service="s" * 10_000),
        row(source="x" * 10_000),
        row(question="q" * 10_000),
    ],
    ids=[
        "year 9999",
        "zero date",
        "30 February",
        "huge rating",
        "overflowing rating",
        "negative rating",
        "NaN rating",
        "NUL text",
        "blank text",
        "long unit",
        "long reference",
        "long service",
        "long source",
        "long question",
    ],  # fmt: skip
)
def test_it_names_the_row_of_a_bad_value_and_saves_nothing(client, org, lead, bad):
    response = _post(client, lead, org["ward"], csv_upload([row("Fine."), bad]))
    assert response.status_code == 400, response.content[:2000]
    assert b"Row 3" in response.content
    assert not Feedback.objects.exists()
    assert not FeedbackImport.objects.exists()


def test_it_keeps_formulas_as_plain_text_and_never_evaluates_them(client, org, lead):
    formulas = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1)"]
    response = _post(client, lead, org["ward"], csv_upload([row(f) for f in formulas]))
    assert response.status_code == 200
    assert sorted(Feedback.objects.values_list("text", flat=True)) == sorted(formulas)


def test_it_refuses_a_file_of_fifty_thousand_rows_by_its_size(client, org, lead):
    out = io.StringIO()
    out.write(",".join(HEADER) + "\n")
    for i in range(50_000):
        out.write(f"03/02/2025,Ward 7,1,Comment {i},patient,,r{i},\n")
    response = _post(client, lead, org["ward"], _raw(out.getvalue().encode()))
    assert response.status_code == 400
    assert f"{services.MAX_COMMENTS:,}".encode() in response.content
    assert not Feedback.objects.exists()


def test_it_refuses_duplicate_references_in_one_file_by_row(client, org, lead):
    upload = csv_upload([row("A.", reference="dup"), row("B.", reference="dup")])
    response = _post(client, lead, org["ward"], upload)
    assert response.status_code == 400
    assert b"Row 3" in response.content
    assert not Feedback.objects.exists()


def test_it_redacts_an_nhs_number_in_an_imported_comment(client, org, lead):
    upload = csv_upload([row("My number is 943 476 5919, call 07700 900123 or a@b.co.uk")])
    assert _post(client, lead, org["ward"], upload).status_code == 200
    text = Feedback.objects.get().text
    assert "943 476 5919" not in text and "07700 900123" not in text and "a@b.co.uk" not in text


def test_it_keeps_another_units_import_page_from_a_lead(client, org, lead):
    response = _post(client, lead, org["other_ward"], csv_upload([row()]))
    assert response.status_code in (403, 404)
    assert not Feedback.objects.exists()
