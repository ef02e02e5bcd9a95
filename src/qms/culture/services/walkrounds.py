"""Writes of walkrounds: every write authorises `by`, is atomic and keeps history.

Senior leaders (roles.WALKROUND_LEADERS in the unit or above) plan a walkround, record it as
done with what staff raised, raise an issue with an action for an item that needs one (through
qms.issues, the walkround item as the issue's source), and record the feedback given back to
the team. `by=None` is the system itself (the demo)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qms.culture import roles
from qms.culture.models.walkrounds import (
    FEEDBACK_MAX,
    FOCUS_MAX,
    WHAT_MAX,
    Walkround,
    WalkroundItem,
    WalkroundStatus,
    WalkroundTheme,
)
from qms.issues import services as issue_services
from qms.issues.models import Action
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Person, Unit
from qms.web.screening import refusals

# A walkround is planned within a year either way: further is a slip of the keyboard, and a
# walkround done long ago and never recorded has lost what staff said.
_YEAR = dt.timedelta(days=366)
ISSUE_TITLE_MAX = 120


def _today() -> dt.date:
    return timezone.localdate()


def _text(value, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    """Text as stored: stripped, within its length, without what is refused everywhere
    (control characters, NHS numbers); the form has already asked about prompts."""
    if value is not None and not isinstance(value, str):
        raise ValidationError({field: f"{label} must be text."})
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: f"Give {label.lower()}."})
    if len(text) > max_length:
        raise ValidationError({field: f"{label} is longer than {max_length:,} characters."})
    problems = refusals(text, label=label)
    if problems:
        raise ValidationError({field: problems})
    return text


def _date(value, *, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationError({field: f"Give the {label} as a date, e.g. 2026-12-31."})
    return value


def _check_leaders(leaders, unit: Unit) -> list[Person]:
    """The leaders going: at least one, each an active person who may lead a walkround there."""
    people = list(dict.fromkeys(leaders or []))
    if not people:
        raise ValidationError({"leaders": "Name at least one leader going."})
    for person in people:
        if not isinstance(person, Person) or not person.is_active:
            raise ValidationError({"leaders": "Choose active people as the leaders going."})
        if not access.can(person, unit, roles.WALKROUND_LEADERS):
            raise ValidationError(
                {"leaders": f"{person} does not lead walkrounds in {unit}: choose a senior leader."}
            )
    return people


def _shortened(text: str, length: int) -> str:
    """`text` in at most `length` characters, cut at a word where it is longer."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"


def _locked(walkround: Walkround) -> Walkround:
    """The walkround's row locked to the end of the transaction, as it is now: of two leaders
    recording the same visit at once, the second sees what the first did."""
    return Walkround.objects.select_for_update().select_related("unit").get(pk=walkround.pk)


def _require_status(walkround: Walkround, status: str, doing: str) -> None:
    if walkround.status != status:
        state = walkround.get_status_display().lower()
        raise ValidationError(f"This walkround is {state}: you cannot {doing}.")


@transaction.atomic
def walkround_plan(
    *,
    by: Person | None,
    unit: Unit,
    planned_on: dt.date,
    leaders,
    focus: str = "",
    today: dt.date | None = None,
) -> Walkround:
    """Plan a walkround of `unit` on a date, with the leaders going and its focus (senior
    leaders of the unit or above)."""
    access.authorise(by, unit, roles.WALKROUND_LEADERS, "plan walkrounds")
    today = today or _today()
    planned_on = _date(planned_on, field="planned_on", label="date")
    if abs(planned_on - today) > _YEAR:
        raise ValidationError({"planned_on": "Choose a date within a year of today."})
    focus = _text(focus, field="focus", label="Focus", max_length=FOCUS_MAX)
    people = _check_leaders(leaders, unit)
    walkround = Walkround(unit=unit, planned_on=planned_on, focus=focus, created_by=by)
    record_by(walkround, by, "Planned")
    walkround.save()
    walkround.leaders.set(people)
    return walkround


@transaction.atomic
def walkround_cancel(*, by: Person | None, walkround: Walkround, reason: str = "") -> Walkround:
    """Cancel a planned walkround (its unit's senior leaders)."""
    access.authorise(by, walkround, roles.WALKROUND_LEADERS, "cancel walkrounds")
    walkround = _locked(walkround)
    _require_status(walkround, WalkroundStatus.PLANNED, "cancel it")
    reason = _text(reason, field="reason", label="Reason", max_length=FOCUS_MAX)
    walkround.status = WalkroundStatus.CANCELLED
    record_by(walkround, by, f"Cancelled: {reason}" if reason else "Cancelled")
    walkround.save()
    return walkround


@transaction.atomic
def walkround_record(
    *, by: Person | None, walkround: Walkround, done_on: dt.date, today: dt.date | None = None
) -> Walkround:
    """Record a planned walkround as done on a date (not in the future); what staff raised is
    added to it next (walkround_item_add)."""
    access.authorise(by, walkround, roles.WALKROUND_LEADERS, "record walkrounds")
    walkround = _locked(walkround)
    _require_status(walkround, WalkroundStatus.PLANNED, "record it again")
    today = today or _today()
    done_on = _date(done_on, field="done_on", label="date it was done")
    if done_on > today:
        raise ValidationError({"done_on": "The walkround cannot be done in the future."})
    if today - done_on > _YEAR:
        raise ValidationError({"done_on": "Choose a date within the last year."})
    walkround.status = WalkroundStatus.DONE
    walkround.done_on = done_on
    record_by(walkround, by, "Done")
    walkround.save()
    return walkround


@transaction.atomic
def walkround_item_add(
    *,
    by: Person | None,
    walkround: Walkround,
    what: str,
    theme: str,
    action: str = "",
    owner: Person | None = None,
    due_on: dt.date | None = None,
) -> WalkroundItem:
    """Add what staff raised on a done walkround, with the part of the system it is about. When
    an `action` is given, an issue is raised for the item (source: staff concern, the item as
    its record) with that action for `owner` by `due_on`: its follow-up is then the issue's."""
    access.authorise(by, walkround, roles.WALKROUND_LEADERS, "record what staff raised")
    walkround = _locked(walkround)
    _require_status(walkround, WalkroundStatus.DONE, "add to it before it is done")
    what = _text(what, field="what", label="What staff raised", max_length=WHAT_MAX, required=True)
    if theme not in WalkroundTheme.values:
        raise ValidationError({"theme": "Choose the part of the system it is about."})
    action = _text(action, field="action", label="Action", max_length=Action.what.field.max_length)
    item = WalkroundItem(walkround=walkround, what=what, theme=theme, created_by=by)
    record_by(item, by, "Raised on the walkround")
    item.save()
    if action:
        _raise_issue(by=by, item=item, action=action, owner=owner, due_on=due_on)
    elif owner is not None or due_on is not None:
        raise ValidationError({"action": "Say what the action is, or leave its owner and date."})
    return item


def _raise_issue(
    *, by: Person | None, item: WalkroundItem, action: str, owner: Person | None, due_on
) -> None:
    """The issue and its first action for an item that needs one. The leader raising it owns the
    issue (so they may add and change its actions); the action's owner does the work."""
    if due_on is None:
        raise ValidationError({"due_on": "Give the action a due date."})
    if owner is None:
        raise ValidationError({"owner": "Name the action's owner."})
    unit = item.walkround.unit
    title = _shortened(f"Walkround: {item.what}", ISSUE_TITLE_MAX)
    issue = issue_services.issue_raise(
        by=by, unit=unit, title=title, description=item.what, source_record=item
    )
    issue_services.action_add(by=by, issue=issue, what=action, owner=owner, due_on=due_on)
    item.issue = issue
    record_by(item, by, "Issue raised")
    item.save(update_fields=["issue"])


@transaction.atomic
def walkround_feedback_give(
    *,
    by: Person | None,
    walkround: Walkround,
    feedback: str,
    feedback_on: dt.date,
    today: dt.date | None = None,
) -> Walkround:
    """Record the feedback given back to the team after a done walkround: what was said and
    when (its senior leaders). The unit's staff read it on the walkround's page."""
    access.authorise(by, walkround, roles.WALKROUND_LEADERS, "give walkround feedback")
    walkround = _locked(walkround)
    _require_status(walkround, WalkroundStatus.DONE, "give feedback before it is done")
    feedback = _text(
        feedback, field="feedback", label="Feedback", max_length=FEEDBACK_MAX, required=True
    )
    today = today or _today()
    feedback_on = _date(feedback_on, field="feedback_on", label="date feedback was given")
    if feedback_on > today:
        raise ValidationError({"feedback_on": "Feedback cannot be given in the future."})
    if walkround.done_on and feedback_on < walkround.done_on:
        raise ValidationError({"feedback_on": "Feedback comes after the walkround."})
    walkround.feedback = feedback
    walkround.feedback_on = feedback_on
    record_by(walkround, by, "Feedback given")
    walkround.save()
    return walkround
