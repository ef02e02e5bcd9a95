"""Pages of quality planning: needs. Thin: the record through `qms.people.access`, a form, a
service, a page.

A unit's staff see its needs assessments; someone given a role on one assessment (a partner
from a community group) sees that one and what hangs under it, never the unit's list. Needs
editors of the unit, and those given a writing role on the assessment, change it
(`services.needs.may_edit_assessment`). A measure's equity page is for those who see the
measure; its breakdown is written by the needs editors of the measure's unit."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_POST

from qms.people import access
from qms.people.models import Unit
from qms.planning import roles
from qms.planning.forms_needs import (
    AssessmentForm,
    AssetForm,
    ChartForm,
    DimensionRemoveForm,
    EvidenceForm,
    GroupUploadForm,
    GroupValueForm,
    NeedForm,
)
from qms.planning.models import EvidenceKind
from qms.planning.selectors import needs as selectors
from qms.planning.services import needs as services
from qms.text.spreadsheet import spreadsheet_safe
from qms.web.forms import apply_service
from qms.web.screening import check_text_page, first_error

# Assessments listed a page.
PAGE_SIZE = 100


def _read(request, source, pk):
    """A record of an assessment the person sees: staff of its unit, or given a role on it."""
    return access.object_or_404(
        request.user, source, pk, roles.VIEWERS, granted=roles.GRANTED_VIEWERS
    )


def _edit(request, source, pk):
    """A record of an assessment the person writes (403 when they only see it)."""
    return access.object_or_404(
        request.user, source, pk, roles.NEEDS_EDITORS, granted=roles.NEEDS_GRANTED
    )


def _unit(request, unit_id, roles_needed=roles.VIEWERS):
    return access.object_or_404(request.user, Unit, unit_id, roles_needed)


def _page_number(request) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


# Assessments of a unit --------------------------------------------------------------------------


@login_required
def assessment_list(request, unit_id):
    """The unit's needs assessments (and those of the units below it), newest first."""
    unit = _unit(request, unit_id)
    assessments = selectors.assessments_of(request.user, unit)
    total = assessments.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(_page_number(request), pages)
    shown = list(assessments[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    context = {
        "unit": unit,
        "assessments": shown,
        "total": total,
        "page": page,
        "pages": pages,
        "can_create": access.can(request.user, unit, roles.NEEDS_EDITORS),
    }
    return render(request, "planning/needs_list.html", context)


@login_required
def assessment_create(request, unit_id):
    unit = _unit(request, unit_id, roles.NEEDS_EDITORS)
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.assessment_create(by=request.user, unit=unit, **form.cleaned_data),
        )
        if done is not None:
            messages.success(request, f"Needs assessment “{done.title}” started.")
            return redirect(done)
    status = 400 if form.errors else 200
    context = {"unit": unit, "form": form, "assessment": None}
    return render(request, "planning/needs_form.html", context, status=status)


# One assessment ---------------------------------------------------------------------------------


def _detail(request, assessment, *, status=200, **forms):
    can_edit = services.may_edit_assessment(request.user, assessment)
    page = selectors.assessment_page(assessment)
    context = {
        "assessment": assessment,
        "page": page,
        "can_edit": can_edit,
        "can_see_unit": access.can(request.user, assessment.unit, roles.VIEWERS),
        "can_propose": access.can(request.user, assessment.unit, roles.PROPOSERS),
        "priority_url": _priority_url(assessment.unit_id),
        "need_form": forms.get("need_form") or (NeedForm() if can_edit else None),
        "asset_form": forms.get("asset_form") or (AssetForm() if can_edit else None),
    }
    return render(request, "planning/needs_detail.html", context, status=status)


def _priority_url(unit_id) -> str:
    """The priorities part's page to propose a priority, once it has landed."""
    try:
        return reverse("planning:priority-create", args=[unit_id])
    except NoReverseMatch:  # until the priorities part lands
        return ""


@login_required
def assessment_detail(request, pk):
    """An assessment: its population, summary, needs with their evidence, other evidence and
    assets by kind; forms for those who write it."""
    assessment = _read(request, selectors.assessment_queryset(), pk)
    return _detail(request, assessment)


@login_required
def assessment_edit(request, pk):
    assessment = _edit(request, selectors.assessment_queryset(), pk)
    initial = {f: getattr(assessment, f) for f in ("title", "population", "summary")}
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.assessment_update(
                by=request.user, assessment=assessment, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, "Assessment saved.")
            return redirect(done)
    status = 400 if form.errors else 200
    context = {"unit": assessment.unit, "form": form, "assessment": assessment}
    return render(request, "planning/needs_form.html", context, status=status)


# Needs ------------------------------------------------------------------------------------------


@login_required
@require_POST
def need_add(request, pk):
    assessment = _edit(request, selectors.assessment_queryset(), pk)
    form = NeedForm(request.POST)
    if form.is_valid():
        done = apply_service(
            form,
            lambda: services.need_add(
                by=request.user, assessment=assessment, statement=form.cleaned_data["statement"]
            ),
        )
        if done is not None:
            messages.success(request, "Need added.")
            return redirect(assessment.get_absolute_url() + f"#need-{done.pk}")
    return _detail(request, assessment, status=400, need_form=form)


@login_required
def need_edit(request, pk):
    need = _edit(request, selectors.need_queryset(), pk)
    form = NeedForm(request.POST or None, initial={"statement": need.statement})
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.need_update(
                by=request.user, need=need, statement=form.cleaned_data["statement"]
            ),
        )
        if done is not None:
            messages.success(request, "Need saved.")
            return redirect(need.assessment.get_absolute_url() + f"#need-{need.pk}")
    status = 400 if form.errors else 200
    context = {"need": need, "assessment": need.assessment, "form": form}
    return render(request, "planning/needs_need_form.html", context, status=status)


@login_required
@require_POST
def need_move(request, pk):
    need = _edit(request, selectors.need_queryset(), pk)
    direction = request.POST.get("direction", "")
    try:
        services.need_move(by=request.user, need=need, direction=direction)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, f"Need moved {direction}.")
    return redirect(need.assessment.get_absolute_url() + f"#need-{need.pk}")


@login_required
@require_POST
def need_remove(request, pk):
    need = _edit(request, selectors.need_queryset(), pk)
    assessment = need.assessment
    services.need_remove(by=request.user, need=need)
    messages.success(request, "Need removed. Its evidence stays on the assessment.")
    return redirect(assessment.get_absolute_url() + "#needs-heading")


# Evidence ---------------------------------------------------------------------------------------


def _evidence_form(request, assessment, data=None, files=None):
    needs = list(assessment.needs.order_by("position", "pk"))
    initial = {"kind": request.GET.get("kind", EvidenceKind.TABLE)}
    need = request.GET.get("need", "")
    if need.isdigit() and len(need) < 12:
        initial["need"] = int(need)
    return EvidenceForm(data, files, needs=needs, initial=initial)


@login_required
def evidence_add(request, pk):
    """Add evidence: a table from a file, feedback, or a published statistic."""
    assessment = _edit(request, selectors.assessment_queryset(), pk)
    if request.method == "POST":
        form = _evidence_form(request, assessment, request.POST, request.FILES)
        if form.is_valid():
            done = apply_service(
                form,
                lambda: services.evidence_add(
                    by=request.user, assessment=assessment, **form.cleaned_data
                ),
            )
            if done is not None:
                messages.success(request, f"Evidence “{done.title}” added.")
                return redirect("planning:evidence-detail", pk=done.pk)
    else:
        form = _evidence_form(request, assessment)
    status = 400 if form.errors else 200
    context = {"assessment": assessment, "form": form}
    return render(request, "planning/needs_evidence_form.html", context, status=status)


@login_required
def evidence_detail(request, pk):
    """One item of evidence: a table's first rows and its chart, feedback or a statistic."""
    evidence = _read(request, selectors.evidence_queryset(), pk)
    table = selectors.evidence_table(evidence) if evidence.kind == EvidenceKind.TABLE else None
    can_edit = services.may_edit_assessment(request.user, evidence.assessment)
    chart_form = None
    if table is not None and can_edit and table.numeric:
        chart_form = ChartForm(
            columns=table.columns,
            numeric=table.numeric,
            initial={"chart_x": evidence.chart_x, "chart_y": evidence.chart_y},
        )
    context = {
        "evidence": evidence,
        "assessment": evidence.assessment,
        "table": table,
        "can_edit": can_edit,
        "chart_form": chart_form,
    }
    return render(request, "planning/needs_evidence.html", context)


@login_required
@require_POST
def evidence_chart(request, pk):
    evidence = _edit(request, selectors.evidence_queryset(), pk)
    table = selectors.evidence_table(evidence)
    form = ChartForm(request.POST, columns=table.columns, numeric=table.numeric)
    if form.is_valid():
        done = apply_service(
            form,
            lambda: services.evidence_chart_set(
                by=request.user,
                evidence=evidence,
                x=form.cleaned_data["chart_x"],
                y=form.cleaned_data["chart_y"],
            ),
        )
        if done is not None:
            messages.success(request, "Chart columns chosen.")
            return redirect(reverse("planning:evidence-detail", args=[pk]) + "#chart-heading")
    messages.error(request, f"The chart was not changed: {first_error(form)}")
    return redirect("planning:evidence-detail", pk=pk)


@login_required
def evidence_download(request, pk):
    """An evidence table as CSV, every cell safe to open in a spreadsheet."""
    evidence = _read(request, selectors.evidence_queryset(), pk)
    if evidence.kind != EvidenceKind.TABLE:
        return redirect("planning:evidence-detail", pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="evidence-{evidence.pk}.csv"'
    response.write("\ufeff")  # so Excel reads it as UTF-8
    writer = csv.writer(response)
    writer.writerow([spreadsheet_safe(c) for c in evidence.columns])
    for row in evidence.rows:
        writer.writerow(["" if c is None else spreadsheet_safe(c) for c in row])
    return response


@login_required
@require_POST
def evidence_remove(request, pk):
    evidence = _edit(request, selectors.evidence_queryset(), pk)
    assessment = evidence.assessment
    services.evidence_remove(by=request.user, evidence=evidence)
    messages.success(request, f"Evidence “{evidence.title}” removed.")
    return redirect(assessment.get_absolute_url() + "#evidence-heading")


# Assets -----------------------------------------------------------------------------------------


@login_required
@require_POST
def asset_add(request, pk):
    assessment = _edit(request, selectors.assessment_queryset(), pk)
    form = AssetForm(request.POST)
    if form.is_valid():
        done = apply_service(
            form,
            lambda: services.asset_add(by=request.user, assessment=assessment, **form.cleaned_data),
        )
        if done is not None:
            messages.success(request, f"Asset “{done.name}” added.")
            return redirect(assessment.get_absolute_url() + "#assets-heading")
    return _detail(request, assessment, status=400, asset_form=form)


@login_required
@require_POST
def asset_remove(request, pk):
    asset = _edit(request, selectors.asset_queryset(), pk)
    assessment = asset.assessment
    services.asset_remove(by=request.user, asset=asset)
    messages.success(request, f"Asset “{asset.name}” removed.")
    return redirect(assessment.get_absolute_url() + "#assets-heading")


# Equity -----------------------------------------------------------------------------------------


def _equity(request, measure, *, status=200, upload_form=None, value_form=None):
    page = selectors.equity_page(measure)
    can_edit = services.may_edit_groups(request.user, measure)
    context = {
        "measure": measure,
        "page": page,
        "can_edit": can_edit,
        "upload_form": upload_form or (GroupUploadForm() if can_edit else None),
        "value_form": value_form or (GroupValueForm() if can_edit else None),
        "columns": services.GROUP_COLUMNS,
        "max_rows": services.GROUP_MAX_ROWS,
    }
    return render(request, "planning/needs_equity.html", context, status=status)


def _edit_measure(request, measure_id):
    measure = selectors.measure_for_equity(request.user, measure_id)
    access.require(request.user, measure, roles.NEEDS_EDITORS)
    return measure


@login_required
def equity(request, measure_id):
    """A measure's values by population group and its equity gap, per dimension."""
    measure = selectors.measure_for_equity(request.user, measure_id)
    return _equity(request, measure)


@login_required
@require_POST
def equity_upload(request, measure_id):
    measure = _edit_measure(request, measure_id)
    form = GroupUploadForm(request.POST, request.FILES)
    if form.is_valid():
        done = apply_service(
            form,
            lambda: services.group_values_upload(
                by=request.user, measure=measure, file=form.cleaned_data["file"]
            ),
        )
        if done is not None:
            messages.success(request, f"{done} group value{'s' if done != 1 else ''} saved.")
            return redirect("planning:equity", measure_id=measure.pk)
    return _equity(request, measure, status=400, upload_form=form)


@login_required
@require_POST
def equity_add(request, measure_id):
    measure = _edit_measure(request, measure_id)
    form = GroupValueForm(request.POST)
    if form.is_valid():
        row = services.GroupValue(**form.cleaned_data, row=1)
        done = apply_service(
            form,
            lambda: services.group_values_save(by=request.user, measure=measure, rows=[row]),
        )
        if done is not None:
            messages.success(request, "Group value saved.")
            return redirect("planning:equity", measure_id=measure.pk)
    if form.screening_prompted:
        return check_text_page(request, form, reverse("planning:equity", args=[measure.pk]))
    return _equity(request, measure, status=400, value_form=form)


@login_required
@require_POST
def equity_remove(request, measure_id):
    measure = _edit_measure(request, measure_id)
    form = DimensionRemoveForm(request.POST)
    if form.is_valid():
        try:
            removed = services.group_dimension_remove(
                by=request.user, measure=measure, dimension=form.cleaned_data["dimension"]
            )
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(
                request, f"{removed} values of {form.cleaned_data['dimension']} removed."
            )
    else:
        messages.error(request, "Nothing was removed: choose a dimension.")
    return redirect("planning:equity", measure_id=measure.pk)


urlpatterns = [
    path("units/<int:unit_id>/needs/", assessment_list, name="needs"),
    path("units/<int:unit_id>/needs/new/", assessment_create, name="needs-create"),
    path("needs/<int:pk>/", assessment_detail, name="needs-detail"),
    path("needs/<int:pk>/edit/", assessment_edit, name="needs-edit"),
    path("needs/<int:pk>/needs/new/", need_add, name="need-add"),
    path("needs/<int:pk>/evidence/new/", evidence_add, name="evidence-add"),
    path("needs/<int:pk>/assets/new/", asset_add, name="asset-add"),
    path("needs/need/<int:pk>/edit/", need_edit, name="need-edit"),
    path("needs/need/<int:pk>/move/", need_move, name="need-move"),
    path("needs/need/<int:pk>/remove/", need_remove, name="need-remove"),
    path("needs/evidence/<int:pk>/", evidence_detail, name="evidence-detail"),
    path("needs/evidence/<int:pk>/chart/", evidence_chart, name="evidence-chart"),
    path("needs/evidence/<int:pk>/download/", evidence_download, name="evidence-download"),
    path("needs/evidence/<int:pk>/remove/", evidence_remove, name="evidence-remove"),
    path("needs/asset/<int:pk>/remove/", asset_remove, name="asset-remove"),
    path("measures/<int:measure_id>/equity/", equity, name="equity"),
    path("measures/<int:measure_id>/equity/upload/", equity_upload, name="equity-upload"),
    path("measures/<int:measure_id>/equity/add/", equity_add, name="equity-add"),
    path("measures/<int:measure_id>/equity/remove/", equity_remove, name="equity-remove"),
]
