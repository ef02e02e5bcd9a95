"""Issue pages: a unit's issues, raising one, an issue with its actions. Thin: the record
through `qms.people.access`, a form, a service, a page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from qms.issues import registry, selectors, services
from qms.issues.forms import ActionForm, IssueFilterForm, IssueForm, NoteForm, ReopenForm
from qms.issues.models import Action, Issue
from qms.issues.roles import GRANTED_VIEWERS, RAISERS, VIEWERS
from qms.people import access
from qms.people.models import Unit
from qms.web.forms import apply_service


def _form_page(request, form, *, title: str, lede: str, submit: str, back: str, status=200):
    context = {
        "form": form,
        "title": title,
        "lede": lede,
        "submit": submit,
        "back": back,
        "action": request.get_full_path(),
    }
    return render(request, "issues/form_page.html", context, status=status)


def _apply(form, act):
    """Call the service with the form's data (qms.web.forms.apply_service)."""
    return apply_service(form, lambda: act(form.cleaned_data))


@login_required
def issues_home(request):
    """The Issues area opens on the issues of the unit the person works in."""
    unit = selectors.working_unit(request.user)
    if unit is None:
        return render(request, "issues/no_units.html")
    return redirect("issues:unit-issues", unit_id=unit.pk)


@login_required
def unit_issues(request, unit_id):
    """The issues of a unit and the units below it, those with overdue actions first."""
    unit = access.object_or_404(request.user, Unit, unit_id, VIEWERS)
    form = IssueFilterForm(request.GET or None, owners=selectors.issue_owners(request.user, unit))
    filters = form.cleaned_data if form.is_valid() else {}
    issues = selectors.unit_issues(
        request.user,
        unit,
        status=filters.get("status") or "",
        source=filters.get("source") or "",
        owner_id=filters.get("owner"),
    )
    context = {
        "unit": unit,
        "issues": issues,
        "form": form,
        "filtered": any(filters.values()),
        "can_raise": access.can(request.user, unit, RAISERS),
    }
    return render(request, "issues/unit_issues.html", context)


def _source_from(request):
    """The record an issue is raised from (`?from=control.signal:12`): one of a registered
    model that the user may see; 404 otherwise, like any record they cannot see."""
    reference = request.GET.get("from", "")
    if not reference:
        return None
    label, _, pk = reference.partition(":")
    model = registry.source_model(label)
    if model is None:
        raise Http404("No such record")
    return access.object_or_404(request.user, model, pk, VIEWERS)


@login_required
def issue_raise(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, RAISERS)
    source_record = _source_from(request)
    initial = {"owner": request.user.pk}
    if source_record is not None:
        initial |= {"source": registry.source_kind(source_record), "title": str(source_record)}
    form = IssueForm(request.POST or None, initial=initial, owners=selectors.owners_in(unit))
    if request.method == "POST" and form.is_valid():
        issue = _apply(
            form,
            lambda data: services.issue_raise(
                by=request.user, unit=unit, source_record=source_record, **data
            ),
        )
        if issue is not None:
            messages.success(request, f"Issue “{issue.title}” raised.")
            return redirect(issue)
    lede = f"A problem in {unit.name} to analyse and act on."
    if source_record is not None:
        lede += f" It comes from: {source_record}."
    return _form_page(
        request,
        form,
        title=f"Raise an issue in {unit.name}",
        lede=lede,
        submit="Raise the issue",
        back=reverse("issues:unit-issues", args=[unit.pk]),
        status=400 if form.errors else 200,
    )


def _issues():
    return Issue.objects.select_related("unit", "owner", "created_by", "source_type")


@login_required
def issue_detail(request, issue_id):
    issue = access.object_or_404(
        request.user, _issues(), issue_id, VIEWERS, granted=GRANTED_VIEWERS
    )
    page = selectors.issue_page(request.user, issue)
    context = {
        "page": page,
        "issue": issue,
        "action_form": ActionForm(owners=page.owners, initial={"owner": issue.owner_id}),
        "close_form": NoteForm(),
        "reopen_form": ReopenForm(),
    }
    return render(request, "issues/issue_detail.html", context)


def _handled_issue(request, issue_id) -> tuple[Issue, selectors.IssuePage]:
    issue = access.object_or_404(request.user, _issues(), issue_id, VIEWERS)
    page = selectors.issue_page(request.user, issue)
    if not page.can_handle:
        raise PermissionDenied("Only the issue's owner or a lead can change it.")
    return issue, page


@login_required
def issue_edit(request, issue_id):
    issue, page = _handled_issue(request, issue_id)
    initial = {
        "title": issue.title,
        "source": issue.source,
        "description": issue.description,
        "owner": issue.owner_id,
        "status": issue.status,
    }
    form = IssueForm(request.POST or None, initial=initial, owners=page.owners, with_status=True)
    if request.method == "POST" and form.is_valid():
        done = _apply(
            form, lambda data: services.issue_update(by=request.user, issue=issue, **data)
        )
        if done is not None:
            messages.success(request, "Issue saved.")
            return redirect(issue)
    return _form_page(
        request,
        form,
        title=f"Change the issue “{issue.title}”",
        lede="Close it from its page, saying what was done.",
        submit="Save",
        back=issue.get_absolute_url(),
        status=400 if form.errors else 200,
    )


def _post_on_issue(request, issue, form, act, *, title: str, submit: str, done: str):
    """A small form posted from the issue page: back to the page with a message, or the form
    on a page of its own when its text needs checking or it has errors to show in place."""
    if form.is_valid() and _apply(form, act) is not None:
        messages.success(request, done)
        return redirect(issue)
    return _form_page(
        request,
        form,
        title=title,
        lede="",
        submit=submit,
        back=issue.get_absolute_url(),
        status=400,
    )


@login_required
@require_POST
def issue_close(request, issue_id):
    issue, _ = _handled_issue(request, issue_id)
    return _post_on_issue(
        request,
        issue,
        NoteForm(request.POST),
        lambda data: services.issue_close(by=request.user, issue=issue, note=data["note"]),
        title=f"Close the issue “{issue.title}”",
        submit="Close the issue",
        done="Issue closed.",
    )


@login_required
@require_POST
def issue_reopen(request, issue_id):
    issue, _ = _handled_issue(request, issue_id)
    return _post_on_issue(
        request,
        issue,
        ReopenForm(request.POST),
        lambda data: services.issue_reopen(by=request.user, issue=issue, reason=data["reason"]),
        title=f"Reopen the issue “{issue.title}”",
        submit="Reopen",
        done="Issue reopened.",
    )


@login_required
@require_POST
def action_add(request, issue_id):
    issue, page = _handled_issue(request, issue_id)
    return _post_on_issue(
        request,
        issue,
        ActionForm(request.POST, owners=page.owners),
        lambda data: services.action_add(by=request.user, issue=issue, **data),
        title=f"Add an action to “{issue.title}”",
        submit="Add the action",
        done="Action added.",
    )


def _action(request, action_id) -> Action:
    actions = Action.objects.select_related("issue__unit", "owner")
    return access.object_or_404(request.user, actions, action_id, VIEWERS)


@login_required
def action_edit(request, action_id):
    action = _action(request, action_id)
    issue, page = _handled_issue(request, action.issue_id)
    initial = {"what": action.what, "owner": action.owner_id, "due_on": action.due_on}
    form = ActionForm(request.POST or None, initial=initial, owners=page.owners)
    if request.method == "POST" and form.is_valid():
        done = _apply(
            form, lambda data: services.action_update(by=request.user, action=action, **data)
        )
        if done is not None:
            messages.success(request, "Action saved.")
            return redirect(action)
    return _form_page(
        request,
        form,
        title=f"Change the action “{action.what}”",
        lede=f"An action on the issue “{issue.title}”.",
        submit="Save",
        back=action.get_absolute_url(),
        status=400 if form.errors else 200,
    )


def _action_step(request, action_id, act, done: str):
    action = _action(request, action_id)
    try:
        act(action)
    except ValidationError as error:
        messages.error(request, f"Nothing was changed: {' '.join(error.messages)}")
    else:
        messages.success(request, done)
    return redirect(action)


@login_required
@require_POST
def action_complete(request, action_id):
    return _action_step(
        request,
        action_id,
        lambda action: services.action_complete(by=request.user, action=action),
        "Action marked done.",
    )


@login_required
@require_POST
def action_reopen(request, action_id):
    return _action_step(
        request,
        action_id,
        lambda action: services.action_reopen(by=request.user, action=action),
        "Action marked not done.",
    )
