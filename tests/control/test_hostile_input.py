"""Input crafted to hurt, found by a tester after the first hardening: text that made the
screening's patterns backtrack for minutes, workbooks whose rows hold millions of cells, API
bodies that broke the JSON parser or the request, invisible characters and spacing that slipped
past the screening, and forms that were not screened at all.

Users are those of tests/conftest.py: lead and member in Ward 7, admin a system administrator.
"""

import datetime as dt
import io
import json
import time
import zipfile

import openpyxl
import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import resolve
from helpers import make_api_key, record

from qms.control import imports
from qms.control.models import Observation
from qms.issues.models import Issue
from qms.web import screening
from qms.web.screening import CONFIRM_FIELD, IDENTIFIER_REFUSAL, ScreenedForm

API = "/control/api/v1/observations"
SLOW_NOTE = "DOB" + " " * 12_000 + "x"  # 67 s in the API before the 400 "too long"


@pytest.fixture
def key(org):
    return make_api_key(org["ward"], write=True, name="Ward system")


def post_api(client, body, key, content_type="application/json"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            API,
            body if isinstance(body, (str, bytes)) else json.dumps(body),
            content_type=content_type,
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )


def falls(period="2025-03", value=3, denominator=812, **fields):
    return {"measure": "ward-7-falls", "period": period, "value": value,
            "denominator": denominator, **fields}  # fmt: skip


@pytest.fixture
def screened_texts(monkeypatch):
    """The texts the screening is asked about, in order."""
    seen = []
    screen = screening.problems_without_prompt

    def spy(text, **options):
        seen.append(text)
        return screen(text, **options)

    monkeypatch.setattr(screening, "problems_without_prompt", spy)
    return seen


# Lengths before screening ----------------------------------------------------------------------


def test_the_api_refuses_a_12_kb_note_at_once_and_never_screens_it(
    client, measure, key, screened_texts
):
    # The first request of a process loads every route (seconds on a busy machine): not timed.
    resolve("/api/v1/observations")
    started = time.perf_counter()
    response = post_api(client, {"observations": [falls(note=SLOW_NOTE)]}, key)
    assert time.perf_counter() - started < 1
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 1, "field": "note", "message": "the note is longer than 500 characters"}
    ]
    assert SLOW_NOTE not in screened_texts
    assert not Observation.objects.exists()


def test_the_api_refuses_a_reason_over_500_characters_before_screening_it(
    client, measure, key, screened_texts
):
    response = post_api(client, {"observations": [falls()], "reason": SLOW_NOTE}, key)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": None, "field": "reason", "message": "is longer than 500 characters"}
    ]
    assert SLOW_NOTE not in screened_texts
    assert not Observation.objects.exists()


class DescriptionForm(ScreenedForm, forms.Form):
    description = forms.CharField(widget=forms.Textarea, required=False)


def test_a_screened_form_bounds_a_text_field_that_sets_no_limit():
    form = DescriptionForm({"description": "x" * (screening.TEXT_MAX_LENGTH + 1)})
    assert not form.is_valid()
    assert "at most 5000 characters" in form.errors["description"][0]
    assert f'maxlength="{screening.TEXT_MAX_LENGTH}"' in str(form["description"])
    assert DescriptionForm({"description": "x" * screening.TEXT_MAX_LENGTH}).is_valid()


def test_an_issue_description_beyond_the_limit_is_refused_at_once(client, as_user, measure):
    record(measure, [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6])
    record(measure, [25], start=dt.date(2025, 9, 1))
    signal = measure.signals.get()
    as_user("lead")
    started = time.perf_counter()
    response = client.post(
        f"/control/signals/{signal.pk}/issue/",
        {"title": "Falls", "description": "DOB" + " " * 100_000 + "x"},
        follow=True,
    )
    assert time.perf_counter() - started < 2
    assert "at most 5000 characters" in response.content.decode()
    assert not Issue.objects.exists()


# Invisible characters and spacing -------------------------------------------------------------


class NoteForm(ScreenedForm, forms.Form):
    note = forms.CharField(label="Note", required=False)


@pytest.mark.parametrize(
    "text",
    [
        "NHS 943\u200b476\u200b5919",  # zero-width spaces hid the number from the pattern
        "Bed 7 \u202e9195 674 349",  # a right-to-left override shows it reversed
        "soft\u00adhyphen",
        "joined\u2060word",
    ],
)
def test_a_form_refuses_invisible_format_characters_naming_the_field(text):
    form = NoteForm({"note": text})
    assert not form.is_valid()
    (message,) = [m for m in form.errors["note"] if "invisible" in m]
    assert message.startswith("Note contains invisible formatting characters (U+")


def test_the_api_refuses_invisible_format_characters_naming_the_row(client, measure, key):
    response = post_api(client, {"observations": [falls(note="NHS 943\u200b476\u200b5919")]}, key)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["row"], error["field"]) == (1, "note")
    assert "invisible formatting characters (U+200B zero width space)" in error["message"]
    assert not Observation.objects.exists()


@pytest.mark.parametrize("number", ["943  476  5919", "943 4765919", "9434 765 919"])
def test_a_form_refuses_an_nhs_number_however_it_is_spaced(number):
    form = NoteForm({"note": f"Patient {number}"})
    assert not form.is_valid()
    assert f"Note {IDENTIFIER_REFUSAL}" in form.errors["note"]


@pytest.mark.parametrize("text", ["Seen by MR SMITH", "Seen by Mr. smith"])
def test_a_form_asks_about_a_title_and_name_in_any_case(text):
    form = NoteForm({"note": text})
    assert not form.is_valid()
    assert form.screening_prompted
    assert NoteForm({"note": text, CONFIRM_FIELD: "on"}).is_valid()


def test_a_text_full_of_names_gets_a_message_of_reasonable_length():
    (message,) = screening.problems_without_prompt("Mr Smith " * 5_000, label="the note")
    assert "and 4,995 more" in message
    assert len(message) < 1_000


# API bodies that are not what they say ---------------------------------------------------------


def test_the_api_answers_deeply_nested_json_with_a_400_naming_the_body(client, measure, key):
    response = post_api(client, "[" * 100_000 + "]" * 100_000, key)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": None, "field": "body", "message": "the body is nested too deeply to read"}
    ]


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data; boundary=xyz",
        "multipart/form-data",  # no boundary: the form parser's error was an HTML page
        "application/x-www-form-urlencoded",
        "text/plain",
    ],
)
def test_the_api_refuses_a_body_that_is_not_sent_as_json_with_a_json_415(
    client, measure, key, content_type
):
    body = json.dumps({"observations": [falls()]})
    response = post_api(client, body, key, content_type=content_type)
    assert response.status_code == 415
    assert response["Content-Type"] == "application/json"
    assert "Content-Type: application/json" in response.json()["error"]
    assert not Observation.objects.exists()


def test_the_api_takes_json_with_a_charset(client, measure, key):
    body = json.dumps({"observations": [falls()]})
    response = post_api(client, body, key, content_type="application/json; charset=utf-8")
    assert response.status_code == 201


def test_a_page_answers_a_form_without_a_boundary_with_a_clear_page(client, as_user, measure):
    as_user("lead")
    response = client.post(
        f"/control/measures/{measure.pk}/observations/",
        b"period=2025-01",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "The form could not be read" in response.content.decode()
    assert not Observation.objects.exists()


# Workbooks that pack millions of cells -----------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
    b'org/spreadsheetml/2006/main"><dimension ref="A1:C2"/><sheetData>'
)
SHEET_END = b"</sheetData></worksheet>"
HEADER_ROW = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>measure</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>period</t></is></c>'
    b'<c r="C1" t="inlineStr"><is><t>value</t></is></c></row>'
)


def workbook_with_sheets(*sheets: bytes) -> bytes:
    """A workbook made by openpyxl with one sheet per XML given, in order."""
    workbook = openpyxl.Workbook()
    for index in range(1, len(sheets)):
        workbook.create_sheet(f"Sheet{index + 1}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    parts = {f"xl/worksheets/sheet{index + 1}.xml": xml for index, xml in enumerate(sheets)}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member, parts.get(member.filename, source.read(member)))
    return out.getvalue()


def wide_row(cells: int) -> bytes:
    """Row 2 with this many cells of different numbers: it compresses like real data (the
    tester's file: 0.87 MB, 80 MB unpacked, ratio 92, 3.5 million cells in row 2)."""
    values = (str(k * 7919 % 1_000_003).encode() for k in range(cells))
    return (
        b'<row r="2">' + b"".join(b"<c><v>" + value + b"</v></c>" for value in values) + b"</row>"
    )


@pytest.fixture(scope="module")
def wide_workbook():
    return workbook_with_sheets(SHEET_START + HEADER_ROW + wide_row(400_000) + SHEET_END)


def test_the_wide_workbook_passes_the_zip_checks(wide_workbook):
    (sheet,) = [
        info
        for info in zipfile.ZipFile(io.BytesIO(wide_workbook)).infolist()
        if info.filename == "xl/worksheets/sheet1.xml"
    ]
    assert sheet.file_size < imports.XLSX_MAX_UNCOMPRESSED
    assert sheet.file_size < imports.XLSX_MAX_RATIO * sheet.compress_size
    imports.check_xlsx(io.BytesIO(wide_workbook))  # refuses nothing: the cells give it away


def test_it_refuses_a_row_of_400_000_cells_before_openpyxl_builds_it(wide_workbook):
    started = time.process_time()
    with pytest.raises(imports.ReadError, match="Row 2 of the sheet has more than 50 cells"):
        imports.read_file(io.BytesIO(wide_workbook), "wide.xlsx", max_rows=100_000)
    assert time.process_time() - started < 1  # openpyxl: about 9 µs a cell, 4 s here


def test_the_import_command_refuses_the_wide_row_too(measure, wide_workbook, tmp_path):
    path = tmp_path / "wide.xlsx"
    path.write_bytes(wide_workbook)
    with pytest.raises(CommandError, match="more than 50 cells"):
        call_command("import-observations", str(path), "--no-progress", stdout=io.StringIO())


def test_the_upload_page_refuses_the_wide_row_in_under_a_second(
    client, as_user, measure, wide_workbook, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    as_user("lead")
    started = time.perf_counter()
    response = client.post(
        "/control/upload/", {"file": SimpleUploadedFile("wide.xlsx", wide_workbook, XLSX)}
    )
    assert time.perf_counter() - started < 2
    assert response.status_code == 400
    assert "Row 2 of the sheet has more than 50 cells" in response.content.decode()
    assert not Observation.objects.exists()


def test_it_refuses_a_sheet_with_more_rows_than_the_cap_before_parsing():
    rows = b"".join(b'<row r="%d"><c><v>1</v></c></row>' % k for k in range(2, 400))
    content = workbook_with_sheets(SHEET_START + HEADER_ROW + rows + SHEET_END)
    with pytest.raises(imports.ReadError, match="beyond row 201"):
        imports.check_xlsx_cells(io.BytesIO(content), max_rows=202, max_cells=None)


def test_it_counts_the_cells_of_every_sheet_against_what_a_request_may_send():
    # openpyxl reads every sheet that does not state its size; these cells cost time too.
    data = HEADER_ROW + b'<row r="2"><c t="inlineStr"><is><t>ward-7-falls</t></is></c></row>'
    other = b"".join(b"<row>" + b"<c><v>1</v></c>" * 40 + b"</row>" for _ in range(100))
    content = workbook_with_sheets(SHEET_START + data + SHEET_END, SHEET_START + other + SHEET_END)
    with pytest.raises(imports.ReadError, match="more cells than the rows a page takes"):
        imports.read_file(io.BytesIO(content), "two.xlsx", max_rows=100)
    # The import command has no such budget: the rows of the first sheet are read.
    assert imports.read_file(io.BytesIO(content), "two.xlsx") == [
        (2, "ward-7-falls", None, None, None, None)
    ]


def test_a_wide_second_sheet_is_not_the_data_and_is_not_refused():
    data = HEADER_ROW + b'<row r="2"><c t="inlineStr"><is><t>ward-7-falls</t></is></c></row>'
    notes = b"<row>" + b"<c><v>1</v></c>" * 80 + b"</row>"
    content = workbook_with_sheets(SHEET_START + data + SHEET_END, SHEET_START + notes + SHEET_END)
    assert imports.read_file(io.BytesIO(content), "notes.xlsx", max_rows=100) == [
        (2, "ward-7-falls", None, None, None, None)
    ]


def test_cells_with_a_namespace_prefix_are_counted_too():
    prefixed = (
        SHEET_START.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=")
        .replace(b"<dimension", b"<x:dimension")
        .replace(b"<sheetData>", b"<x:sheetData>")
        + b'<x:row r="1">'
        + b"<x:c><x:v>1</x:v></x:c>" * 60
        + b"</x:row></x:sheetData></x:worksheet>"
    )
    content = workbook_with_sheets(prefixed)
    with pytest.raises(imports.ReadError, match="Row 1 of the sheet has more than 50 cells"):
        imports.read_file(io.BytesIO(content), "prefixed.xlsx", max_rows=100)


# Paths that were not screened ------------------------------------------------------------------

NHS_NUMBER = "943 476 5919"


def remove_url(unit, membership):
    return f"/units/{unit.pk}/members/{membership.pk}/remove/"


@pytest.mark.parametrize(
    "reason, message",
    [
        ("Left\x00", "Reason contains control characters that cannot be stored (NUL); remove them"),
        (f"See {NHS_NUMBER}", f"Reason {IDENTIFIER_REFUSAL}"),
        ("x" * 201, "The reason is too long: 200 characters at most"),
    ],
)
def test_the_membership_removal_reason_is_screened_naming_the_field(
    client, org, lead, member, reason, message
):
    membership = member.memberships.get()
    client.force_login(lead)
    response = client.post(remove_url(org["ward"], membership), {"reason": reason}, follow=True)
    assert f"{message}. Nothing was removed." in response.content.decode()
    assert member.memberships.filter(pk=membership.pk).exists()


def test_a_removal_reason_naming_someone_asks_first_and_is_kept_when_checked(
    client, org, lead, member
):
    membership = member.memberships.get()
    client.force_login(lead)
    url = remove_url(org["ward"], membership)
    response = client.post(url, {"reason": "Mrs Patel complained"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Reason may identify a patient: a person&#x27;s title and name" in html
    assert f'name="{CONFIRM_FIELD}"' in html and f'action="{url}"' in html
    assert member.memberships.filter(pk=membership.pk).exists()

    response = client.post(url, {"reason": "Mrs Patel complained", CONFIRM_FIELD: "on"})
    assert response.status_code == 302
    assert not member.memberships.filter(pk=membership.pk).exists()


def admin_measure_form(measure, **changes):
    from django.forms.models import model_to_dict

    data = model_to_dict(measure, exclude=["id", "unit"])
    data = {key: "" if value is None else value for key, value in data.items()}
    data["is_active"] = "on" if data["is_active"] else ""
    return {**data, "reason": "", **changes, "_save": "Save"}


@pytest.mark.parametrize(
    "field, text, message",
    [
        ("name", "Falls\x00", "Name contains control characters that cannot be stored (NUL)"),
        ("name", "Falls\u200b", "Name contains invisible formatting characters (U+200B"),
        ("operational_definition", f"Falls of {NHS_NUMBER}",
         f"Operational definition {IDENTIFIER_REFUSAL}"),
        ("reason", f"For {NHS_NUMBER}", f"Reason {IDENTIFIER_REFUSAL}"),
    ],
)  # fmt: skip
def test_the_measure_admin_screens_its_text_naming_the_field(
    client, admin, measure, field, text, message
):
    client.force_login(admin)
    url = f"/admin/control/measure/{measure.pk}/change/"
    response = client.post(url, admin_measure_form(measure, **{field: text}))
    assert response.status_code == 200  # the form again
    html = response.content.decode()
    assert message in html
    assert "Null characters are not allowed" not in html
    measure.refresh_from_db()
    assert measure.name == "Falls per 1,000 bed days"
    assert "943" not in measure.operational_definition


def test_the_measure_admin_asks_about_a_name_and_saves_it_when_checked(client, admin, measure):
    client.force_login(admin)
    url = f"/admin/control/measure/{measure.pk}/change/"
    form = admin_measure_form(measure, data_source="Audit by Mrs Patel")
    response = client.post(url, form)
    assert response.status_code == 200
    assert "Data source may identify a patient" in response.content.decode()
    assert f'name="{CONFIRM_FIELD}"' in response.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(url, {**form, CONFIRM_FIELD: "on"}).status_code == 302
    measure.refresh_from_db()
    assert measure.data_source == "Audit by Mrs Patel"


def test_the_standard_admin_screens_its_text(client, admin):
    from qms.control.models import Standard

    client.force_login(admin)
    form = {"code": "nat", "title": "National", "statement": f"For {NHS_NUMBER}", "source": "x"}
    response = client.post("/admin/control/standard/add/", form)
    assert response.status_code == 200
    assert f"Statement {IDENTIFIER_REFUSAL}" in response.content.decode()
    assert not Standard.objects.exists()


def test_the_unit_admin_screens_its_text(client, org, admin):
    client.force_login(admin)
    ward = org["ward"]
    form = {"name": ward.name, "code": ward.code, "kind": ward.kind, "description": "Bay\x00 4"}
    response = client.post(f"/admin/people/unit/{ward.pk}/change/", form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Description contains control characters that cannot be stored (NUL)" in html
    assert "Null characters are not allowed" not in html
    ward.refresh_from_db()
    assert "Bay" not in ward.description


def test_the_person_admin_screens_text_but_not_passwords(client, admin, member):
    client.force_login(admin)
    form = {
        "username": "member", "first_name": "", "last_name": "", "email": "m@example.org",
        "display_name": "Member", "job_title": f"Nurse {NHS_NUMBER}", "professional_group": "",
        "is_active": "on", "_save": "Save",
    }  # fmt: skip
    response = client.post(f"/admin/people/person/{member.pk}/change/", form)
    assert response.status_code == 200
    assert f"Job title {IDENTIFIER_REFUSAL}" in response.content.decode()
    # A password is never screened (nor stored as text): this one looks like an NHS number.
    response = client.post(
        "/admin/people/person/add/",
        {
            "username": "newcomer", "usable_password": "true",
            "password1": "Mr Smith 943 476 5919", "password2": "Mr Smith 943 476 5919",
            "display_name": "New Comer", "email": "new@example.org", "job_title": "",
            "professional_group": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
