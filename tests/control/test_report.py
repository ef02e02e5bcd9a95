"""The integrated quality report (Making Data Count summary matrix, CSV, Excel and PDF) and the
huddle board: what they show, to whom, and that they read stored results in a fixed number of
queries however many measures there are.

Users are those of tests/conftest.py: lead, member and partner in the ward, quality_lead in the
division above it, outsider in another board; "anonymous" is not logged in.
"""

import csv
import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.text import slugify
from helpers import ANONYMOUS, record

from qms.control import reports, services, views_report
from qms.control.models import (
    MeasureResult,
    Signal,
    SignalKind,
    SignalStatus,
)
from qms.control.views_report import render_pdf
from qms.escalation.models import Escalation, EscalationStatus

VARIATIONS = [
    "improvement_high", "improvement_low", "common_cause", "concern_high", "concern_low",
    "neutral_high", "neutral_low", "none",
]  # fmt: skip
ASSURANCES = ["pass", "hit_or_miss", "fail", "none"]
ROW_OF = {
    "improvement_high": "improvement",
    "improvement_low": "improvement",
    "common_cause": "common_cause",
    "concern_high": "concern",
    "concern_low": "concern",
    "neutral_high": "neutral",
    "neutral_low": "neutral",
    "none": "none",
}
STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]


def make_measure(unit, name, *, kind="process", domain="safe", target=None, **fields):
    return services.measure_create(
        by=None,
        unit=unit,
        name=name,
        code=slugify(f"{unit.code}-{name}")[:80],
        kind=kind,
        domain=domain,
        operational_definition="Counted on the ward.",
        frequency=fields.pop("frequency", "month"),
        chart=fields.pop("chart", "i"),
        direction=fields.pop("direction", "increase"),
        unit_label=fields.pop("unit_label", "%"),
        target=target,
        **fields,
    )


def store(measure, variation="common_cause", assurance="hit_or_miss", value=50.0):
    """A stored result with the given icons, as the SPC refresh would leave it."""
    MeasureResult.objects.update_or_create(
        measure=measure,
        defaults={
            "computed_at": timezone.now(),
            "last_period": dt.date(2025, 6, 1),
            "last_value": value,
            "variation_icon": variation,
            "assurance_icon": assurance,
            "points": [],
        },
    )
    return measure


def open_signal(
    measure, *, status=SignalStatus.OPEN, kind=SignalKind.CONCERN, raised=None, since=None
):
    signal = Signal.objects.create(
        measure=measure,
        kind=kind,
        first_period=since or dt.date(2025, 5, 1),
        last_period=dt.date(2025, 6, 1),
        explanation="Jun 2025 is above the upper control limit: special cause concern",
        status=status,
    )
    if raised:
        Signal.objects.filter(pk=signal.pk).update(raised_at=raised)
        signal.refresh_from_db()
    return signal


def report_url(unit, query=""):
    return f"/control/units/{unit.pk}/report/" + (f"?{query}" if query else "")


def huddle_url(unit):
    return f"/control/units/{unit.pk}/huddle/"


# The matrix ----------------------------------------------------------------------------------


def test_it_places_every_measure_in_the_cell_of_its_icons(org, lead):
    placed = {}
    for variation in VARIATIONS:
        for assurance in ASSURANCES:
            measure = make_measure(org["ward"], f"{variation} {assurance}")
            placed[measure.pk] = (ROW_OF[variation], assurance)
            store(measure, variation, assurance)

    matrix = reports.quality_matrix(lead, org["ward"])

    assert matrix.count == len(VARIATIONS) * len(ASSURANCES)
    assert [row.heading.key for row in matrix.rows] == [
        "improvement", "common_cause", "concern", "neutral", "none",
    ]  # fmt: skip
    assert [column.key for column in matrix.columns] == ASSURANCES
    for row in matrix.rows:
        for cell in row.cells:
            for measure in cell.measures:
                assert placed[measure.id] == (row.heading.key, cell.column.key)
    # High and low share a row: two per cell there, one in common cause and none.
    assert matrix.cell("concern", "fail").count == 2
    assert matrix.cell("common_cause", "pass").count == 1
    assert [row.count for row in matrix.rows] == [8, 4, 8, 8, 4]
    assert matrix.column_counts == [8, 8, 8, 8]


def test_it_treats_a_measure_without_results_as_having_no_icons(org, lead):
    make_measure(org["ward"], "New measure")
    matrix = reports.quality_matrix(lead, org["ward"])
    [measure] = matrix.cell("none", "none").measures
    assert measure.value_text == "–"
    assert measure.period_text == "No data"


def test_it_leaves_out_inactive_measures(org, lead):
    store(make_measure(org["ward"], "Retired", is_active=False))
    store(make_measure(org["ward"], "Current"))
    assert [m.name for m in reports.quality_matrix(lead, org["ward"]).measures] == ["Current"]


def test_it_filters_by_domain_and_kind(org, lead):
    store(make_measure(org["ward"], "Falls", domain="safe", kind="outcome"))
    store(make_measure(org["ward"], "Checks", domain="safe", kind="process"))
    store(make_measure(org["ward"], "Waits", domain="timely", kind="process"))

    def names(**filters):
        return sorted(m.name for m in reports.quality_matrix(lead, org["ward"], **filters).measures)

    assert names(domain="safe") == ["Checks", "Falls"]
    assert names(kind="process") == ["Checks", "Waits"]
    assert names(domain="safe", kind="process") == ["Checks"]
    assert names(domain="equitable") == []
    with pytest.raises(ValueError, match="not a quality domain"):
        reports.quality_matrix(lead, org["ward"], domain="cheap")


def test_it_counts_open_signals_but_not_closed_ones(org, lead):
    measure = store(make_measure(org["ward"], "Falls"), "concern_high", "fail")
    open_signal(measure)
    open_signal(measure, status=SignalStatus.ESCALATED)
    open_signal(measure, status=SignalStatus.CLOSED)
    matrix = reports.quality_matrix(lead, org["ward"])
    assert matrix.cell("concern", "fail").measures[0].open_signals == 2
    assert matrix.open_signals == 2
    assert [m.name for m in matrix.attention] == ["Falls"]


def test_it_shows_a_division_its_wards_measures_and_a_ward_not_its_siblings(
    client, org, lead, quality_lead
):
    store(make_measure(org["ward"], "Ward 7 falls"))
    store(make_measure(org["other_ward"], "Ward 8 falls"))
    store(make_measure(org["other_service"], "Surgery waits"))

    division = reports.quality_matrix(quality_lead, org["division"])
    assert sorted(m.name for m in division.measures) == [
        "Surgery waits", "Ward 7 falls", "Ward 8 falls",
    ]  # fmt: skip
    assert [m.name for m in reports.quality_matrix(lead, org["ward"]).measures] == ["Ward 7 falls"]

    client.force_login(quality_lead)
    page = client.get(report_url(org["division"])).content.decode()
    assert "Ward 8 falls" in page and "Ward 7 falls" in page and "Surgery waits" in page
    client.force_login(lead)
    page = client.get(report_url(org["ward"])).content.decode()
    assert "Ward 7 falls" in page and "Ward 8 falls" not in page
    assert client.get(report_url(org["other_ward"])).status_code == 404
    assert client.get(report_url(org["division"])).status_code == 404


def test_it_formats_numbers_to_about_three_significant_figures():
    assert reports.format_number(6.0) == "6"
    assert reports.format_number(5.23456) == "5.23"
    assert reports.format_number(87.456) == "87.5"
    assert reports.format_number(1234.4) == "1,234"
    assert reports.format_number(0.012345) == "0.0123"
    assert reports.format_number(-0.0) == "0"
    assert reports.format_number(None) == "–"
    assert reports.with_unit(92.34, "%") == "92.3%"
    assert reports.with_unit(5.2, " per 1,000 bed days") == "5.2 per 1,000 bed days"
    assert reports.with_unit(4.5, "days") == "4.5 days"


# The report page -----------------------------------------------------------------------------


def test_it_shows_the_matrix_as_an_accessible_table_with_drill_down_links(client, org, lead):
    falls = store(make_measure(org["ward"], "Falls", target=5.0), "concern_high", "fail", 7.25)
    checks = store(make_measure(org["ward"], "Checks"), "common_cause", "hit_or_miss")
    open_signal(falls)
    client.force_login(lead)

    response = client.get(report_url(org["ward"]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<caption" in page and 'scope="col"' in page and 'scope="row"' in page
    assert f'href="/control/measures/{falls.pk}/"' in page
    assert f'href="/control/measures/{checks.pk}/"' in page
    assert "7.25%" in page and "Jun 2025" in page and "1 open signal" in page
    # Icons in words, not colour alone, and the words explained.
    assert "Special cause concern" in page and "Hit or miss" in page
    assert "What the icons mean" in page
    assert "format=csv" in page and "format=xlsx" in page and "format=pdf" in page


def test_it_keeps_filters_in_the_export_links(client, org, lead):
    store(make_measure(org["ward"], "Falls", domain="safe"))
    store(make_measure(org["ward"], "Waits", domain="timely"))
    client.force_login(lead)
    page = client.get(report_url(org["ward"], "domain=timely")).content.decode()
    assert "Waits" in page and "Falls" not in page
    assert "?domain=timely&amp;format=csv" in page


def test_it_names_the_field_of_a_bad_filter_and_saves_the_page_from_errors(client, org, lead):
    store(make_measure(org["ward"], "Falls"))
    client.force_login(lead)
    response = client.get(report_url(org["ward"], "domain=cheap&kind=best&format=docx"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Quality domain:" in page and "Kind of measure:" in page and "Format:" in page
    assert "Select a valid choice" in page
    assert "Falls" in page  # the unfiltered matrix still shows


# Exports ---------------------------------------------------------------------------------------


def test_it_exports_one_csv_row_per_measure(client, org, lead):
    store(make_measure(org["ward"], "Falls", target=5.0, kind="outcome"), "concern_low", "pass", 4)
    store(make_measure(org["ward"], "=HYPERLINK(1)"), "none", "none", None)
    open_signal(MeasureResult.objects.get(measure__name="Falls").measure)
    client.force_login(lead)

    response = client.get(report_url(org["ward"], "format=csv"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, *data = rows
    assert header[:5] == ["Unit", "Measure", "Code", "Kind", "Domain"]
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in data}
    assert set(by_name) == {"Falls", "'=HYPERLINK(1)"}  # no formula runs in a spreadsheet
    falls = by_name["Falls"]
    assert falls["Unit"] == "Ward 7"
    assert falls["Kind"] == "Outcome" and falls["Domain"] == "Safe"
    assert falls["Last period"] == "Jun 2025" and falls["Period start"] == "2025-06-01"
    assert falls["Last value"] == "4.0" and falls["Target"] == "5.0"
    assert falls["Variation"] == "Concern (low)" and falls["Assurance"] == "Pass"
    assert falls["Open signals"] == "1"
    assert falls["Link"].endswith(f"/control/measures/{MeasureResult.objects.first().measure_id}/")


def test_it_exports_an_excel_workbook_that_opens(client, org, lead):
    from openpyxl import load_workbook

    store(make_measure(org["ward"], "Falls", domain="safe"), "improvement_high", "pass", 3.5)
    store(make_measure(org["ward"], "Waits", domain="timely"))
    store(make_measure(org["ward"], "Bell\x07 rung", domain="safe"))  # not allowed in XML
    client.force_login(lead)

    response = client.get(report_url(org["ward"], "format=xlsx&domain=safe"))

    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook["Measures"].iter_rows(values_only=True))
    assert rows[0][:2] == ("Unit", "Measure")
    assert len(rows) == 3  # the filter applies: Waits is left out
    assert rows[1][1] == "Bell rung"
    falls = dict(zip(rows[0], rows[2], strict=True))
    assert falls["Measure"] == "Falls" and falls["Last value"] == 3.5
    assert falls["Period start"].date() == dt.date(2025, 6, 1)
    assert falls["Variation"] == "Improvement (high)"
    summary = list(workbook["Summary"].iter_rows(values_only=True))
    assert ("Special cause improvement", 1, 0, 0, 0, 1) in summary
    assert ("Total", 1, 1, 0, 0, 2) in summary


def _pdf(client, url, capture) -> bytes:
    """The PDF of a report, made in the background (control.exports) and downloaded."""
    with capture(execute=True):
        response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/control/exports/")
    download = client.get(response["Location"] + "download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    return b"".join(download.streaming_content)


def test_it_exports_a_pdf_with_the_charts_of_concern(
    client, org, lead, measure, django_capture_on_commit_callbacks
):
    record(measure, [*STABLE, 25])  # the last point is far above the upper limit: concern
    client.force_login(lead)

    content = _pdf(
        client, report_url(org["ward"], "format=pdf"), django_capture_on_commit_callbacks
    )

    assert content.startswith(b"%PDF")
    assert b"/Subtype /Image" in content  # the chart is in it


def test_it_can_put_every_chart_in_the_pdf(
    client, org, lead, measure, django_capture_on_commit_callbacks
):
    record(measure, STABLE)  # common cause: no chart unless every chart is asked for
    client.force_login(lead)
    capture = django_capture_on_commit_callbacks
    few = _pdf(client, report_url(org["ward"], "format=pdf"), capture)
    every = _pdf(client, report_url(org["ward"], "format=pdf&charts=all"), capture)
    assert b"/Subtype /Image" not in few
    assert every.startswith(b"%PDF") and b"/Subtype /Image" in every


def test_it_writes_a_pdf_without_a_unicode_font(org, lead):
    measure = store(make_measure(org["ward"], "Doses ≥ 2 – “on time” ✓"), "concern_high", "fail")
    store(make_measure(org["ward"], "Bell\x07 rung"), "concern_low", "pass")
    open_signal(measure)
    matrix = reports.quality_matrix(lead, org["ward"])
    assert render_pdf(matrix, font=None).startswith(b"%PDF")
    assert render_pdf(matrix, font=views_report._unicode_font()).startswith(b"%PDF")


def test_it_rebuilds_a_chart_from_the_stored_points(measure):
    from qms.stats.vega import chart_spec

    record(measure, [*STABLE, 25])
    result = MeasureResult.objects.get(measure=measure)
    series = reports.series_from_points("Falls", result.points, "concern_high", "fail")
    assert len(series) == 21
    assert series.point_type[-1] == "special_cause_concern"
    spec = chart_spec(series, target=5.0)
    assert spec["data"]["values"][-1]["point_type"] == "special_cause_concern"


# The huddle board ----------------------------------------------------------------------------


def test_it_shows_the_team_its_measures_signals_escalations_and_actions_due(
    client, org, lead, quality_lead
):
    falls = store(make_measure(org["ward"], "Falls", target=5.0), "concern_high", "fail", 7.5)
    store(make_measure(org["ward"], "Hand hygiene"), "improvement_high", "pass", 98.2)
    store(make_measure(org["other_ward"], "Ward 8 pressure ulcers"))
    now = timezone.now()
    # A signal's age runs from the first period of its run, not from when it was raised.
    older = open_signal(falls, raised=now - dt.timedelta(days=9), since=dt.date(2025, 4, 1))
    escalated = open_signal(falls, status=SignalStatus.ESCALATED, raised=now - dt.timedelta(days=3))
    escalation = Escalation.objects.create(
        subject=escalated,
        from_unit=org["ward"],
        to_unit=org["service"],
        reason="Staffing is set by the service",
    )
    Escalation.objects.filter(pk=escalation.pk).update(created_at=now - dt.timedelta(days=8))
    open_signal(falls, status=SignalStatus.CLOSED)
    client.force_login(lead)

    response = client.get(huddle_url(org["ward"]))

    assert response.status_code == 200
    page = response.content.decode()
    # It refreshes itself by a script with a pause button, never by <meta refresh>.
    assert 'http-equiv="refresh"' not in page
    assert 'data-refresh-seconds="300"' in page and "Pause refreshing" in page
    assert "Falls" in page and "Hand hygiene" in page and "Ward 8 pressure ulcers" not in page
    assert "7.5%" in page and "98.2%" in page
    assert "Concern (high)" in page and "Improvement (high)" in page and "Fail" in page
    assert "Needs attention" in page
    assert "Staffing is set by the service" in page and "Awaiting a response" in page
    board = reports.huddle_board(lead, org["ward"])
    assert [s.pk for s in board.signals] == [older.pk, escalated.pk]  # oldest run first
    # The ward waits on the service's answer: only the unacknowledged signal is its action.
    assert [(a.what, a.url, a.since) for a in board.actions] == [
        (
            "Acknowledge the signal",
            f"/control/measures/{falls.pk}/#signal-{older.pk}",
            dt.date(2025, 4, 1),
        )
    ]
    assert '<time datetime="2025-04-01">1 Apr 2025</time>' in page
    # The service sees the escalation to it among its actions, oldest first.
    service_board = reports.huddle_board(quality_lead, org["service"])
    assert [a.what for a in service_board.actions] == [
        "Acknowledge the signal",  # waiting since April 2025
        "Respond to the escalation from Ward 7",  # since 8 days ago
    ]


def test_it_keeps_resolved_escalations_and_closed_signals_off_the_board(org, lead):
    falls = store(make_measure(org["ward"], "Falls"), "concern_high", "fail")
    signal = open_signal(falls, status=SignalStatus.CLOSED)
    Escalation.objects.create(
        subject=signal, from_unit=org["ward"], to_unit=org["service"], reason="Beds"
    )
    other = open_signal(falls, status=SignalStatus.ACKNOWLEDGED)
    Escalation.objects.create(
        subject=other,
        from_unit=org["ward"],
        to_unit=org["service"],
        reason="Beds",
        status=EscalationStatus.RESOLVED,
    )
    board = reports.huddle_board(lead, org["ward"])
    assert [s.pk for s in board.signals] == [other.pk]
    assert board.escalations == []
    assert board.actions == []  # acknowledged already


def test_it_says_so_when_nothing_is_due(client, org, lead):
    client.force_login(lead)
    page = client.get(huddle_url(org["ward"])).content.decode()
    assert "Nothing is waiting" in page and "no active measures" in page


# Who may see what ----------------------------------------------------------------------------

PAGES = [
    ("report", lambda org: report_url(org["ward"])),
    ("csv", lambda org: report_url(org["ward"], "format=csv")),
    ("xlsx", lambda org: report_url(org["ward"], "format=xlsx")),
    ("pdf", lambda org: report_url(org["ward"], "format=pdf")),
    ("huddle", lambda org: huddle_url(org["ward"])),
]


@pytest.mark.parametrize("page", [name for name, _ in PAGES])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("member", 200),
        ("quality_lead", 200),
        ("admin", 200),
        ("partner", 403),  # partners are not staff: no report of the team's measures
        ("outsider", 404),  # another board: the unit is not disclosed
        (ANONYMOUS, 302),
    ],
)
def test_it_lets_only_staff_of_the_unit_see_the_report_and_board(
    client, org, as_user, page, who, status
):
    store(make_measure(org["ward"], "Falls"), "concern_high", "fail")
    url = dict(PAGES)[page](org)
    as_user(who)
    response = client.get(url)
    if page == "pdf" and status == 200:  # made in the background: its progress page
        assert response.status_code == 302
        assert response["Location"].startswith("/control/exports/")
        return
    assert response.status_code == status
    if who == ANONYMOUS:
        assert response["Location"] == f"/accounts/login/?next={quote(url, safe='/')}"


def test_it_answers_404_for_a_unit_that_does_not_exist(client, org, lead):
    client.force_login(lead)
    assert client.get("/control/units/999999/report/").status_code == 404
    assert client.get("/control/units/999999/huddle/").status_code == 404


# Speed: a fixed number of queries ---------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _add_measures(org, count, start=0):
    for k in range(start, start + count):
        unit = org["ward"] if k % 2 else org["other_ward"]
        measure = store(make_measure(unit, f"Measure {k}"), VARIATIONS[k % 8], ASSURANCES[k % 4])
        if k % 3 == 0:
            open_signal(measure)


def test_it_reads_the_report_in_the_same_few_queries_for_any_number_of_measures(
    client, org, quality_lead, django_assert_max_num_queries
):
    client.force_login(quality_lead)
    _add_measures(org, 3)
    few = _queries(client, report_url(org["division"]))
    csv_few = _queries(client, report_url(org["division"], "format=csv"))
    _add_measures(org, 40, start=3)
    assert _queries(client, report_url(org["division"])) == few
    assert _queries(client, report_url(org["division"], "format=csv")) == csv_few
    # The page's own reads are 4 (unit, breadcrumbs, measures, signal counts); the rest are
    # the session, the user, memberships and the layout's navigation; the capability summary
    # (outside the cache: people's skills change without the measures) adds its own 5, and
    # partners' ladder of participation (outside it too) its own 2.
    with django_assert_max_num_queries(19):
        client.get(report_url(org["division"]))


def test_it_reads_the_huddle_board_in_the_same_few_queries_for_any_number_of_measures(
    client, org, quality_lead, django_assert_max_num_queries
):
    client.force_login(quality_lead)
    _add_measures(org, 3)
    client.get(huddle_url(org["ward"]))  # the first view fills caches (content types)
    few = _queries(client, huddle_url(org["ward"]))
    few_summary = _queries(client, huddle_url(org["service"]))
    _add_measures(org, 40, start=3)
    assert _queries(client, huddle_url(org["ward"])) == few
    assert _queries(client, huddle_url(org["service"])) == few_summary
    # The team board's own reads are 6 (unit, breadcrumbs, sub-units, measures, signals,
    # escalations); the summary above adds the matrix (2) and the units below (1); the
    # learning system's "What people say" panel on the team board adds its own 4, and the
    # recognition panel its own 2 (the latest shown, the count this month).
    with django_assert_max_num_queries(18):
        client.get(huddle_url(org["ward"]))
    with django_assert_max_num_queries(15):
        client.get(huddle_url(org["service"]))


def test_it_lists_only_the_measures_needing_attention_in_a_big_pdf(org, lead, monkeypatch):
    monkeypatch.setattr(views_report, "MAX_PDF_TABLE_ROWS", 1)
    store(make_measure(org["ward"], "Falls"), "concern_high", "fail")
    store(make_measure(org["ward"], "Checks"))
    matrix = reports.quality_matrix(lead, org["ward"])
    assert render_pdf(matrix, font=None).startswith(b"%PDF")
