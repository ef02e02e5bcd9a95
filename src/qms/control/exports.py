"""Report PDFs made in the background: asked for (`report_export_request`), made by a task
(`report_export_build`, run by `tasks.build_report_export`) that records its progress, and
reused while what went into them is unchanged.

A PDF of a board's report draws a chart per measure of concern (about 0.1 s each) and takes
seconds, "every chart" half a minute: too long for a request. The request now only finds or
queues the export and answers at once; the person watches its progress and downloads it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.db.models import Count, Max
from django.utils import timezone

from qms.control import reports
from qms.control.models import Annotation, ExportKind, ExportStatus, ReportExport
from qms.control.roles import VIEWERS
from qms.people import access

log = logging.getLogger(__name__)

# An export queued or running longer than this was left by a stopped worker: ask again and a
# new one is made (the old one is marked failed).
ABANDONED_AFTER = dt.timedelta(minutes=15)


def report_fingerprint(matrix, kind: str) -> str:
    """What a report PDF is made from: the filters, each measure in scope with the time of its
    stored results, its definition as the report prints it and its open signals, and the
    annotations on its charts. Equal fingerprints make equal PDFs (but for the date printed)."""
    ids = [m.id for m in matrix.measures]
    notes = Annotation.objects.filter(measure_id__in=ids).aggregate(
        count=Count("id"), newest=Max("id"), latest=Max("created_at")
    )
    parts = [
        "v1",
        kind,
        matrix.unit.pk,
        matrix.domain or "",
        matrix.kind or "",
        [
            (m.id, m.computed_at.isoformat() if m.computed_at else None, m.name, m.target,
             m.unit_label, m.open_signals)
            for m in matrix.measures
        ],
        [notes["count"], notes["newest"], str(notes["latest"])],
    ]  # fmt: skip
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def report_export_request(
    *, by, unit, kind: str, domain: str | None = None, measure_kind: str | None = None
) -> ReportExport:
    """The export of this report: a finished one with the same fingerprint (its file still
    there), one already on its way, or a new one queued. `by` must be able to see the unit's
    report."""
    access.authorise(by, unit, VIEWERS, "export the report")
    if kind not in ExportKind.values:
        raise ValueError(f"{kind!r} is not a kind of export: {', '.join(ExportKind.values)}")
    matrix = reports.quality_matrix(by, unit, domain=domain, kind=measure_kind)
    fingerprint = report_fingerprint(matrix, kind)
    with transaction.atomic():
        for export in (
            ReportExport.objects.select_for_update()
            .filter(unit=unit, fingerprint=fingerprint)
            .exclude(status=ExportStatus.FAILED)
        ):
            if export.status == ExportStatus.DONE and export.file and _file_exists(export):
                return export
            if export.status != ExportStatus.DONE and not _abandoned(export):
                return export
            if export.status != ExportStatus.DONE:
                _fail(export, "The export was interrupted; a new one was started.")
        export = ReportExport.objects.create(
            unit=unit,
            requested_by=by,
            kind=kind,
            domain=domain or "",
            measure_kind=measure_kind or "",
            fingerprint=fingerprint,
            stage="Waiting for the export worker",
        )
        transaction.on_commit(lambda: _start(export.pk))
    return export


def report_export_build(export_id: int) -> ReportExport:
    """Make the PDF of an export, recording progress as it goes; on failure the export is
    marked failed with the reason (and the error logged), never left running."""
    from qms.control.views_report import _filename, _unicode_font, render_pdf

    export = ReportExport.objects.select_related("unit", "requested_by").get(pk=export_id)
    if export.status == ExportStatus.DONE:
        return export
    _update(export, status=ExportStatus.RUNNING, started_at=timezone.now(), progress=1,
            stage="Reading the stored results")  # fmt: skip
    try:
        matrix = reports.quality_matrix(
            export.requested_by,
            export.unit,
            domain=export.domain or None,
            kind=export.measure_kind or None,
        )
        last = [0.0]

        def progress(done: int, total: int) -> None:
            # One write a second at most: a hundred charts need not be a hundred writes.
            now = timezone.now().timestamp()
            if done < total and now - last[0] < 1:
                return
            last[0] = now
            share = 5 + int(90 * done / total) if total else 95
            _update(export, progress=min(95, share), stage=f"Drawing chart {done} of {total}")

        content = render_pdf(
            matrix,
            every_chart=export.kind == ExportKind.ALL,
            font=_unicode_font(),
            progress=progress,
        )
        filename = _filename(matrix, "pdf")
        export.file.save(f"report-{export.pk}.pdf", ContentFile(content), save=False)
        _update(export, status=ExportStatus.DONE, progress=100, stage="Ready",
                filename=filename, file=export.file.name, finished_at=timezone.now())  # fmt: skip
    except Exception as error:
        log.exception("Report export %s failed", export.pk)
        _fail(export, f"The PDF could not be made ({type(error).__name__}). Try again.")
        return export
    _remove_superseded(export)
    return export


def _start(export_id: int) -> None:
    """Hand the export to the task backend. The immediate backend (the demo, a single
    machine without workers) would make the PDF inside the request that asked for it, so
    there a thread makes it instead and the request answers at once."""
    from django_tasks.backends.immediate import ImmediateBackend

    from qms.control.tasks import build_report_export

    in_thread = getattr(settings, "QMS_EXPORTS_IN_THREAD", True)
    if not in_thread or not isinstance(build_report_export.get_backend(), ImmediateBackend):
        build_report_export.enqueue(export_id)
        return

    def run() -> None:
        try:
            report_export_build(export_id)
        finally:
            connections.close_all()  # this thread's connections only

    threading.Thread(target=run, name=f"report-export-{export_id}", daemon=True).start()


def _update(export: ReportExport, **fields) -> None:
    for name, value in fields.items():
        setattr(export, name, value)
    ReportExport.objects.filter(pk=export.pk).update(**fields)


def _fail(export: ReportExport, reason: str) -> None:
    _update(export, status=ExportStatus.FAILED, error=reason[:500], stage="Failed",
            finished_at=timezone.now())  # fmt: skip


def _abandoned(export: ReportExport) -> bool:
    started = export.started_at or export.created_at
    return timezone.now() - started > ABANDONED_AFTER


def _file_exists(export: ReportExport) -> bool:
    try:
        return export.file.storage.exists(export.file.name)
    except OSError:
        return False


def _remove_superseded(export: ReportExport) -> None:
    """Older finished exports of the same report (unit, kind, filters) will never be reused:
    their files go, and their pages say to ask again."""
    older = ReportExport.objects.filter(
        unit=export.unit,
        kind=export.kind,
        domain=export.domain,
        measure_kind=export.measure_kind,
        status=ExportStatus.DONE,
        created_at__lt=export.created_at,
    ).exclude(fingerprint=export.fingerprint)
    for old in older:
        if old.file:
            old.file.delete(save=False)
        _fail(old, "The results have changed since this PDF was made: ask for it again.")
        ReportExport.objects.filter(pk=old.pk).update(file="")
