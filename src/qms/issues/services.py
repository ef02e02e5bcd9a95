"""Every write to issues and actions: `<noun>_<verb>(*, by, ...)`, atomic, authorised through
`qms.people.access`, with the person and the reason in the history.

Who may: staff of a unit raise issues there; team leads, quality leads (and system
administrators) handle every issue of their units, and an issue's owner handles it too; an
action is completed or reopened by its owner or by a lead. `by=None` is the system itself (see
DEVELOPERS.md) and is not checked.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone

from qms.issues import registry, selectors
from qms.issues.models import Action, Issue, IssueSource, IssueStatus
from qms.issues.roles import HANDLERS, RAISERS, VIEWERS
from qms.notifications.services import notify
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Person, Unit

TITLE_MAX = Issue._meta.get_field("title").max_length
WHAT_MAX = Action._meta.get_field("what").max_length
# Statuses an issue is given by editing it; closing goes through issue_close, with a note.
EDITABLE_STATUSES = (IssueStatus.OPEN, IssueStatus.IN_PROGRESS)


def _lock(record):
    """Read the record again under a row lock, into the instance given: a request holds the
    record as it was when the request began, and another may have closed or changed it since
    (two leads closing the same issue: the second is told it is closed, not left to overwrite
    the first one's note)."""
    record.refresh_from_db(from_queryset=type(record).objects.select_for_update())
    return record


def _is_staff_on(person: Person | None, record) -> bool:
    return person is not None and access.can(person, record, VIEWERS)


def _authorise_handler(by: Person | None, issue: Issue, action: str) -> None:
    """Leads of the issue's unit, or the issue's owner while they are still staff there."""
    if by is not None and by.pk == issue.owner_id and _is_staff_on(by, issue):
        return
    access.authorise(by, issue, HANDLERS, action)


def _authorise_doer(by: Person | None, action: Action, verb: str) -> None:
    """The action's owner (while staff on its issue), or a lead of the issue's unit."""
    if by is not None and by.pk == action.owner_id and _is_staff_on(by, action.issue):
        return
    access.authorise(by, action.issue, HANDLERS, verb)


def _text(value, *, field: str, label: str, max_length: int, required: bool) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ValidationError({field: f"{label} must be text."})
    if required and not text:
        raise ValidationError({field: f"Give the {label.lower()}."})
    if len(text) > max_length:
        raise ValidationError({field: f"{label} is longer than {max_length:,} characters."})
    return text


def _check_owner(person, unit: Unit, *, field: str = "owner") -> Person | None:
    """An owner must be an active member of staff who can see the unit's issues."""
    if person is None:
        return None
    if not isinstance(person, Person) or not person.is_active:
        raise ValidationError({field: "Choose an active person as the owner."})
    if not access.can(person, unit, VIEWERS):
        raise ValidationError(
            {field: f"{person} is not on the staff of {unit}, so cannot own this."}
        )
    return person


def _check_source(source: str) -> str:
    if source not in IssueSource.values:
        raise ValidationError({"source": "Choose where the issue came from."})
    return source


def _check_due(due_on, *, today: dt.date) -> dt.date:
    if isinstance(due_on, dt.datetime) or not isinstance(due_on, dt.date):
        raise ValidationError({"due_on": "Give the due date as a date, e.g. 2026-12-31."})
    if due_on < today:
        raise ValidationError({"due_on": "The due date is in the past."})
    return due_on


def _check_open(issue: Issue) -> None:
    if issue.is_closed:
        raise ValidationError("This issue is closed: reopen it first.")


# Issues -----------------------------------------------------------------------------------------


@transaction.atomic
def issue_raise(
    *,
    by: Person | None,
    unit: Unit,
    title: str,
    source: str | None = None,
    description: str = "",
    source_record: Model | None = None,
    owner: Person | None = None,
) -> Issue:
    """Raise an issue in a unit. `source` is where it came from (an `IssueSource`); when it came
    from a record (a signal, an incident report...), `source_record` links to it, and its kind
    is the registered one unless given. The owner is the person raising it unless named."""
    access.authorise(by, unit, RAISERS, "raise issues")
    title = _text(title, field="title", label="Title", max_length=TITLE_MAX, required=True)
    description = _text(
        description, field="description", label="Description", max_length=5000, required=False
    )
    if source_record is not None:
        kind = registry.source_kind(source_record)
        if kind is None:
            raise ValidationError({"source": "An issue cannot come from this kind of record."})
        # The record must be one the raiser can see, in the issue's unit or below it.
        access.authorise(by, source_record, VIEWERS, "raise issues about this record")
        if not access.unit_of(source_record).path.startswith(unit.path):
            raise ValidationError({"source": f"The source is not in {unit} or below it."})
        source = source or kind
    source = _check_source(source)
    owner = _check_owner(owner if owner is not None else by, unit)
    issue = Issue(
        unit=unit,
        title=title,
        description=description,
        source=source,
        source_record=source_record,
        owner=owner,
        created_by=by,
    )
    record_by(issue, by, "Raised")
    issue.save()
    _tell_new_owner(issue, by)
    return issue


def _tell_new_owner(issue: Issue, by: Person | None) -> None:
    if issue.owner is not None and issue.owner != by:
        text = f"You own the issue “{issue.title}” in {issue.unit}."
        notify([issue.owner], kind="issue", text=text, subject=issue)


def _tell_action_owner(action: Action, by: Person | None) -> None:
    if action.owner is not None and action.owner != by:
        text = f"Action for you, due {action.due_on.day} {action.due_on:%b %Y}: {action.what}"
        notify([action.owner], kind="action", text=text, subject=action)


UPDATABLE = {"title", "description", "source", "owner", "status"}


@transaction.atomic
def issue_update(*, by: Person | None, issue: Issue, reason: str = "", **changes) -> Issue:
    """Change an open issue's title, description, source kind, owner or status (open or in
    progress; closing takes a note, through issue_close)."""
    _lock(issue)
    _authorise_handler(by, issue, "change issues")
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationError(f"Issues have no field {', '.join(sorted(unknown))}.")
    _check_open(issue)
    if "title" in changes:
        changes["title"] = _text(
            changes["title"], field="title", label="Title", max_length=TITLE_MAX, required=True
        )
    if "description" in changes:
        changes["description"] = _text(
            changes["description"],
            field="description",
            label="Description",
            max_length=5000,
            required=False,
        )
    if "source" in changes:
        _check_source(changes["source"])
    if "owner" in changes:
        _check_owner(changes["owner"], issue.unit)
    if "status" in changes and changes["status"] not in EDITABLE_STATUSES:
        raise ValidationError({"status": "Choose open or in progress (close it with a note)."})
    new_owner = "owner" in changes and changes["owner"] != issue.owner
    for name, value in changes.items():
        setattr(issue, name, value)
    record_by(issue, by, reason.strip() or "Changed")
    issue.save()
    if new_owner:
        _tell_new_owner(issue, by)
    return issue


@transaction.atomic
def issue_close(*, by: Person | None, issue: Issue, note: str) -> Issue:
    """Close the issue, saying what was done or found."""
    _lock(issue)
    _authorise_handler(by, issue, "close issues")
    _check_open(issue)
    note = _text(note, field="note", label="Closing note", max_length=2000, required=True)
    issue.status, issue.closed_at, issue.closing_note = IssueStatus.CLOSED, timezone.now(), note
    record_by(issue, by, "Closed")
    issue.save()
    return issue


@transaction.atomic
def issue_reopen(*, by: Person | None, issue: Issue, reason: str) -> Issue:
    """Open a closed issue again, saying why. It is in progress again if it has actions."""
    _lock(issue)
    _authorise_handler(by, issue, "reopen issues")
    if not issue.is_closed:
        raise ValidationError("This issue is not closed.")
    reason = _text(reason, field="reason", label="Reason", max_length=2000, required=True)
    issue.status = IssueStatus.IN_PROGRESS if issue.actions.exists() else IssueStatus.OPEN
    issue.closed_at = None
    record_by(issue, by, f"Reopened: {reason}")
    issue.save()
    return issue


# Actions ----------------------------------------------------------------------------------------


@transaction.atomic
def action_add(
    *, by: Person | None, issue: Issue, what: str, owner: Person | None, due_on: dt.date
) -> Action:
    """Add an action to an open issue: what will be done, by whom, by when. An issue no one
    had started on is in progress from now."""
    _lock(issue)
    _authorise_handler(by, issue, "add actions")
    _check_open(issue)
    what = _text(what, field="what", label="What will be done", max_length=WHAT_MAX, required=True)
    if owner is None:
        raise ValidationError({"owner": "Choose who will do it."})
    _check_owner(owner, issue.unit)
    due_on = _check_due(due_on, today=timezone.localdate())
    action = Action(issue=issue, what=what, owner=owner, due_on=due_on, created_by=by)
    record_by(action, by, "Added")
    action.save()
    _tell_action_owner(action, by)
    if issue.status == IssueStatus.OPEN:
        issue.status = IssueStatus.IN_PROGRESS
        record_by(issue, by, f"Action added: {what}")
        issue.save(update_fields=["status"])
    return action


@transaction.atomic
def action_update(
    *, by: Person | None, action: Action, what: str, owner: Person | None, due_on: dt.date
) -> Action:
    """Change what an action is, who does it or when it is due (a new due date gets its own
    reminder when it passes)."""
    _lock(action.issue)
    _lock(action)
    _authorise_handler(by, action.issue, "change actions")
    _check_open(action.issue)
    if action.is_done:
        raise ValidationError("This action is done: reopen it first.")
    what = _text(what, field="what", label="What will be done", max_length=WHAT_MAX, required=True)
    if owner is None:
        raise ValidationError({"owner": "Choose who will do it."})
    _check_owner(owner, action.issue.unit)
    if due_on != action.due_on:
        due_on = _check_due(due_on, today=timezone.localdate())
    new_owner = owner != action.owner
    action.what, action.owner, action.due_on = what, owner, due_on
    record_by(action, by, "Changed")
    action.save()
    if new_owner:
        _tell_action_owner(action, by)
    return action


@transaction.atomic
def action_complete(*, by: Person | None, action: Action) -> Action:
    """Mark the action done."""
    _lock(action.issue)
    _lock(action)
    _authorise_doer(by, action, "complete actions")
    _check_open(action.issue)
    if action.is_done:
        raise ValidationError("This action is already done.")
    action.done_at, action.done_by = timezone.now(), by
    record_by(action, by, "Done")
    action.save()
    return action


@transaction.atomic
def action_reopen(*, by: Person | None, action: Action) -> Action:
    """Mark a done action as not done after all."""
    _lock(action.issue)
    _lock(action)
    _authorise_doer(by, action, "reopen actions")
    _check_open(action.issue)
    if not action.is_done:
        raise ValidationError("This action is not done.")
    action.done_at, action.done_by = None, None
    record_by(action, by, "Reopened")
    action.save()
    return action


# Reminders --------------------------------------------------------------------------------------


def actions_remind_overdue(*, today: dt.date | None = None) -> int:
    """Tell each owner of an overdue action about it, once for each due date: a reminder is
    not sent again for the same action unless its due date is moved (and passes again). Run
    daily by `qms remind-actions`. The system's work (no person asks for it). Returns how many
    reminders were sent."""
    today = today or timezone.localdate()
    sent = 0
    for action in selectors.overdue_actions(today):
        sent += _remind(action)
    return sent


@transaction.atomic
def _remind(action: Action) -> int:
    # Claim the reminder first: of two runs at once, only the one whose update changed the row
    # sends it.
    claimed = (
        Action.objects.filter(pk=action.pk, due_on=action.due_on, done_at__isnull=True)
        .exclude(reminded_for=F("due_on"))
        .update(reminded_for=F("due_on"))
    )
    if not claimed:
        return 0
    days = (timezone.localdate() - action.due_on).days
    text = (
        f"Overdue by {days} day{'s' if days != 1 else ''}: {action.what} "
        f"(issue “{action.issue.title}”, {action.issue.unit})"
    )
    return len(notify([action.owner], kind="action", text=text, subject=action))


# Escalation (qms.escalation calls these, registered in IssuesConfig.ready()) -------------------
# The escalation service has authorised `by` (a handler where the issue sits, or a responder of
# the unit it reached) and runs these inside its transaction: they record what the answer does.


def issue_may_escalate(issue: Issue) -> None:
    """A closed issue is not escalated."""
    _check_open(issue)


@transaction.atomic
def issue_escalated(issue: Issue, *, by: Person | None, escalation) -> None:
    """An issue passed up is being worked on, above if not here."""
    if issue.status == IssueStatus.OPEN:
        issue.status = IssueStatus.IN_PROGRESS
        record_by(issue, by, f"Escalated to {escalation.to_unit}")
        issue.save(update_fields=["status"])


@transaction.atomic
def issue_decided(issue: Issue, *, by: Person | None, escalation, decision: str) -> None:
    """Returned to the team, the issue is theirs again, in progress; resolved above, it is
    closed with the response as its closing note. Accepted, it stays as it is, and so does an
    issue the team closed meanwhile."""
    if decision == "return" and issue.status == IssueStatus.OPEN:
        issue.status = IssueStatus.IN_PROGRESS
    elif decision == "resolve" and not issue.is_closed:
        issue.status, issue.closed_at = IssueStatus.CLOSED, timezone.now()
        issue.closing_note = escalation.response
    else:
        return
    record_by(issue, by, f"{escalation.get_status_display()} by {escalation.to_unit}")
    issue.save()
