"""Uploading observations from CSV and Excel files: check every row, preview, confirm, save.

Users are those of tests/conftest.py: lead, member and partner in Ward 7, quality_lead in the
division above it, outsider in another board, admin; "anonymous" is not logged in.
"""

import csv
import datetime as dt
import io
import re
from urllib.parse import quote

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from helpers import make_person, record

from qms.control import services
from qms.control.models import MeasureResult, Observation
from qms.people.roles import Role

HEADER = "measure,period,value,denominator,note\n"


@pytest.fixture(autouse=True)
def upload_folder(settings, tmp_path):
    """Files wait in the default storage (here the file system, under this test's media)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT / "uploads"


@pytest.fixture
def hygiene(org, lead):
    """A proportion in Ward 7: the numerator cannot exceed the denominator."""
    return services.measure_create(
        by=lead,
        unit=org["ward"],
        name="Hand hygiene compliance",
        code="ward-7-hand-hygiene",
        kind="process",
        domain="safe",
        operational_definition="Observed opportunities where hand hygiene was done.",
        frequency="month",
        chart="p",
        multiply=100,
        direction="increase",
    )


@pytest.fixture
def other_ward_measure(org, lead):
    return services.measure_create(
        by=None,
        unit=org["other_ward"],
        name="Ward 8 falls",
        code="ward-8-falls",
        kind="outcome",
        domain="safe",
        operational_definition="Inpatient falls.",
        frequency="month",
        chart="c",
        direction="decrease",
    )


def csv_file(text, name="observations.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows, name="observations.xlsx"):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def problems_of(response):
    """(row, column, message) of every line of the problems table."""
    html = response.content.decode()
    table = re.search(r'<table class="problems">.*?</table>', html, re.S)
    assert table, "no problems table"
    cells = re.findall(
        r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td>(.*?)</td></tr>', table.group(0)
    )
    return [(row, column, message) for row, column, message in cells]


def key_of(response):
    return re.search(r'name="key" value="([^"]+)"', response.content.decode()).group(1)


def upload(client, file):
    return client.post("/control/upload/", {"file": file})


def save(client, response, **fields):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/control/upload/save/", {"key": key_of(response), **fields})


# Who may use the pages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("member", 200),
        ("quality_lead", 200),
        ("admin", 200),
        ("outsider", 200),  # a lead elsewhere: may upload, for their own units only
        ("partner", 403),
    ],
)
@pytest.mark.parametrize(
    "path", ["/control/upload/", "/control/upload/template.csv", "/control/upload/template.xlsx"]
)
def test_it_lets_only_people_who_record_data_use_the_upload_pages(
    client, as_user, measure, who, status, path
):
    as_user(who)
    assert client.get(path).status_code == status


@pytest.mark.parametrize(
    "path",
    [
        "/control/upload/",
        "/control/upload/template.csv",
        "/control/upload/template.xlsx",
    ],
)
def test_it_sends_anonymous_visitors_to_log_in(client, org, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path, safe='/')}"


def test_it_sends_anonymous_uploads_to_log_in(client, measure):
    response = upload(client, csv_file(HEADER + "ward-7-falls,2024-01,3,800,\n"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = client.post("/control/upload/save/", {"key": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Observation.objects.exists()


def test_it_refuses_uploads_from_a_partner(client, as_user, measure):
    as_user("partner")
    response = upload(client, csv_file(HEADER + "ward-7-falls,2024-01,3,800,\n"))
    assert response.status_code == 403
    assert client.post("/control/upload/save/", {"key": "x"}).status_code == 403
    assert not Observation.objects.exists()


def test_it_shows_a_labelled_file_input_and_the_measures_codes(client, as_user, measure):
    as_user("member")
    html = client.get("/control/upload/").content.decode()
    assert '<label for="id_file">File to upload</label>' in html
    assert 'type="file" name="file" id="id_file"' in html
    assert "ward-7-falls" in html


# Checking every row ------------------------------------------------------------------------


def test_it_reports_every_bad_row_by_row_and_column_and_saves_nothing(
    client, as_user, measure, hygiene
):
    as_user("lead")
    rows = [
        "ward-7-falls,2024-01,3,800,fine",  # row 2: good
        "no-such-measure,2024-01,3,800,",  # row 3: unknown measure
        "ward-7-falls,2024-13,3,800,",  # row 4: bad period
        "ward-7-falls,2024-02,three,800,",  # row 5: not a number
        "ward-7-hand-hygiene,2024-01,95,90,",  # row 6: numerator above denominator
        "ward-7-falls,2024-01-15,4,800,",  # row 7: duplicate of row 2 (same month)
        "ward-7-falls,2024-03,-1,800,",  # row 8: negative count
        "ward-7-falls,2024-04,2,,",  # row 9: the rate needs a denominator
        "ward-7-falls,2024-05,2,lots,",  # row 10: denominator not a number
        ",2024-06,2,800,",  # row 11: no measure
    ]
    response = upload(client, csv_file(HEADER + "\n".join(rows) + "\n"))
    assert response.status_code == 400
    assert "Nothing has been saved" in response.content.decode()
    found = {(row, column) for row, column, _ in problems_of(response)}
    assert found == {
        ("3", "measure"),
        ("4", "period"),
        ("5", "value"),
        ("6", "value"),
        ("7", "period"),
        ("8", "value"),
        ("9", "denominator"),
        ("10", "denominator"),
        ("11", "measure"),
    }
    messages = {(row, col): text.lower() for row, col, text in problems_of(response)}
    assert "no-such-measure" in messages[("3", "measure")]
    assert "row 2 already gives ward-7-falls a value for jan 2024" in messages[("7", "period")]
    assert "numerator is larger than the denominator" in messages[("6", "value")]
    assert "“three” is not a number" in messages[("5", "value")]
    assert not Observation.objects.exists()
    # Nothing is left waiting to be saved either.
    assert client.post("/control/upload/save/", {"key": "anything"}).status_code == 302
    assert not Observation.objects.exists()


def test_it_names_missing_columns(client, as_user, measure):
    as_user("lead")
    response = upload(client, csv_file("measure,when,value\nward-7-falls,2024-01,3\n"))
    assert response.status_code == 400
    assert "Missing: period" in response.content.decode()


def test_it_explains_a_file_that_is_not_utf8(client, as_user, measure):
    as_user("lead")
    data = (HEADER + "ward-7-falls,2024-01,3,800,café\n").encode("latin-1")
    response = upload(client, SimpleUploadedFile("old.csv", data))
    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode()
    assert not Observation.objects.exists()


def test_it_explains_a_damaged_workbook(client, as_user, measure):
    as_user("lead")
    response = upload(client, SimpleUploadedFile("broken.xlsx", b"not a zip file"))
    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "words"), [("old.xls", "old Excel file"), ("report.pdf", "CSV file (.csv)")]
)
def test_it_refuses_other_kinds_of_file(client, as_user, measure, name, words):
    as_user("lead")
    response = upload(client, SimpleUploadedFile(name, b"whatever"))
    assert response.status_code == 400
    assert words in response.content.decode()


def test_it_refuses_files_over_the_size_limit_with_a_clear_message(
    client, as_user, measure, settings
):
    settings.QMS_MAX_UPLOAD_BYTES = 100
    as_user("lead")
    text = HEADER + "".join(f"ward-7-falls,{2000 + k}-01,3,800,\n" for k in range(20))
    response = upload(client, csv_file(text))
    assert response.status_code == 400
    assert "the limit is 100\xa0bytes" in response.content.decode()
    assert not Observation.objects.exists()


def test_it_refuses_rows_for_units_the_person_may_not_record_data_for(
    client, as_user, measure, other_ward_measure
):
    as_user("member")  # Ward 7 only
    response = upload(
        client,
        csv_file(HEADER + "ward-7-falls,2024-01,3,800,\nward-8-falls,2024-01,2,,\n"),
    )
    assert response.status_code == 400
    (problem,) = problems_of(response)
    # Ward 8 is invisible to the member: its measure reads as unknown, not as forbidden.
    assert problem[:2] == ("3", "measure")
    assert "No measure has the code “ward-8-falls”" in problem[2]
    assert not Observation.objects.exists()


def test_it_says_when_a_visible_unit_does_not_allow_recording(client, org, measure):
    coach = make_person(
        "coach", (Role.IMPROVEMENT_COACH, org["ward"]), (Role.TEAM_MEMBER, org["other_ward"])
    )
    client.force_login(coach)
    response = upload(client, csv_file(HEADER + "ward-7-falls,2024-01,3,800,\n"))
    (problem,) = problems_of(response)
    assert problem[:2] == ("2", "measure")
    assert "You may not record data for the measures of Ward 7" in problem[2]


def test_it_lets_a_quality_lead_record_data_for_units_below(client, as_user, measure):
    as_user("quality_lead")
    response = upload(client, csv_file(HEADER + "ward-7-falls,2024-01,3,800,\n"))
    assert response.status_code == 200
    save(client, response)
    assert Observation.objects.get().value == 3


# Previewing and saving ---------------------------------------------------------------------


def test_it_previews_a_good_csv_and_saves_it_when_confirmed(client, as_user, measure):
    as_user("member")
    response = upload(
        client, csv_file(HEADER + "ward-7-falls,2024-01,3,800,\nward-7-falls,2024-02,5,790,\n")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>2</strong> new values" in html
    assert not Observation.objects.exists()  # the preview saves nothing

    response = save(client, response)
    assert response.status_code == 302
    assert response["Location"] == "/control/upload/"
    saved = Observation.objects.order_by("period")
    assert [(o.period, o.value, o.denominator) for o in saved] == [
        (dt.date(2024, 1, 1), 3.0, 800.0),
        (dt.date(2024, 2, 1), 5.0, 790.0),
    ]
    history = saved[0].history.get()
    assert history.history_user.username == "member"
    assert history.history_change_reason == "Uploaded from observations.csv"
    assert len(MeasureResult.objects.get(measure=measure).points) == 2  # the chart is updated
    page = client.get(response["Location"]).content.decode()
    assert "2 new values saved" in page


def test_it_reads_excel_workbooks(client, as_user, measure, hygiene):
    as_user("lead")
    file = xlsx_file(
        [
            ["Measure", "Period", "Value", "Denominator", "Note", "Checked by"],
            ["ward-7-falls", dt.datetime(2024, 1, 15), 3, 800, None, "AB"],
            ["ward-7-hand-hygiene", "2024-01", 90, 100, "audit", None],
            [None, None, None, None, None, None],  # blank rows are not data
        ]
    )
    response = upload(client, file)
    assert response.status_code == 200
    save(client, response)
    assert Observation.objects.count() == 2
    assert Observation.objects.get(measure=hygiene).note == "audit"
    assert Observation.objects.get(measure=measure).period == dt.date(2024, 1, 1)


def test_it_reports_bad_excel_rows_by_row_and_column(client, as_user, measure):
    as_user("lead")
    file = xlsx_file(
        [
            ["measure", "period", "value", "denominator"],
            ["ward-7-falls", "2024-01", 3, 800],
            ["ward-7-falls", "2024-02", "n/a", 800],
            ["unknown", "2024-02", 3, 800],
        ]
    )
    response = upload(client, file)
    assert response.status_code == 400
    assert [(row, column) for row, column, _ in problems_of(response)] == [
        ("3", "value"),
        ("4", "measure"),
    ]
    assert not Observation.objects.exists()


def test_it_replaces_a_recorded_value_only_after_confirmation_keeping_the_old_one(
    client, as_user, measure
):
    record(measure, [4, 6])  # Jan and Feb 2024, denominator 1000
    as_user("lead")
    response = upload(
        client,
        csv_file(
            HEADER + "ward-7-falls,2024-01,4,1000,\n"  # unchanged
            "ward-7-falls,2024-02,7,1000,\n"  # a conflict: 6 is recorded
            "ward-7-falls,2024-03,5,1000,\n"  # new
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>1</strong> new value<" in html
    assert "<strong>1</strong> unchanged" in html
    assert "<strong>1</strong> conflict:" in html
    conflict_row = re.search(r"<tr>\s*<th scope=\"row\">3</th>.*?</tr>", html, re.S).group(0)
    assert "Feb 2024" in conflict_row
    assert "<td>6 / 1000" in conflict_row
    assert "→ </span>7 / 1000" in conflict_row
    assert 'type="checkbox" name="confirm"' in html
    assert "Save and replace 1 value" in html

    # Without the confirmation and a reason nothing is saved.
    refused = save(client, response)
    assert refused.status_code == 400
    assert "Tick the box" in refused.content.decode()
    assert "Say why" in refused.content.decode()
    assert Observation.objects.count() == 2
    assert Observation.objects.get(period=dt.date(2024, 2, 1)).value == 6

    done = save(client, refused, confirm="on", reason="Validated against the incident system")
    assert done.status_code == 302
    february = Observation.objects.get(period=dt.date(2024, 2, 1))
    assert february.value == 7
    assert Observation.objects.count() == 3
    history = list(
        february.history.order_by("history_date", "history_id").values_list(
            "value", "history_type", "history_change_reason", "history_user__username"
        )
    )
    assert history[0][:2] == (6.0, "+")
    assert history[-1] == (7.0, "~", "Validated against the incident system", "lead")


def test_it_does_not_save_when_values_were_recorded_since_the_preview(client, as_user, measure):
    as_user("lead")
    response = upload(client, csv_file(HEADER + "ward-7-falls,2024-01,3,800,\n"))
    assert "Save 1 value" in response.content.decode()
    record(measure, [9])  # someone records January meanwhile
    again = save(client, response)
    assert again.status_code == 409
    html = again.content.decode()
    assert "since you checked the file" in html
    assert "Save and replace 1 value" in html
    assert Observation.objects.get().value == 9  # untouched


def test_it_says_when_every_value_is_already_recorded(client, as_user, measure):
    record(measure, [4])
    as_user("lead")
    response = upload(client, csv_file(HEADER + "ward-7-falls,2024-01,4,1000,\n"))
    assert response.status_code == 200
    assert "nothing to save" in response.content.decode()
    assert 'name="key"' not in response.content.decode()


def test_it_saves_an_upload_only_once(client, as_user, measure):
    as_user("lead")
    response = upload(client, csv_file(HEADER + "ward-7-falls,2024-01,3,800,\n"))
    save(client, response)
    again = save(client, response)
    assert again.status_code == 302
    assert "no longer waiting" in client.get(again["Location"]).content.decode()
    assert Observation.objects.count() == 1


def test_it_keeps_an_upload_to_the_session_that_made_it(client, as_user, measure, member):
    as_user("lead")
    response = upload(client, csv_file(HEADER + "ward-7-falls,2024-01,3,800,\n"))
    key = key_of(response)
    client.logout()
    client.force_login(member)
    refused = client.post("/control/upload/save/", {"key": key})
    assert refused.status_code == 302
    assert not Observation.objects.exists()


def test_it_removes_the_stored_file_once_saved(client, as_user, measure, upload_folder):
    as_user("lead")
    response = upload(client, csv_file(HEADER + "ward-7-falls,2024-01,3,800,\n"))
    assert len(list(upload_folder.iterdir())) == 1
    save(client, response)
    assert list(upload_folder.iterdir()) == []


# Templates ---------------------------------------------------------------------------------


def test_it_downloads_a_csv_template_with_a_row_per_measure(client, as_user, measure, hygiene):
    as_user("member")
    response = client.get("/control/upload/template.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["measure", "period", "value", "denominator", "note"]
    assert sorted(row[0] for row in rows[1:]) == ["ward-7-falls", "ward-7-hand-hygiene"]
    assert all(re.fullmatch(r"\d{4}-\d{2}", row[1]) for row in rows[1:])  # monthly examples


def test_it_downloads_an_excel_template(client, as_user, measure):
    as_user("lead")
    response = client.get("/control/upload/template.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert list(rows[0][:5]) == ["measure", "period", "value", "denominator", "note"]
    assert rows[1][0] == "ward-7-falls"


def test_it_gives_a_template_only_of_the_persons_own_measures(client, as_user, measure):
    as_user("outsider")
    rows = list(
        csv.reader(io.StringIO(client.get("/control/upload/template.csv").content.decode()))
    )
    assert len(rows) == 1  # the header only: Ward 7 is not theirs


def test_a_filled_in_template_uploads(client, as_user, measure):
    as_user("lead")
    template = client.get("/control/upload/template.csv").content.decode("utf-8-sig")
    filled = template.replace("ward-7-falls,", "ward-7-falls,", 1)
    lines = filled.splitlines()
    code, period, *_ = lines[1].split(",")
    lines[1] = f"{code},{period},3,800,,about this"
    response = upload(client, csv_file("\n".join(lines) + "\n"))
    assert response.status_code == 200
    save(client, response)
    assert Observation.objects.get().value == 3


# The integrations page moved to the unit's API keys page (tests/people/test_api_keys_page.py)


def test_the_integrations_page_sends_people_to_the_units_api_keys_page(client, as_user, org):
    as_user("lead")
    for path in (
        f"/control/units/{org['ward'].pk}/integrations/",
        f"/control/units/{org['ward'].pk}/integrations/12/revoke/",
    ):
        response = client.get(path)
        assert response.status_code == 301
        assert response["Location"] == f"/units/{org['ward'].pk}/api-keys/"


def test_it_reads_semicolon_separated_files(client, as_user, measure):
    as_user("lead")
    text = "measure;period;value;denominator\nward-7-falls;2024-01;3;800\n"
    response = upload(client, csv_file(text))
    assert response.status_code == 200
    save(client, response)
    assert Observation.objects.get().value == 3


def test_it_explains_a_file_that_is_not_a_table_of_values(client, as_user, measure):
    as_user("lead")
    text = HEADER + "ward-7-falls,2024-01,3,800," + "x" * 200_000 + "\n"
    response = upload(client, csv_file(text))
    assert response.status_code == 400
    assert "is not valid CSV" in response.content.decode()


def test_it_refuses_a_header_naming_a_column_twice(client, as_user, measure):
    as_user("lead")
    response = upload(client, csv_file("measure,period,value,value\nward-7-falls,2024-01,3,4\n"))
    assert response.status_code == 400
    assert "names the column value more than once" in response.content.decode()


def test_it_says_when_a_file_holds_no_data(client, as_user, measure):
    as_user("lead")
    response = upload(client, csv_file(HEADER + ",,,,\n"))
    assert response.status_code == 200
    assert "no rows of data" in response.content.decode()
