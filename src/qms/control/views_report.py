"""The integrated quality report of a unit (the Making Data Count summary matrix, with CSV,
Excel and PDF exports) and a team's huddle board. Both read stored results: see reports.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import string
import struct
from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from qms.control import exports, icons, reports
from qms.control.models import Domain, ExportKind, ExportStatus, MeasureKind, ReportExport
from qms.control.roles import VIEWERS
from qms.people import access
from qms.people.models import Unit
from qms.people.selectors import visible_ancestors
from qms.text.spreadsheet import spreadsheet_safe

HUDDLE_REFRESH_SECONDS = 300
# Drawing a chart takes about 0.1 s; "every chart" stops here so an export stays a request.
MAX_PDF_CHARTS = 100
# A table row takes fpdf2 about 2.5 ms: past this many measures the PDF lists only those that
# need attention.
MAX_PDF_TABLE_ROWS = 300


class ReportForm(forms.Form):
    domain = forms.ChoiceField(
        label="Quality domain", choices=[("", "All domains"), *Domain.choices], required=False
    )
    kind = forms.ChoiceField(
        label="Kind of measure", choices=[("", "All kinds"), *MeasureKind.choices], required=False
    )
    format = forms.ChoiceField(
        label="Format",
        choices=[("", "Web page"), ("csv", "CSV"), ("xlsx", "Excel"), ("pdf", "PDF")],
        required=False,
    )
    charts = forms.ChoiceField(
        label="Charts in the PDF",
        choices=[
            ("attention", "Measures of concern or failing their target"),
            ("all", f"Every measure (up to {MAX_PDF_CHARTS})"),
        ],
        required=False,
    )


@login_required
def quality_report(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, VIEWERS)
    form = ReportForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    chosen = form.cleaned_data if form.is_bound and valid else {}
    if chosen.get("format") == "pdf":
        return _pdf_export(request, unit, chosen)
    domain, kind = chosen.get("domain") or None, chosen.get("kind") or None
    export = chosen.get("format")
    if export not in ("csv", "xlsx"):
        # The page: its body is cached under the report's version (see the template), so the
        # matrix is built only when that version has not been shown yet.
        matrix = SimpleLazyObject(
            lambda: reports.quality_matrix(request.user, unit, domain=domain, kind=kind)
        )
    else:
        matrix = reports.quality_matrix(request.user, unit, domain=domain, kind=kind)
    if export == "csv":
        return _csv_response(request, matrix)
    if export == "xlsx":
        return _xlsx_response(request, matrix)
    filters = {key: chosen[key] for key in ("domain", "kind") if chosen.get(key)}
    context = {
        "unit": unit,
        "ancestors": visible_ancestors(request.user, unit),
        "form": form,
        "matrix": matrix,
        "filters": filters,
        "filter_labels": _filter_labels(domain, kind),
        "report_version": reports.report_version(unit, domain=domain, kind=kind),
        "query": urlencode(filters),
        "variation_rows": icons.VARIATION_ROWS,
        "assurance_columns": icons.ASSURANCE_COLUMNS,
        "today": timezone.localdate(),
    }
    return render(request, "control/report.html", context, status=200 if valid else 400)


@login_required
def huddle_board(request, unit_id):
    """A team's board lists everything; above team level the board is a summary (a board
    of every ward's measures would be tens of thousands of pixels long)."""
    unit = access.object_or_404(request.user, Unit, unit_id, VIEWERS)
    context = {
        "unit": unit,
        "ancestors": visible_ancestors(request.user, unit),
        "refresh_seconds": HUDDLE_REFRESH_SECONDS,
        "refresh_minutes": HUDDLE_REFRESH_SECONDS // 60,
    }
    if reports.huddle_is_summary(unit):
        summary = reports.huddle_summary(request.user, unit)
        context |= {"summary": summary, "board": summary.board, "matrix": summary.matrix}
        return render(request, "control/huddle_summary.html", context)
    context["board"] = reports.huddle_board(request.user, unit)
    return render(request, "control/huddle.html", context)


# Exports ---------------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "Unit", "Measure", "Code", "Kind", "Domain", "Last period", "Period start", "Last value",
    "Unit of measure", "Variation", "Assurance", "Limits", "Target", "Open signals", "Link",
)  # fmt: skip


# Excel column widths, in characters, for EXPORT_COLUMNS.
COLUMN_WIDTHS = (28, 40, 22, 12, 16, 16, 12, 12, 18, 22, 18, 8, 10, 12, 40)


def _filter_labels(domain: str | None, kind: str | None) -> list[str]:
    labels = []
    if domain:
        labels.append(f"domain: {Domain(domain).label}")
    if kind:
        labels.append(f"kind: {MeasureKind(kind).label}")
    return labels


def _filename(matrix, extension: str) -> str:
    parts = [matrix.unit.code, matrix.domain, matrix.kind, timezone.localdate().isoformat()]
    return f"quality-report-{'-'.join(part for part in parts if part)}.{extension}"


def _attachment(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export_rows(request, matrix) -> list[list]:
    return [
        [
            m.unit_name,
            m.name,
            m.code,
            m.kind_label,
            m.domain_label,
            m.period_text if m.last_period else "",
            m.last_period,
            m.last_value,
            m.unit_label.strip(),
            m.variation.words,
            m.assurance.words,
            m.limits_text,
            m.target,
            m.open_signals,
            request.build_absolute_uri(m.url),
        ]
        for m in matrix.measures
    ]


# Text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection
# advice); the upload templates use the same rule.
_spreadsheet_safe = spreadsheet_safe


def _csv_response(request, matrix) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for row in _export_rows(request, matrix):
        writer.writerow(
            [
                "" if value is None else value.isoformat() if isinstance(value, dt.date) else value
                for value in map(_spreadsheet_safe, row)
            ]
        )
    # A byte-order mark, so Excel reads the UTF-8 (names with accents, "–") correctly.
    return _attachment(
        "\ufeff" + buffer.getvalue(), "text/csv; charset=utf-8", _filename(matrix, "csv")
    )


def _xlsx_response(request, matrix) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Measures")
    sheet.freeze_panes = "A2"
    for letter, width in zip(string.ascii_uppercase, COLUMN_WIDTHS, strict=False):
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)

    def heading(text):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        return cell

    sheet.append([heading(title) for title in EXPORT_COLUMNS])
    for row in _export_rows(request, matrix):
        cells = []
        for value in map(_spreadsheet_safe, row):
            if isinstance(value, str):  # control characters are not allowed in the XML
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)

    summary = workbook.create_sheet("Summary")
    summary.append([heading(f"Integrated quality report: {matrix.unit.name}")])
    summary.append([f"{timezone.localdate():%d %B %Y}; {matrix.count} measures"])
    summary.append(
        [", ".join(_filter_labels(matrix.domain, matrix.kind)) or "All domains and kinds"]
    )
    summary.append([])
    summary.append(
        [heading("Variation \\ assurance")]
        + [heading(column.title) for column in matrix.columns]
        + [heading("Total")]
    )
    for row in matrix.rows:
        summary.append(
            [heading(row.heading.title)] + [cell.count for cell in row.cells] + [row.count]
        )
    summary.append([heading("Total"), *matrix.column_counts, matrix.count])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(
        buffer.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _filename(matrix, "xlsx"),
    )


# The PDF ---------------------------------------------------------------------------------------

# Unicode fonts found on common systems (Debian/Ubuntu, Fedora, macOS); without one the PDF uses
# the built-in Helvetica, whose Latin-1 lacks "–", "≥" and the like (they are spelt out).
_UNICODE_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
)
_LATIN1 = str.maketrans(
    {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "′": "'", "…": "...",
     "≥": ">=", "≤": "<=", "≈": "~", "✓": "", "✗": "", "▲": "", "▼": "", "●": ""}
)  # fmt: skip


def _unicode_font() -> tuple[Path, Path | None] | None:
    """A regular TTF and, when next to it, its bold face."""
    for name in _UNICODE_FONTS:
        regular = Path(name)
        if regular.is_file():
            bold = regular.with_name(regular.stem.replace("-Regular", "") + "-Bold.ttf")
            return regular, bold if bold.is_file() else None
    return None


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    return width, height


def _pdf_export(request, unit, chosen) -> HttpResponse:
    """A PDF takes seconds to make: find or queue it, and show its progress page."""
    export = exports.report_export_request(
        by=request.user,
        unit=unit,
        kind=chosen.get("charts") or ExportKind.ATTENTION,
        domain=chosen.get("domain") or None,
        measure_kind=chosen.get("kind") or None,
    )
    return redirect("control:report-export", export_id=export.pk)


def _export_or_404(request, export_id) -> ReportExport:
    """A report export, to those who may see its unit's report: 404 when the user cannot see
    the unit (or there is no such export), 403 for a role that does not show reports."""
    with_unit = ReportExport.objects.select_related("unit")
    return access.object_or_404(request.user, with_unit, export_id, VIEWERS)


@login_required
def report_export(request, export_id):
    """An export's progress (the page refreshes itself with JavaScript, or by its link), and
    its download link when it is ready."""
    export = _export_or_404(request, export_id)
    context = {
        "export": export,
        "unit": export.unit,
        "ancestors": visible_ancestors(request.user, export.unit),
        "filter_labels": _export_filter_labels(export),
        "report_url": _report_url(export),
    }
    return render(request, "control/report_export.html", context)


@login_required
def report_export_status(request, export_id):
    """The export's status for the progress page's script: small, never cached."""
    export = _export_or_404(request, export_id)
    return JsonResponse(
        {
            "status": export.status,
            "status_text": export.get_status_display(),
            "progress": export.progress,
            "stage": export.stage,
            "error": export.error,
            "download_url": reverse("control:report-export-download", args=[export.pk])
            if export.status == ExportStatus.DONE
            else None,
        }
    )


@login_required
def report_export_download(request, export_id):
    """The PDF, as an attachment, to those who may see the unit's report."""
    export = _export_or_404(request, export_id)
    if export.status != ExportStatus.DONE or not export.file:
        raise Http404("This export is not ready")
    try:
        handle = export.file.open("rb")
    except OSError:
        raise Http404("This export's file is gone: ask for the PDF again") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=export.filename or f"report-{export.pk}.pdf",
        content_type="application/pdf",
    )


def _export_filter_labels(export) -> list[str]:
    return _filter_labels(export.domain or None, export.measure_kind or None)


def _report_url(export) -> str:
    query = urlencode(
        {key: value for key, value in (("domain", export.domain),
                                       ("kind", export.measure_kind)) if value}
    )  # fmt: skip
    url = reverse("control:quality-report", args=[export.unit_id])
    return f"{url}?{query}" if query else url


def render_pdf(matrix, *, every_chart: bool = False, font=None, progress=None) -> bytes:
    """The report as an A4 PDF: the matrix, a table of the measures, then the charts of the
    measures that need attention (or of every measure) with their signals in words.
    `progress(done, total)` is called as the charts are drawn (they take most of the time)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    from qms.stats.vega import chart_spec, to_png

    unit = matrix.unit
    made = timezone.localtime()

    class ReportPdf(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font(family, "", 8)
            self.set_text_color(76, 98, 114)
            self.cell(0, 5, text(f"{unit.name}: integrated quality report, {made:%d %B %Y}"))
            self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    pdf = ReportPdf(orientation="portrait", unit="mm", format="A4")
    if font:
        regular, bold = font
        pdf.add_font("Report", "", str(regular))
        pdf.add_font("Report", "B", str(bold or regular))
        family = "Report"

        def text(value) -> str:
            return str(value)
    else:
        family = "Helvetica"

        def text(value) -> str:
            return str(value).translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    pdf.set_title(f"Integrated quality report: {unit.name}")
    pdf.set_author("QMS")
    pdf.set_creator("QMS")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    ink, muted = (29, 43, 54), (76, 98, 114)
    width = pdf.epw

    def heading(words: str, size: float = 14) -> None:
        pdf.set_font(family, "B", size)
        pdf.set_text_color(*ink)
        pdf.multi_cell(width, size * 0.5, text(words), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)

    def paragraph(words: str, size: float = 10, colour=ink) -> None:
        pdf.set_font(family, "", size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(width, size * 0.5, text(words), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    heading("Integrated quality report", 20)
    heading(unit.name, 14)
    filters = (
        ", ".join(_filter_labels(matrix.domain, matrix.kind))
        or "all quality domains and kinds of measure"
    )
    paragraph(
        f"{made:%d %B %Y, %H:%M}. {matrix.count} active measure"
        f"{'s' if matrix.count != 1 else ''} of {unit.name} and the units below it ({filters}); "
        f"{matrix.open_signals} open signal{'s' if matrix.open_signals != 1 else ''}. Results "
        "are the stored SPC analysis of each measure's latest data.",
        colour=muted,
    )

    # The matrix: counts, the row and column headings in their Making Data Count colours.
    heading("Summary: variation by assurance", 13)
    header_style = FontFace(emphasis="BOLD", size_pt=9)
    with pdf.table(
        col_widths=(50, 25, 25, 25, 30, 20),
        text_align=("LEFT", "CENTER", "CENTER", "CENTER", "CENTER", "CENTER"),
        headings_style=header_style,
        line_height=5,
        padding=1.5,
    ) as table:
        pdf.set_font(family, "", 9)
        row = table.row()
        row.cell(text("Variation \\ assurance"))
        for column in matrix.columns:
            row.cell(
                text(column.title),
                style=FontFace(
                    emphasis="BOLD", color=column.icon.ink, fill_color=column.icon.colour
                ),
            )
        row.cell("Total")
        for matrix_row in matrix.rows:
            row = table.row()
            icon = matrix_row.heading.icon
            row.cell(
                text(matrix_row.heading.title),
                style=FontFace(emphasis="BOLD", color=icon.ink, fill_color=icon.colour),
            )
            for cell in matrix_row.cells:
                attention = cell.count and (
                    cell.row.key in icons.ATTENTION_ROWS
                    or cell.column.key in icons.ATTENTION_COLUMNS
                )
                row.cell(
                    str(cell.count) if cell.count else "-",
                    style=FontFace(emphasis="BOLD") if attention else None,
                )
            row.cell(str(matrix_row.count))
        row = table.row()
        row.cell("Total", style=FontFace(emphasis="BOLD"))
        for count in matrix.column_counts:
            row.cell(str(count))
        row.cell(str(matrix.count), style=FontFace(emphasis="BOLD"))
    paragraph(
        "Rows: what the chart shows now (improvement, common cause, concern, or change with no "
        "better direction). Columns: whether the process will meet its target (pass), miss it "
        "(fail) or do either at random (hit or miss). Concern and fail need a look first: their "
        "charts follow.",
        size=8.5,
        colour=muted,
    )

    # The measures, those needing attention first; a big organisation's full list belongs in
    # the spreadsheet exports, not in a hundred pages of table.
    listed = matrix.measures if matrix.count <= MAX_PDF_TABLE_ROWS else matrix.attention
    if listed:
        heading("Measures" if listed is matrix.measures else "Measures that need attention", 13)
        if listed is not matrix.measures:
            paragraph(
                f"The other {matrix.count - len(listed)} measures are in the CSV and Excel "
                "exports of this report.",
                size=9,
                colour=muted,
            )
        order = {row.heading.key: i for i, row in enumerate(matrix.rows)}
        ordered = sorted(
            listed, key=lambda m: (not m.needs_attention, order[m.row], m.unit_name, m.name)
        )
        with pdf.table(
            col_widths=(30, 48, 24, 18, 26, 20, 14),
            text_align=("LEFT", "LEFT", "RIGHT", "LEFT", "LEFT", "LEFT", "RIGHT"),
            headings_style=header_style,
            line_height=4.2,
            padding=1,
        ) as table:
            pdf.set_font(family, "", 8)
            row = table.row()
            for title in ("Unit", "Measure", "Last value", "Period", "Variation", "Assurance"):
                row.cell(title)
            row.cell("Signals")
            for m in ordered:
                row = table.row()
                row.cell(text(m.unit_name))
                row.cell(text(m.name))
                row.cell(text(m.value_text))
                row.cell(text(m.period_text))
                row.cell(text(m.variation.words) if m.variation.code != "none" else "-")
                row.cell(text(m.assurance.words) if m.assurance.code != "none" else "-")
                row.cell(str(m.open_signals) if m.open_signals else "")

    # Charts.
    chosen = matrix.measures if every_chart else matrix.attention
    left_out = max(0, len(chosen) - MAX_PDF_CHARTS)
    chosen = chosen[:MAX_PDF_CHARTS]
    inputs = reports.chart_inputs(chosen)
    if chosen:
        pdf.add_page()
        heading("Charts" if every_chart else "Charts of the measures that need attention", 13)
        if left_out:
            paragraph(
                f"The first {MAX_PDF_CHARTS} charts; {left_out} more are left out. Filter the "
                "report by domain or kind to see them.",
                colour=muted,
            )
    for done, m in enumerate(chosen):
        if progress is not None:
            progress(done, len(chosen))
        chart = inputs.get(m.id)
        needed = 95 if chart else 25
        if pdf.get_y() + needed > pdf.page_break_trigger:
            pdf.add_page()
        heading(f"{m.name} - {m.unit_name}", 11)
        paragraph(
            f"Latest {m.value_text} ({m.period_text}). Variation: {m.variation.words}. "
            f"Assurance: {m.assurance.words}."
            + (" Trial limits: the baseline is not complete." if m.trial_limits else "")
            + (f" Target {m.target_text}." if m.target_text else "")
            + (f" {m.open_signals} open signal{'s' if m.open_signals != 1 else ''}."
               if m.open_signals else ""),
            size=9,
            colour=muted,
        )  # fmt: skip
        if chart is None:
            paragraph("No data yet.", size=9)
            continue
        spec = chart_spec(
            chart.series,
            y_title=m.unit_label.strip() or None,
            target=m.target,
            annotations=chart.annotations,
            markers=chart.markers,
            width=640,
            height=200,
        )
        png = to_png(spec, scale=2)
        pixels_wide, pixels_high = _png_size(png)
        image_height = width * pixels_high / pixels_wide
        if pdf.get_y() + image_height > pdf.page_break_trigger:
            pdf.add_page()
        pdf.image(io.BytesIO(png), w=width, h=image_height, alt_text=text(spec["description"]))
        for explanation in chart.explanations:
            paragraph(f"• {explanation}" if font else f"- {explanation}", size=9)
        pdf.ln(3)
    if progress is not None:
        progress(len(chosen), len(chosen))
    return bytes(pdf.output())
