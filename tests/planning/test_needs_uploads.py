"""Evidence tables and group breakdowns from CSV and Excel: all or nothing, every problem named
by row and column; identifiers, patient-level tables, text in number cells, unknown periods, too
many rows and files that are not workbooks refused; the table shown, charted and downloaded."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from planning.needs_support import *  # noqa: F403
from planning.needs_support import SIMD, csv_file, xlsx_file
from qms.planning.models import GroupObservation, NeedEvidence
from qms.planning.services import needs as services

AGE_TABLE = "Age band,People,Share living alone\n75-79,1200,31%\n80-84,900,38%\n85+,650,52%\n"


def _table(assessment, file, **fields):
    return services.evidence_add(
        by=None, assessment=assessment, kind="table", title="Living alone", source="Census",
        file=file, **fields,
    )  # fmt: skip


def _refusal(call) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        call()
    return [m for ms in caught.value.message_dict.values() for m in ms]


def test_it_keeps_a_table_and_charts_labels_against_the_first_numbers(assessment):
    evidence = _table(assessment, csv_file(AGE_TABLE))
    assert evidence.columns == ["Age band", "People", "Share living alone"]
    assert evidence.rows[0] == ["75-79", "1200", "31%"]
    assert (evidence.chart_x, evidence.chart_y) == ("Age band", "People")


def test_it_reads_an_excel_table(assessment):
    evidence = _table(assessment, xlsx_file([["Area", "Rate"], ["North", 4.5], ["South", 2]]))
    assert evidence.rows == [["North", 4.5], ["South", 2]]
    assert evidence.chart_y == "Rate"


def test_it_draws_a_bar_chart_of_the_chosen_columns(assessment):
    from qms.planning.selectors import needs as selectors

    evidence = _table(assessment, csv_file(AGE_TABLE))
    services.evidence_chart_set(by=None, evidence=evidence, x="Age band", y="Share living alone")
    evidence.refresh_from_db()
    spec = selectors.evidence_table(evidence).chart
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert spec["data"]["values"] == [
        {"label": "75-79", "value": 31.0},
        {"label": "80-84", "value": 38.0},
        {"label": "85+", "value": 52.0},
    ]
    assert spec["encoding"]["y"]["field"] == "label"
    assert spec["layer"][0]["mark"]["type"] == "bar"
    assert "85+ 52" in spec["description"]  # a text alternative


def test_it_refuses_a_chart_of_a_column_of_words(assessment):
    evidence = _table(assessment, csv_file(AGE_TABLE))
    problems = _refusal(
        lambda: services.evidence_chart_set(by=None, evidence=evidence, x="People", y="Age band")
    )
    assert "Choose a column of numbers for the bars." in problems


@pytest.mark.parametrize(
    "file,expected",
    [
        (
            csv_file("Area,NHS number,Count\nNorth,1,2\n"),
            "Row 1, column 2 (“NHS number”) names an identifier",
        ),
        (csv_file("Area,Date of birth\nNorth,1\n"), "names an identifier"),
        (csv_file("Area,Note\nNorth,ok\nSouth,patient 943 476 5919\n"), "Row 3, column Note"),
        (
            csv_file("Area,Note\nNorth,Mrs Jane Smith fell\n"),
            "Row 2, column Note may identify a patient",
        ),
        (csv_file("Area\n" + "x\n" * 5001), "more than 5,000 rows"),
        (csv_file(",".join(f"c{i}" for i in range(31)) + "\n"), "31 columns"),
        (csv_file("Area,Count\n"), "no rows of data"),
        (csv_file("Area,Count\nNorth,1,2\n"), "Row 2 has more cells"),
        (csv_file("Area,Count\nNorth," + "9" * 400 + "\n"), "Row 2, column Count: longer than"),
        (SimpleUploadedFile("t.xlsx", b"PK\x03\x04 this is no workbook"), "not an Excel workbook"),
        (SimpleUploadedFile("t.docx", b"x"), "Upload a CSV file"),
    ],
)
def test_it_refuses_a_table_naming_the_row_and_column_and_saves_nothing(assessment, file, expected):
    problems = _refusal(lambda: _table(assessment, file))
    assert any(expected in p for p in problems), problems
    assert not NeedEvidence.objects.exists()


def test_it_uploads_a_table_through_the_page_and_shows_it(client, as_user, assessment):
    as_user("lead")
    response = client.post(
        reverse("planning:evidence-add", args=[assessment.pk]),
        {"kind": "table", "title": "Living alone", "source": "Census 2022",
         "file": csv_file(AGE_TABLE)},
    )  # fmt: skip
    evidence = NeedEvidence.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("planning:evidence-detail", args=[evidence.pk])).content.decode()
    assert '<th scope="col">Share living alone</th>' in page
    assert 'id="evidence-spec" type="application/json"' in page
    assert "3 rows" in page


def test_it_shows_the_first_hundred_rows_and_says_how_many(client, as_user, assessment):
    rows = "".join(f"Area {i},{i}\n" for i in range(150))
    evidence = _table(assessment, csv_file("Area,Count\n" + rows))
    as_user("member")
    page = client.get(reverse("planning:evidence-detail", args=[evidence.pk])).content.decode()
    assert "150 rows; the first 100 are shown" in page
    assert "Area 99<" in page and "Area 100<" not in page


def test_it_names_the_upload_problem_on_the_page(client, as_user, assessment):
    as_user("lead")
    response = client.post(
        reverse("planning:evidence-add", args=[assessment.pk]),
        {"kind": "table", "title": "T", "source": "S",
         "file": csv_file("Area,CHI number\nNorth,1\n")},
    )  # fmt: skip
    assert response.status_code == 400
    assert "names an identifier" in response.content.decode()


def test_it_downloads_the_table_safe_for_a_spreadsheet(client, as_user, assessment):
    evidence = _table(assessment, csv_file('Area,Count\n"=HYPERLINK(""http://x"")",3\n'))
    as_user("member")
    response = client.get(reverse("planning:evidence-download", args=[evidence.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    body = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and body.startswith("Area,Count")


def test_it_refuses_the_download_to_an_outsider(client, as_user, assessment):
    evidence = _table(assessment, csv_file(AGE_TABLE))
    as_user("outsider")
    assert client.get(reverse("planning:evidence-download", args=[evidence.pk])).status_code == 404


def test_it_refuses_chart_columns_that_are_not_the_tables(client, as_user, assessment):
    evidence = _table(assessment, csv_file(AGE_TABLE))
    as_user("lead")
    response = client.post(
        reverse("planning:evidence-chart", args=[evidence.pk]),
        {"chart_x": "Age band", "chart_y": "<script>"},
    )
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.chart_y == "People"


# Group breakdowns ------------------------------------------------------------------------


GOOD = (
    "dimension,group,period,value,denominator\n"
    f"{SIMD},1 (most deprived),2025-03,10,1000\n"
    f"{SIMD},5 (least deprived),2025-03,4,1000\n"
)


def test_it_saves_a_group_breakdown_from_a_file(falls, lead):
    saved = services.group_values_upload(by=lead, measure=falls, file=csv_file(GOOD))
    assert saved == 2
    row = GroupObservation.objects.get(group="5 (least deprived)", period="2025-03-01")
    assert (row.value, row.denominator, row.position, row.recorded_by) == (4, 1000, 5, lead)
    assert row.history.get().history_user == lead


def test_it_replaces_a_value_already_recorded(falls, lead):
    services.group_values_upload(by=lead, measure=falls, file=csv_file(GOOD))
    again = GOOD.replace(",4,1000", ",6,1000")
    services.group_values_upload(by=lead, measure=falls, file=csv_file(again))
    row = GroupObservation.objects.get(group="5 (least deprived)", period="2025-03-01")
    assert row.value == 6
    assert [h.value for h in row.history.all()] == [6, 4]  # newest first, each change kept


def test_it_reads_a_breakdown_from_excel(falls, lead):
    file = xlsx_file(
        [["Dimension", "Group", "Period", "Value"], ["Age band", "75+", "2025-03", 7],
         ["Age band", "Under 75", "2025-03", 3.5]]
    )  # fmt: skip
    assert services.group_values_upload(by=lead, measure=falls, file=file) == 2


@pytest.mark.parametrize(
    "text,expected",
    [
        ("dimension,group,value\nA,B,1\n", "Missing: period"),
        (
            "dimension,group,period,value\nA,B,2025-03,lots\n",
            "Row 2, column value: “lots” is not a number",
        ),
        (
            "dimension,group,period,value\nA,B,March,1\n",
            "Row 2, column period: 'March' is not a period",
        ),
        (
            "dimension,group,period,value\nA,B,2025-Q1,1\n",
            "Row 2, column period: '2025-Q1' is a quarter",
        ),
        (
            "dimension,group,period,value\nA,B,1985-01,1\n",
            "Row 2, column period: Jan 1985 is before 1990",
        ),
        ("dimension,group,period,value\nA,B,2999-01,1\n", "has not begun yet"),
        ("dimension,group,period,value\nA,,2025-03,1\n", "Row 2, column group: give the group."),
        ("dimension,group,period,value\nA,B,2025-03,NaN\n", "not a number that can be kept"),
        ("dimension,group,period,value\nA,B,2025-03,-2\n", "Row 2, column value: a count cannot"),
        ("dimension,group,period,value,denominator\nA,B,2025-03,1,-5\n", "must be more than 0"),
        (
            "dimension,group,period,value,denominator\nA,B,2025-03,1,0\n",
            "column denominator: must be more than 0",
        ),
        (
            "dimension,group,period,value\nA,B,2025-03,1\nA,b,2025-03,2\n",
            "Row 3: the same group and period as row 2",
        ),
        ("dimension,group,period,value\nA,Patient 943 476 5919,2025-03,1\n", "Row 2, column group"),
        ("dimension,group,period,value\n" + "A,B,2025-03,1\n" * 5001, "more than 5,000 rows"),
        (
            "dimension,group,period,value\n" + "".join(f"A,G{i},2025-03,1\n" for i in range(21)),
            "21 groups",
        ),
    ],
)
def test_it_refuses_a_bad_breakdown_naming_row_and_column_and_saves_nothing(
    falls, lead, text, expected
):
    problems = _refusal(
        lambda: services.group_values_upload(by=lead, measure=falls, file=csv_file(text))
    )
    assert any(expected in p for p in problems), problems
    assert not GroupObservation.objects.filter(measure=falls).exclude(dimension=SIMD).exists()


def test_it_saves_nothing_when_one_row_of_many_is_wrong(falls, lead):
    before = GroupObservation.objects.count()
    text = GOOD + f"{SIMD},3,2025-03,oops,1000\n"
    problems = _refusal(
        lambda: services.group_values_upload(by=lead, measure=falls, file=csv_file(text))
    )
    assert problems[0].startswith("Nothing was saved. Row 4, column value")
    assert GroupObservation.objects.count() == before


def test_it_refuses_a_count_above_its_denominator_for_a_proportion(org, lead):
    from helpers import make_measure

    measure = make_measure(org["ward"], "screened", chart="p", multiply=100, direction="increase")
    text = "dimension,group,period,value,denominator\nA,B,2025-03,12,10\n"
    problems = _refusal(
        lambda: services.group_values_upload(by=lead, measure=measure, file=csv_file(text))
    )
    assert any("between 0 and its denominator" in p for p in problems)


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_refuses_a_breakdown_from_those_who_are_not_needs_editors(falls, who, request):
    from django.core.exceptions import PermissionDenied

    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.group_values_upload(by=person, measure=falls, file=csv_file(GOOD))


@pytest.mark.parametrize("who,status", [("member", 403), ("partner", 403), ("outsider", 404)])
def test_it_refuses_the_upload_page_to_others(client, as_user, falls, who, status):
    as_user(who)
    for name in ("planning:equity-upload", "planning:equity-add", "planning:equity-remove"):
        response = client.post(reverse(name, args=[falls.pk]), {"file": csv_file(GOOD)})
        assert response.status_code == status


def test_it_uploads_through_the_equity_page_and_names_problems_there(client, as_user, falls):
    as_user("lead")
    url = reverse("planning:equity-upload", args=[falls.pk])
    bad = client.post(url, {"file": csv_file("dimension,group,period,value\nA,B,soon,1\n")})
    assert bad.status_code == 400
    assert "Row 2, column period" in bad.content.decode()
    good = client.post(url, {"file": csv_file(GOOD)})
    assert good.status_code == 302
    assert GroupObservation.objects.filter(period="2025-03-01").count() == 2


def test_it_enters_one_value_in_the_form(client, as_user, falls):
    as_user("lead")
    url = reverse("planning:equity-add", args=[falls.pk])
    response = client.post(
        url, {"dimension": "Sex", "group": "Women", "period": "2025-03", "value": "3"}
    )
    assert response.status_code == 302
    response = client.post(
        url, {"dimension": "Sex", "group": "Men", "period": "tomorrow", "value": "NaN"}
    )
    assert response.status_code == 400
    assert GroupObservation.objects.filter(dimension="Sex").count() == 1


def test_it_removes_a_dimension(client, as_user, falls):
    as_user("lead")
    response = client.post(reverse("planning:equity-remove", args=[falls.pk]), {"dimension": SIMD})
    assert response.status_code == 302
    assert not GroupObservation.objects.filter(measure=falls).exists()
    client.post(reverse("planning:equity-remove", args=[falls.pk]), {"dimension": SIMD})


def test_it_keeps_json_cells_json(assessment):
    evidence = _table(assessment, xlsx_file([["Area", "When"], ["North", 3.5]]))
    json.dumps(evidence.rows)
