"""Report PDFs made in the background (control.exports): the request answers at once with a
progress page, the PDF is downloaded when ready by those who may see the unit's report, and it
is reused until the results change.

Users are those of tests/conftest.py: lead, member and partner in the ward, quality_lead in the
division above it, outsider in another board; "anonymous" is not logged in.
"""

import datetime as dt
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from helpers import ANONYMOUS, record

from qms.control import exports, services, tasks, views_report
from qms.control.models import ExportStatus, ReportExport

STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]


def report_url(unit, query="format=pdf"):
    return f"/control/units/{unit.pk}/report/?{query}"


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Ask for a report's PDF as the logged-in client; the task runs at the commit (the
    immediate backend of the tests). Returns the export."""

    def ask(unit, query="format=pdf") -> ReportExport:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(report_url(unit, query))
        assert response.status_code == 302, response.status_code
        export_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
        assert response["Location"] == f"/control/exports/{export_id}/"
        return ReportExport.objects.get(pk=export_id)

    return ask


@pytest.fixture
def concern(measure):
    record(measure, [*STABLE, 25])  # the last point far above the upper limit: concern
    return measure


def test_it_makes_the_pdf_in_the_background_and_links_it_when_ready(
    client, org, lead, concern, ask
):
    client.force_login(lead)
    export = ask(org["ward"])

    assert export.status == ExportStatus.DONE and export.progress == 100
    assert export.requested_by == lead and export.unit == org["ward"]
    page = client.get(f"/control/exports/{export.pk}/").content.decode()
    assert "Ready" in page and f"/control/exports/{export.pk}/download/" in page
    download = client.get(f"/control/exports/{export.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        f'attachment; filename="quality-report-ward-{timezone.localdate().isoformat()}.pdf"'
    )
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF") and b"/Subtype /Image" in content  # the chart
    assert download["Cache-Control"] == "no-store"  # shared ward computers keep no copy


def test_it_answers_the_request_before_the_pdf_is_made(client, org, lead, concern, monkeypatch):
    queued = []
    task = tasks.build_report_export

    class Backend:  # a task backend with workers: enqueueing only records the export
        enqueue = staticmethod(queued.append)

    monkeypatch.setattr(tasks, "build_report_export", Backend)
    client.force_login(lead)

    response = client.get(report_url(org["ward"]))  # the commit never comes in this test
    export = ReportExport.objects.get()
    exports._start(export.pk)  # what the commit does: hand it to the task backend

    assert response.status_code == 302 and queued == [export.pk]
    assert export.status == ExportStatus.QUEUED
    page = client.get(f"/control/exports/{export.pk}/").content.decode()
    assert "Waiting to start" in page and '<progress id="export-progress"' in page
    assert f'href="/control/exports/{export.pk}/"' in page  # refresh without JavaScript
    assert "qms/export.js" in page  # with it, the page follows the status
    status = client.get(f"/control/exports/{export.pk}/status/").json()
    assert status == {
        "status": "queued", "status_text": "Waiting to start", "progress": 0,
        "stage": "Waiting for the export worker", "error": "", "download_url": None,
    }  # fmt: skip
    assert client.get(f"/control/exports/{export.pk}/download/").status_code == 404

    task.call(export.pk)  # the worker makes it

    status = client.get(f"/control/exports/{export.pk}/status/").json()
    assert status["status"] == "done" and status["progress"] == 100
    assert status["download_url"] == f"/control/exports/{export.pk}/download/"


def test_it_makes_the_pdf_in_a_thread_where_there_is_no_worker(
    org, lead, concern, settings, monkeypatch
):
    """The immediate backend (the demo) would make the PDF inside the request: a thread of
    the web process makes it instead, and the request answers at once."""
    settings.QMS_EXPORTS_IN_THREAD = True
    started = []

    class Thread:
        def __init__(self, target, name, daemon):
            self.target, self.name, self.daemon = target, name, daemon

        def start(self):
            started.append(self)

    monkeypatch.setattr(exports.threading, "Thread", Thread)
    closed = []  # the thread closes its own database connections when done

    class Connections:
        @staticmethod
        def close_all():
            closed.append(1)

    monkeypatch.setattr(exports, "connections", Connections)
    export = ReportExport.objects.create(
        unit=org["ward"], requested_by=lead, kind="attention", fingerprint="x"
    )
    exports._start(export.pk)

    (thread,) = started
    assert thread.daemon and thread.name == f"report-export-{export.pk}"
    export.refresh_from_db()
    assert export.status == ExportStatus.QUEUED  # nothing made in the request
    thread.target()  # what the thread does
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and len(closed) == 1


def test_it_records_progress_chart_by_chart(org, lead, measure, monkeypatch):
    for k in range(3):
        other = services.measure_create(
            by=None, unit=org["ward"], name=f"Waits {k}", code=f"waits-{k}", kind="process",
            domain="timely", operational_definition="Minutes.", frequency="month", chart="i",
            direction="decrease", unit_label=" min",
        )  # fmt: skip
        record(other, STABLE)
    export = ReportExport.objects.create(
        unit=org["ward"], requested_by=lead, kind="all", fingerprint="x"
    )
    seen = []
    real_update = exports._update

    def update(export, **fields):
        if "stage" in fields:
            seen.append((fields.get("progress"), fields["stage"]))
        real_update(export, **fields)

    monkeypatch.setattr(exports, "_update", update)
    exports.report_export_build(export.pk)

    assert seen[0] == (1, "Reading the stored results")
    assert (5, "Drawing chart 0 of 4") in seen  # the fixture's measure has no data yet
    assert (95, "Drawing chart 4 of 4") in seen
    assert seen[-1] == (100, "Ready")
    assert [p for p, _ in seen] == sorted(p for p, _ in seen)  # it only goes forward


def test_it_reuses_the_pdf_until_the_results_change(client, org, lead, member, concern, ask):
    client.force_login(lead)
    first = ask(org["ward"])
    client.force_login(member)  # someone else asking for the same report gets the same file
    assert ask(org["ward"]) == first
    assert ReportExport.objects.count() == 1

    record(concern, [7], start=dt.date(2025, 10, 1))  # new data: results refreshed
    second = ask(org["ward"])

    assert second != first and second.status == ExportStatus.DONE
    first.refresh_from_db()
    assert first.status == ExportStatus.FAILED and not first.file  # its file is gone
    assert "ask for it again" in client.get(f"/control/exports/{first.pk}/").content.decode()
    assert client.get(f"/control/exports/{first.pk}/download/").status_code == 404


def test_it_makes_a_new_pdf_for_other_filters_a_new_note_or_every_chart(
    client, org, lead, concern, ask
):
    client.force_login(lead)
    first = ask(org["ward"])
    assert ask(org["ward"], "format=pdf&charts=all") != first
    assert ask(org["ward"], "format=pdf&domain=timely") != first
    services.annotation_add(by=lead, measure=concern, period=dt.date(2024, 3, 1), text="Rota")
    assert ask(org["ward"]) != first


def test_it_marks_a_failed_pdf_and_offers_to_try_again(
    client, org, lead, concern, ask, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(views_report, "render_pdf", broken)
    client.force_login(lead)
    export = ask(org["ward"])

    assert export.status == ExportStatus.FAILED
    assert export.error == "The PDF could not be made (RuntimeError). Try again."
    page = client.get(f"/control/exports/{export.pk}/").content.decode()
    assert "Try again" in page and "format=pdf" in page
    assert client.get(f"/control/exports/{export.pk}/download/").status_code == 404
    monkeypatch.undo()
    assert ask(org["ward"]).status == ExportStatus.DONE  # asking again makes a new one


def test_it_starts_again_when_a_worker_left_an_export_running(client, org, lead, concern, ask):
    client.force_login(lead)
    stuck = ask(org["ward"])
    ReportExport.objects.filter(pk=stuck.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now() - dt.timedelta(hours=1)
    )
    fresh = ask(org["ward"])
    assert fresh != stuck and fresh.status == ExportStatus.DONE
    stuck.refresh_from_db()
    assert stuck.status == ExportStatus.FAILED and "interrupted" in stuck.error


def test_it_refuses_an_unknown_kind_of_export(org, lead):
    with pytest.raises(ValueError, match="not a kind of export"):
        exports.report_export_request(by=lead, unit=org["ward"], kind="everything")


def test_it_refuses_the_export_service_to_those_who_may_not_see_the_report(org, partner):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        exports.report_export_request(by=partner, unit=org["ward"], kind="attention")
    assert not ReportExport.objects.exists()


# Who may see an export ------------------------------------------------------------------------

ENDPOINTS = ["", "status/", "download/"]


@pytest.fixture
def ward_export(org, lead):
    """A finished export of the ward's report (its file a stand-in: who may see it is the
    point here, the PDF is tested above)."""
    export = ReportExport.objects.create(
        unit=org["ward"], requested_by=lead, kind="attention", fingerprint="f",
        status=ExportStatus.DONE, progress=100, filename="ward.pdf",
    )  # fmt: skip
    export.file.save("report.pdf", ContentFile(b"%PDF-1.4 stand-in"))
    return export


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("member", 200),
        ("quality_lead", 200),  # the division above the ward: roles reach down
        ("admin", 200),
        ("partner", 403),  # partners see no report of the team's measures
        ("outsider", 404),  # another board: not even that the export exists
        (ANONYMOUS, 302),
    ],
)
def test_it_lets_only_those_who_see_the_report_see_its_export(
    client, as_user, ward_export, endpoint, who, status
):
    url = f"/control/exports/{ward_export.pk}/{endpoint}"
    as_user(who)
    response = client.get(url)
    assert response.status_code == status
    if who == ANONYMOUS:
        assert response["Location"] == f"/accounts/login/?next={quote(url, safe='/')}"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_hides_another_units_export(client, org, lead, quality_lead, endpoint, ask):
    record_other = services.measure_create(
        by=None, unit=org["other_ward"], name="Falls", code="other-falls", kind="outcome",
        domain="safe", operational_definition="Falls.", frequency="month", chart="c",
        direction="decrease", unit_label=" falls",
    )  # fmt: skip
    record(record_other, [*STABLE, 25])
    client.force_login(quality_lead)
    other = ask(org["other_ward"])
    assert client.get(f"/control/exports/{other.pk}/{endpoint}").status_code == 200
    client.force_login(lead)  # the ward next door: it cannot see that ward
    assert client.get(f"/control/exports/{other.pk}/{endpoint}").status_code == 404
    assert client.get(f"/control/exports/999999/{endpoint}").status_code == 404
