"""The API for issues and their actions: what the issue pages show and do, for another system
(an incident system raising issues, a warehouse reading them), through qms.issues.services and
the same permission checks as the pages.

An anonymous staff concern (qms.culture) is an issue with no author, no owner until a handler
takes one, and its times cut to the day. The API shows no more of it than the issue's page: the
day it was raised (never a time, for any issue, so neighbouring issues cannot bracket it), who
raised it only when named, and nothing of the concern's thread or follow-up code."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from qms.issues import selectors, services
from qms.issues.models import Action, Issue, IssueSource, IssueStatus
from qms.issues.roles import GRANTED_VIEWERS, RAISERS, VIEWERS
from qms.people import access
from qms.people.models import Person, Unit
from qms.web.api import (
    ApiProblem,
    Errors,
    ListFilters,
    Page,
    PersonRef,
    filtered,
    get_visible,
    id_in_range,
    paginate,
    screen,
)

router = Router(tags=["Issues"])

TITLE_MAX = services.TITLE_MAX
WHAT_MAX = services.WHAT_MAX


class IssueOut(Schema):
    id: int
    unit: int = Field(..., alias="unit_id")
    title: str
    description: str
    source: IssueSource
    status: IssueStatus
    owner: PersonRef | None = None
    raised_on: dt.date = Field(..., description="The day it was raised (the day only).")
    raised_by: PersonRef | None = Field(
        None, description="Who raised it; null when raised by a system or anonymously."
    )
    closed_at: dt.datetime | None = None
    closing_note: str

    @staticmethod
    def resolve_raised_on(issue: Issue) -> dt.date:
        return timezone.localtime(issue.created_at).date()

    @staticmethod
    def resolve_raised_by(issue: Issue) -> Person | None:
        return issue.created_by


class IssueIn(Schema):
    unit: int = Field(..., description="The unit the issue is in.")
    title: str = Field(..., min_length=1, max_length=TITLE_MAX)
    source: IssueSource
    description: str = Field("", max_length=5000)
    owner: int = Field(..., description="The person who owns it: active staff of the unit.")


class IssuePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=TITLE_MAX)
    description: str | None = Field(None, max_length=5000)
    source: IssueSource | None = None
    owner: int | None = Field(None, description="Active staff of the issue's unit.")
    status: IssueStatus | None = Field(
        None,
        description="`closed` closes it (give `note`); `open` or `in_progress` on a closed "
        "issue reopens it (give `reason`).",
    )
    note: str | None = Field(
        None, max_length=2000, description="What was done or found: needed to close it."
    )
    reason: str | None = Field(
        None,
        max_length=2000,
        description="Why: needed to reopen it; otherwise kept in the issue's history.",
    )


class IssueFilters(ListFilters):
    status: IssueStatus | None = None
    source: IssueSource | None = None


class ActionOut(Schema):
    id: int
    issue: int = Field(..., alias="issue_id")
    what: str
    owner: PersonRef | None = None
    due_on: dt.date
    done: bool = Field(..., alias="is_done")
    done_at: dt.datetime | None = None
    done_by: PersonRef | None = None


class ActionIn(Schema):
    what: str = Field(..., min_length=1, max_length=WHAT_MAX)
    owner: int = Field(..., description="Who will do it: active staff of the issue's unit.")
    due_on: dt.date


class ActionPatch(Schema):
    what: str | None = Field(None, min_length=1, max_length=WHAT_MAX)
    owner: int | None = None
    due_on: dt.date | None = None
    done: bool | None = Field(None, description="true marks it done; false, not done after all.")


def _issues():
    return Issue.objects.select_related("unit", "owner", "created_by")


def _owner(unit: Unit, person_id: int, field: str = "owner") -> Person:
    """One of the people who may own an issue or action of the unit (the page's choices)."""
    for person in selectors.owners_in(unit):
        if person.pk == person_id:
            return person
    raise ApiProblem(field, f"is not one of the active staff of {unit} who may own it.")


def _viewed_issue(request, issue_id: int) -> Issue:
    return access.object_or_404(request.user, _issues(), issue_id, VIEWERS, granted=GRANTED_VIEWERS)


def _handled_issue(request, issue_id: int) -> Issue:
    """As the issue's change page: its unit's staff see it; the services decide who handles."""
    return get_visible(request, _issues(), issue_id, VIEWERS)


# Issues -----------------------------------------------------------------------------------------


@router.get("", response={200: Page[IssueOut], 400: Errors, 404: Errors})
def list_issues(request, filters: Query[IssueFilters]):
    """The issues the key sees, as on the unit's issues page (`since`/`until`: the day raised)."""
    issues = access.visible(request.user, _issues(), VIEWERS)
    if filters.status:
        issues = issues.filter(status=filters.status)
    if filters.source:
        issues = issues.filter(source=filters.source)
    issues = filtered(request, issues, filters, date_field="created_at__date")
    return paginate(issues, filters)


@router.get("/{int:issue_id}", response={200: IssueOut, 403: Errors, 404: Errors})
def get_issue(request, issue_id: int):
    return _viewed_issue(request, issue_id)


@router.post("", response={201: IssueOut, 400: Errors, 403: Errors, 404: Errors})
def raise_issue(request, payload: IssueIn):
    """Raise an issue in a unit, as the unit's "Raise an issue" page does (its staff may)."""
    unit = access.object_or_404(request.user, Unit, payload.unit, RAISERS)
    screen(title=payload.title, description=payload.description)
    issue = services.issue_raise(
        by=request.user,
        unit=unit,
        title=payload.title,
        source=payload.source,
        description=payload.description,
        owner=_owner(unit, payload.owner),
    )
    return Status(201, issue)


@router.patch("/{int:issue_id}", response={200: IssueOut, 400: Errors, 403: Errors, 404: Errors})
def change_issue(request, issue_id: int, payload: IssuePatch):
    """Change an issue as its page does: its title, description, source, owner and status;
    `status: closed` closes it with a `note`, and a closed issue is reopened with a `reason`.
    All or nothing."""
    issue = _handled_issue(request, issue_id)
    sent = payload.dict(exclude_unset=True)
    screen(
        title=sent.get("title"),
        description=sent.get("description"),
        note=sent.get("note"),
        reason=sent.get("reason"),
    )
    changes = {
        name: value
        for name, value in sent.items()
        if name in {"title", "description", "source", "owner"} and value is not None
    }
    if "owner" in changes:
        changes["owner"] = _owner(issue.unit, changes["owner"])
    status = sent.get("status")
    reason = sent.get("reason") or ""
    if not changes and status is None:
        raise ApiProblem(None, "Send a field to change: title, description, source, owner, status.")
    if "note" in sent and status != IssueStatus.CLOSED:
        raise ApiProblem("note", "is the closing note: send it with status closed.")
    with transaction.atomic():
        if issue.is_closed and status in (IssueStatus.OPEN, IssueStatus.IN_PROGRESS):
            issue = services.issue_reopen(by=request.user, issue=issue, reason=reason)
            if status != issue.status:
                changes["status"] = status
            reason = ""
        elif status in (IssueStatus.OPEN, IssueStatus.IN_PROGRESS):
            changes["status"] = status
        if changes:
            issue = services.issue_update(by=request.user, issue=issue, reason=reason, **changes)
        if status == IssueStatus.CLOSED:
            if not (sent.get("note") or "").strip():
                raise ApiProblem("note", "Say what was done or found to close the issue.")
            issue = services.issue_close(by=request.user, issue=issue, note=sent["note"])
    return _issues().get(pk=issue.pk)


# Actions ----------------------------------------------------------------------------------------


def _action(issue: Issue, action_id: int) -> Action:
    if not id_in_range(action_id):
        raise ApiProblem(None, "Not found, or not in the units this key may see.", 404)
    action = (
        Action.objects.select_related("issue__unit", "owner", "done_by")
        .filter(issue=issue, pk=action_id)
        .first()
    )
    if action is None:
        raise ApiProblem(None, "Not found, or not in the units this key may see.", 404)
    action.issue = issue
    return action


@router.get(
    "/{int:issue_id}/actions",
    response={200: Page[ActionOut], 400: Errors, 403: Errors, 404: Errors},
)
def list_actions(request, issue_id: int, filters: Query[ListFilters]):
    """The issue's actions (`since`/`until`: due date; `unit` is not used here)."""
    issue = _viewed_issue(request, issue_id)
    actions = issue.actions.select_related("owner", "done_by")
    filters.unit = None
    return paginate(filtered(request, actions, filters, date_field="due_on"), filters)


@router.get(
    "/{int:issue_id}/actions/{int:action_id}",
    response={200: ActionOut, 403: Errors, 404: Errors},
)
def get_action(request, issue_id: int, action_id: int):
    return _action(_viewed_issue(request, issue_id), action_id)


@router.post(
    "/{int:issue_id}/actions",
    response={201: ActionOut, 400: Errors, 403: Errors, 404: Errors},
)
def add_action(request, issue_id: int, payload: ActionIn):
    """Add an action to an open issue (its owner or a lead of its unit may)."""
    issue = _handled_issue(request, issue_id)
    screen(what=payload.what)
    action = services.action_add(
        by=request.user,
        issue=issue,
        what=payload.what,
        owner=_owner(issue.unit, payload.owner),
        due_on=payload.due_on,
    )
    return Status(201, action)


@router.patch(
    "/{int:issue_id}/actions/{int:action_id}",
    response={200: ActionOut, 400: Errors, 403: Errors, 404: Errors},
)
def change_action(request, issue_id: int, action_id: int, payload: ActionPatch):
    """Change what an action is, who does it or when it is due (the issue's owner or a lead),
    or mark it done or not done (its own owner too). All or nothing."""
    issue = _handled_issue(request, issue_id)
    action = _action(issue, action_id)
    sent = payload.dict(exclude_unset=True)
    screen(what=sent.get("what"))
    edits = {name: sent[name] for name in ("what", "owner", "due_on") if sent.get(name) is not None}
    done = sent.get("done")
    if not sent:
        raise ApiProblem(None, "Send at least one field to change.")
    with transaction.atomic():
        if done is False:
            action = services.action_reopen(by=request.user, action=action)
        if edits:
            owner = _owner(issue.unit, edits["owner"]) if "owner" in edits else action.owner
            action = services.action_update(
                by=request.user,
                action=action,
                what=edits.get("what", action.what),
                owner=owner,
                due_on=edits.get("due_on", action.due_on),
            )
        if done is True:
            action = services.action_complete(by=request.user, action=action)
    return _action(issue, action.pk)
