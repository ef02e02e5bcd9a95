"""Pages of quality planning: clinical audits. Thin: the record through `qms.people.access`, a
form, a service, a page. Seeing an audit: the unit's staff (VIEWERS); defining, analysing,
findings and re-audits: AUDITORS; recording cases: AUDIT_COLLECTORS."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from qms.people import access
from qms.people.models import Unit
from qms.planning import roles, selectors, services
from qms.planning.forms_audits import (
    ActionForm,
    AnalyseForm,
    AuditForm,
    CaseForm,
    CriterionForm,
    ReauditForm,
    ScheduleForm,
    UploadForm,
    staff_of,
)
from qms.planning.models import Audit, AuditCase, AuditCriterion, AuditStatus
from qms.web.forms import apply_service
from qms.web.screening import check_text_page, first_error

AUDITS_PER_PAGE = 100


def _audits():
    return Audit.objects.select_related(
        "unit", "standard", "measure", "lead", "previous", "created_by"
    )


def _audit(request, pk, group=roles.VIEWERS) -> Audit:
    return access.object_or_404(request.user, _audits(), pk, group)


def _criterion(request, pk, group=roles.AUDITORS) -> AuditCriterion:
    return access.object_or_404(
        request.user, AuditCriterion.objects.select_related("audit__unit", "issue"), pk, group
    )


def _case(request, pk) -> AuditCase:
    return access.object_or_404(
        request.user,
        AuditCase.objects.select_related("audit__unit"),
        pk,
        roles.AUDIT_COLLECTORS,
    )


def _form_page(request, form, *, title, submit, back, lede="", multipart=False, **extra):
    context = {
        "form": form,
        "title": title,
        "lede": lede,
        "submit": submit,
        "back": back,
        "action": request.get_full_path(),
        "multipart": multipart,
        **extra,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "planning/audits_form.html", context, status=status)


def _done(request, audit: Audit, text: str, anchor: str = ""):
    messages.success(request, text)
    return redirect(audit.get_absolute_url() + (f"#{anchor}" if anchor else ""))


def _refused(request, audit: Audit, form, anchor: str = ""):
    """A small form of the audit page refused: its first problem as a message on the page."""
    messages.error(request, f"Nothing was saved: {first_error(form)}")
    return redirect(audit.get_absolute_url() + (f"#{anchor}" if anchor else ""))


# The list and the page --------------------------------------------------------------------------


@login_required
def audit_list(request, unit_id):
    """The unit's audits (and those of the units below it), newest first, 100 a page."""
    unit = access.object_or_404(request.user, Unit, unit_id, roles.VIEWERS)
    page = Paginator(selectors.audits_of(request.user, unit), AUDITS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "unit": unit,
        "page": page,
        "can_plan": access.can(request.user, unit, roles.AUDITORS),
    }
    return render(request, "planning/audits_list.html", context)


@login_required
def audit_detail(request, pk):
    audit = _audit(request, pk)
    page = selectors.audit_page(audit, page=request.GET.get("page"))
    can_audit = access.can(request.user, audit, roles.AUDITORS)
    open_for_cases = audit.status in (AuditStatus.PLANNED, AuditStatus.COLLECTING)
    context = {
        "audit": audit,
        "page": page,
        "can_audit": can_audit,
        "can_collect": open_for_cases
        and bool(page.criteria)
        and access.can(request.user, audit, roles.AUDIT_COLLECTORS),
        "criteria_open": can_audit
        and audit.status == AuditStatus.PLANNED
        and not page.results.cases,
        "criterion_form": CriterionForm(),
        "analyse_form": AnalyseForm(),
        "schedule_form": ScheduleForm(initial={"reaudit_due": audit.reaudit_due}),
        "unraised": [row for row in page.results.short if row.criterion.issue_id is None],
        # Owners to choose from for the findings' actions (issues' rules decide who may add).
        "owners": list(staff_of(audit.unit)) if page.issues else [],
        "reaudit": next((a for a in page.chain if a.previous_id == audit.pk), None),
    }
    return render(request, "planning/audits_detail.html", context)


# Defining ----------------------------------------------------------------------------------------


@login_required
def audit_create(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, roles.AUDITORS)
    form = AuditForm(request.POST or None, user=request.user, unit=unit)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data}
        data["lead"] = data.get("lead") or request.user
        audit = apply_service(
            form, lambda: services.audit_create(by=request.user, unit=unit, **data)
        )
        if audit is not None:
            return _done(request, audit, "Audit planned: now set its criteria.", "criteria")
    return _form_page(
        request,
        form,
        title=f"Plan an audit in {unit.name}",
        lede="The standard and the measure its result feeds, the sample and the period. The "
        "criteria come next.",
        submit="Plan the audit",
        back=reverse("planning:audits", args=[unit.pk]),
    )


@login_required
def audit_edit(request, pk):
    audit = _audit(request, pk, roles.AUDITORS)
    initial = {name: getattr(audit, name) for name in services.AUDIT_FIELDS}
    form = AuditForm(request.POST or None, initial=initial, user=request.user, unit=audit.unit)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data}
        data["lead"] = data.get("lead") or audit.lead or request.user
        done = apply_service(
            form, lambda: services.audit_update(by=request.user, audit=audit, **data)
        )
        if done is not None:
            return _done(request, audit, "Audit changed.")
    return _form_page(
        request,
        form,
        title=f"Change “{audit.title}”",
        submit="Save the changes",
        back=audit.get_absolute_url(),
    )


@login_required
def criterion_add(request, pk):
    audit = _audit(request, pk, roles.AUDITORS)
    form = CriterionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.criterion_add(by=request.user, audit=audit, **form.cleaned_data),
        )
        if done is not None:
            return _done(request, audit, f"Criterion {done.position} added.", "criteria")
    return _form_page(
        request,
        form,
        title=f"Add a criterion to “{audit.title}”",
        submit="Add the criterion",
        back=audit.get_absolute_url() + "#criteria",
    )


@login_required
def criterion_edit(request, pk):
    criterion = _criterion(request, pk)
    audit = criterion.audit
    initial = {"text": criterion.text, "expected": criterion.expected}
    initial["exceptions"] = criterion.exceptions
    form = CriterionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.criterion_update(
                by=request.user, criterion=criterion, **form.cleaned_data
            ),
        )
        if done is not None:
            return _done(request, audit, f"Criterion {criterion.position} changed.", "criteria")
    return _form_page(
        request,
        form,
        title=f"Change criterion {criterion.position} of “{audit.title}”",
        submit="Save the criterion",
        back=audit.get_absolute_url() + "#criteria",
    )


@login_required
@require_POST
def criterion_remove(request, pk):
    criterion = _criterion(request, pk)
    audit = criterion.audit
    try:
        services.criterion_remove(by=request.user, criterion=criterion)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(audit.get_absolute_url() + "#criteria")
    return _done(request, audit, "Criterion removed.", "criteria")


# Collecting -------------------------------------------------------------------------------------


@login_required
def case_create(request, pk):
    audit = _audit(request, pk, roles.AUDIT_COLLECTORS)
    criteria = list(audit.criteria.all())
    form = CaseForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        case = apply_service(
            form,
            lambda: services.case_record(
                by=request.user,
                audit=audit,
                reference=form.cleaned_data["reference"],
                answers=form.answers(),
            ),
        )
        if case is not None:
            messages.success(request, f"{case.reference} recorded.")
            if "another" in request.POST:
                return redirect("planning:audit-case-create", pk=audit.pk)
            return redirect(audit.get_absolute_url() + "#cases")
    return _form_page(
        request,
        form,
        title=f"Record a case of “{audit.title}”",
        lede="For each criterion: met, not met, or not applicable (an exception).",
        submit="Record the case",
        another="Record and start another",
        back=audit.get_absolute_url() + "#cases",
    )


@login_required
def case_edit(request, pk):
    case = _case(request, pk)
    audit = case.audit
    criteria = list(audit.criteria.all())
    form = CaseForm(request.POST or None, criteria=criteria, initial=CaseForm.initial_for(case))
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.case_update(
                by=request.user,
                case=case,
                reference=form.cleaned_data["reference"],
                answers=form.answers(),
            ),
        )
        if done is not None:
            return _done(request, audit, f"{done.reference} corrected.", "cases")
    return _form_page(
        request,
        form,
        title=f"Correct {case.reference} of “{audit.title}”",
        submit="Save the case",
        back=audit.get_absolute_url() + "#cases",
    )


@login_required
@require_POST
def case_remove(request, pk):
    case = _case(request, pk)
    audit = case.audit
    try:
        services.case_remove(by=request.user, case=case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(audit.get_absolute_url() + "#cases")
    return _done(request, audit, f"{case.reference} removed.", "cases")


@login_required
def cases_upload(request, pk):
    audit = _audit(request, pk, roles.AUDIT_COLLECTORS)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        count = apply_service(
            form,
            lambda: services.cases_upload(
                by=request.user, audit=audit, file=upload, name=upload.name
            ),
        )
        if count is not None:
            return _done(
                request, audit, f"{count} case{'s' if count != 1 else ''} recorded.", "cases"
            )
    criteria = list(audit.criteria.all())
    return _form_page(
        request,
        form,
        title=f"Upload cases of “{audit.title}”",
        lede="All or nothing: when a row has a problem, nothing is saved and every problem is "
        "named by its row and column.",
        submit="Upload the cases",
        back=audit.get_absolute_url() + "#cases",
        multipart=True,
        criteria=criteria,
    )


# Analysis, findings, the cycle ---------------------------------------------------------------


def _act(request, audit: Audit, act, success: str, anchor: str = ""):
    try:
        act()
    except ValidationError as error:
        messages.error(request, "Nothing was saved: " + " ".join(error.messages))
        return redirect(audit.get_absolute_url() + (f"#{anchor}" if anchor else ""))
    return _done(request, audit, success, anchor)


@login_required
@require_POST
def audit_analyse(request, pk):
    audit = _audit(request, pk, roles.AUDITORS)
    form = AnalyseForm(request.POST)
    replace = form.is_valid() and form.cleaned_data["replace"]
    return _act(
        request,
        audit,
        lambda: services.audit_analyse(by=request.user, audit=audit, replace=replace),
        "Audit analysed"
        + (f": its result is recorded on {audit.measure}." if audit.measure else "."),
        "results",
    )


@login_required
@require_POST
def audit_reopen(request, pk):
    audit = _audit(request, pk, roles.AUDITORS)
    return _act(
        request,
        audit,
        lambda: services.audit_reopen(by=request.user, audit=audit),
        "Audit reopened: correct its cases, then analyse it again.",
        "cases",
    )


@login_required
@require_POST
def audit_close(request, pk):
    audit = _audit(request, pk, roles.AUDITORS)
    return _act(
        request, audit, lambda: services.audit_close(by=request.user, audit=audit), "Audit closed."
    )


@login_required
@require_POST
def findings_raise(request, pk):
    audit = _audit(request, pk, roles.AUDITORS)
    return _act(
        request,
        audit,
        lambda: services.findings_raise(by=request.user, audit=audit),
        "Findings raised as issues: add each one's action plan below.",
        "findings",
    )


@login_required
@require_POST
def finding_action_add(request, pk):
    # Seeing the audit is enough to ask; the issues' rules decide who may plan its actions.
    criterion = _criterion(request, pk, roles.VIEWERS)
    audit = criterion.audit
    form = ActionForm(request.POST, unit=audit.unit, prefix=f"action-{criterion.pk}")
    if form.is_valid():
        done = apply_service(
            form,
            lambda: services.finding_action_add(
                by=request.user, criterion=criterion, **form.cleaned_data
            ),
        )
        if done is not None:
            return _done(request, audit, "Action added to the plan.", f"finding-{criterion.pk}")
    if form.screening_prompted:
        return check_text_page(request, form, audit.get_absolute_url() + f"#finding-{criterion.pk}")
    return _refused(request, audit, form, f"finding-{criterion.pk}")


@login_required
@require_POST
def reaudit_schedule(request, pk):
    audit = _audit(request, pk, roles.AUDITORS)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        due = form.cleaned_data["reaudit_due"]
        done = apply_service(
            form, lambda: services.reaudit_schedule(by=request.user, audit=audit, due_on=due)
        )
        if done is not None:
            text = f"Re-audit due {due:%d %b %Y}." if due else "No re-audit scheduled."
            return _done(request, audit, text, "cycle")
    return _refused(request, audit, form, "cycle")


@login_required
def reaudit_create(request, pk):
    audit = _audit(request, pk, roles.AUDITORS)
    form = ReauditForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        again = apply_service(
            form, lambda: services.reaudit_create(by=request.user, audit=audit, **data)
        )
        if again is not None:
            return _done(
                request,
                again,
                "Re-audit planned with the same criteria: adjust them before "
                "collecting if the standard changed.",
                "criteria",
            )
    return _form_page(
        request,
        form,
        title=f"Re-audit “{audit.title}”",
        lede="The same standard, measure, sample and criteria, for a new period; its page "
        "compares the two audits.",
        submit="Plan the re-audit",
        back=audit.get_absolute_url() + "#cycle",
    )


urlpatterns = [
    path("units/<int:unit_id>/audits/", audit_list, name="audits"),
    path("units/<int:unit_id>/audits/new/", audit_create, name="audit-create"),
    path("audits/<int:pk>/", audit_detail, name="audit-detail"),
    path("audits/<int:pk>/edit/", audit_edit, name="audit-edit"),
    path("audits/<int:pk>/criteria/new/", criterion_add, name="audit-criterion-add"),
    path("audit-criteria/<int:pk>/edit/", criterion_edit, name="audit-criterion-edit"),
    path("audit-criteria/<int:pk>/remove/", criterion_remove, name="audit-criterion-remove"),
    path("audit-criteria/<int:pk>/actions/", finding_action_add, name="audit-finding-action"),
    path("audits/<int:pk>/cases/new/", case_create, name="audit-case-create"),
    path("audits/<int:pk>/cases/upload/", cases_upload, name="audit-cases-upload"),
    path("audit-cases/<int:pk>/edit/", case_edit, name="audit-case-edit"),
    path("audit-cases/<int:pk>/remove/", case_remove, name="audit-case-remove"),
    path("audits/<int:pk>/analyse/", audit_analyse, name="audit-analyse"),
    path("audits/<int:pk>/reopen/", audit_reopen, name="audit-reopen"),
    path("audits/<int:pk>/close/", audit_close, name="audit-close"),
    path("audits/<int:pk>/findings/", findings_raise, name="audit-findings"),
    path("audits/<int:pk>/reaudit/schedule/", reaudit_schedule, name="audit-reaudit-schedule"),
    path("audits/<int:pk>/reaudit/", reaudit_create, name="audit-reaudit"),
]
