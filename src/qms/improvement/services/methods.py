"""Writes of quality improvement: the structures of each method beside the Model for
Improvement's cycles. A Lean project's A3, an experience-based co-design project's five stages,
and project-management milestones with owners and due dates (overdue ones remind their owner
once per due date). The project's team writes them (`authorise_team`); any project may use the
structures of another method too."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from qms.core.dates import out_of_reach
from qms.improvement.models import (
    A3,
    EbcdStage,
    EbcdStageName,
    Milestone,
    Project,
    StageStatus,
)
from qms.improvement.services.projects import authorise_team
from qms.notifications.models import NotificationKind
from qms.notifications.services import notify
from qms.people.history import record_by
from qms.people.models import Person

__all__ = [
    "A3_FIELDS",
    "A3_SECTIONS",
    "a3_update",
    "ebcd_stage_update",
    "ebcd_stages_ensure",
    "milestone_add",
    "milestone_complete",
    "milestone_remove",
    "milestone_reopen",
    "milestone_update",
    "milestones_remind_overdue",
]

# The A3's sections in the order it is read (left column, then right), each with its heading
# and what it holds (the Lean A3 of problem solving: Sobek and Smalley, "Understanding A3
# Thinking", 2008).
A3_SECTIONS = {
    "background": ("Background", "Why this matters: the problem, for whom, and its context."),
    "current_condition": (
        "Current condition",
        "What happens now, shown with data: the process as it is, the measures.",
    ),
    "goal": ("Goal", "The target condition: how much better, by when."),
    "root_causes": (
        "Root causes",
        "Why the problem happens (five whys, a fishbone diagram): causes, not people.",
    ),
    "countermeasures": (
        "Countermeasures",
        "What will change to remove each root cause.",
    ),
    "plan": ("Plan", "Who does what, by when, to put the countermeasures in place."),
    "follow_up": (
        "Follow-up",
        "How the results will be checked, and the change kept or adjusted.",
    ),
}
A3_FIELDS = tuple(A3_SECTIONS)
# A section is a few paragraphs: an A3 is one sheet of paper.
A3_TEXT_MAX = 4000
NOTES_MAX = 4000
MILESTONE_FIELDS = frozenset({"title", "due_on", "owner"})
_TITLE_MAX = Milestone._meta.get_field("title").max_length


def _text(value, field: str, label: str, *, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: f"{label} must be text."})
    value = value.strip()
    if required and not value:
        raise ValidationError({field: f"Give the {label.lower()}."})
    if len(value) > limit:
        raise ValidationError(
            {field: f"{label} is {len(value):,} characters long; at most {limit:,} fit."}
        )
    return value


def _date(value, field: str, label: str, *, required: bool = False) -> dt.date | None:
    if value is None:
        if required:
            raise ValidationError({field: f"Give the {label.lower()}."})
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise ValidationError({field: f"The {label.lower()} must be a date."})
    problem = out_of_reach(value, label)
    if problem:
        raise ValidationError({field: problem})
    return value


def _label(field: str) -> str:
    return A3_SECTIONS[field][0]


# The A3 ------------------------------------------------------------------------------------------


@transaction.atomic
def a3_update(*, by: Person | None, project: Project, reason: str = "", **fields) -> A3:
    """Write sections of the project's A3 (made on first write): background, current
    condition, goal, root causes, countermeasures, plan, follow-up. The team's, whatever the
    project's method."""
    authorise_team(by, project, "edit the A3")
    unknown = set(fields) - set(A3_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown A3 sections: {', '.join(sorted(unknown))}")
    cleaned = {
        name: _text(value, name, _label(name), limit=A3_TEXT_MAX) for name, value in fields.items()
    }
    a3 = A3.objects.select_for_update().filter(project=project).first() or A3(project=project)
    created = a3.pk is None
    for name, value in cleaned.items():
        setattr(a3, name, value)
    record_by(a3, by, reason.strip()[:100] or ("A3 started" if created else "A3 changed"))
    a3.save()
    return a3


# Experience-based co-design ------------------------------------------------------------------


@transaction.atomic
def ebcd_stages_ensure(*, project: Project, by: Person | None = None) -> list[EbcdStage]:
    """The project's five co-design stages, made (not started) where missing: when a project
    is started as, or becomes, an experience-based co-design project (`project_create`,
    `project_update`), or a stage of another method's project is first written. Returns them
    in the order they are done.

    Not authorised here: it adds only empty stages, for services that have authorised their
    own write (a person who starts a project may not be on its team); `by` is recorded."""
    have = {stage.stage: stage for stage in EbcdStage.objects.filter(project=project)}
    for name in EbcdStageName.values:
        if name not in have:
            stage = EbcdStage(project=project, stage=name)
            record_by(stage, by, "Co-design stages set up")
            stage.save()
            have[name] = stage
    return [have[name] for name in EbcdStageName.values]


@transaction.atomic
def ebcd_stage_update(
    *,
    by: Person | None,
    project: Project,
    stage: str,
    status: str,
    notes: str = "",
    started_on: dt.date | None = None,
    completed_on: dt.date | None = None,
    reason: str = "",
) -> EbcdStage:
    """Record where a co-design stage is (not started, in progress, done), its notes and dates.
    Starting a stage dates it today unless a date is given; finishing it too."""
    authorise_team(by, project, "change co-design stages")
    if stage not in EbcdStageName.values:
        raise ValidationError({"stage": f"{stage!r} is not a co-design stage."})
    if status not in StageStatus.values:
        raise ValidationError({"status": "Choose not started, in progress or done."})
    notes = _text(notes, "notes", "Notes", limit=NOTES_MAX)
    started_on = _date(started_on, "started_on", "Start date")
    completed_on = _date(completed_on, "completed_on", "Date done")
    today = timezone.localdate()
    if status == StageStatus.NOT_STARTED:
        if completed_on is not None:
            raise ValidationError({"completed_on": "A stage not started has no date done."})
    elif started_on is None:
        started_on = today if completed_on is None else min(today, completed_on)
    if status == StageStatus.DONE and completed_on is None:
        completed_on = max(today, started_on) if started_on else today
    if status == StageStatus.IN_PROGRESS and completed_on is not None:
        raise ValidationError(
            {"completed_on": "A stage in progress has no date done yet: mark it done."}
        )
    if started_on and completed_on and completed_on < started_on:
        raise ValidationError({"completed_on": "The date done is before the start date."})
    ebcd_stages_ensure(project=project, by=by)
    row = EbcdStage.objects.select_for_update().get(project=project, stage=stage)
    row.status, row.notes = status, notes
    row.started_on, row.completed_on = started_on, completed_on
    record_by(row, by, reason.strip()[:100] or StageStatus(status).label)
    row.save()
    return row


# Milestones --------------------------------------------------------------------------------


def _check_owner(owner: Person | None, project: Project) -> None:
    """An owner is an active person on the project's team (or a lead of its unit)."""
    if owner is None:
        return
    from qms.improvement.services.projects import may_work_on

    if not isinstance(owner, Person) or not owner.is_active:
        raise ValidationError({"owner": "Choose an active person as the owner."})
    if not may_work_on(owner, project):
        raise ValidationError({"owner": f"{owner} is not on this project's team."})


@transaction.atomic
def milestone_add(
    *,
    by: Person | None,
    project: Project,
    title: str,
    due_on: dt.date,
    owner: Person | None = None,
) -> Milestone:
    """Add a milestone to the project's plan: what, who owns it, by when."""
    authorise_team(by, project, "add milestones")
    _check_owner(owner, project)
    milestone = Milestone(
        project=project,
        title=_text(title, "title", "Title", limit=_TITLE_MAX, required=True),
        due_on=_date(due_on, "due_on", "Due date", required=True),
        owner=owner,
    )
    record_by(milestone, by, "Added")
    milestone.save()
    return milestone


@transaction.atomic
def milestone_update(
    *, by: Person | None, milestone: Milestone, reason: str = "", **fields
) -> Milestone:
    """Change a milestone's title, due date or owner. A new due date is reminded of again when
    it passes."""
    project = milestone.project
    authorise_team(by, project, "change milestones")
    unknown = set(fields) - MILESTONE_FIELDS
    if unknown:
        raise ValidationError(f"Unknown milestone fields: {', '.join(sorted(unknown))}")
    if "title" in fields:
        fields["title"] = _text(fields["title"], "title", "Title", limit=_TITLE_MAX, required=True)
    if "due_on" in fields:
        fields["due_on"] = _date(fields["due_on"], "due_on", "Due date", required=True)
    if "owner" in fields:
        _check_owner(fields["owner"], project)
    for name, value in fields.items():
        setattr(milestone, name, value)
    record_by(milestone, by, reason.strip()[:100] or "Changed")
    milestone.save()
    return milestone


@transaction.atomic
def milestone_complete(
    *, by: Person | None, milestone: Milestone, done_on: dt.date | None = None
) -> Milestone:
    """Mark a milestone done (today unless a date is given; not in the future)."""
    authorise_team(by, milestone.project, "complete milestones")
    if milestone.done_on is not None:
        raise ValidationError("This milestone is already done.")
    today = timezone.localdate()
    done_on = _date(done_on, "done_on", "Date done") or today
    if done_on > today:
        raise ValidationError({"done_on": "The date done cannot be in the future."})
    milestone.done_on = done_on
    record_by(milestone, by, "Done")
    milestone.save()
    return milestone


@transaction.atomic
def milestone_reopen(*, by: Person | None, milestone: Milestone, reason: str = "") -> Milestone:
    """Undo a milestone's completion (marked done by mistake, or work came back)."""
    authorise_team(by, milestone.project, "reopen milestones")
    if milestone.done_on is None:
        raise ValidationError("This milestone is not done.")
    milestone.done_on = None
    record_by(milestone, by, reason.strip()[:100] or "Reopened")
    milestone.save()
    return milestone


@transaction.atomic
def milestone_remove(*, by: Person | None, milestone: Milestone, reason: str) -> None:
    """Take a milestone off the plan; its history keeps it, who removed it and why."""
    authorise_team(by, milestone.project, "remove milestones")
    reason = _text(reason, "reason", "Reason", limit=100, required=True)
    record_by(milestone, by, reason)
    milestone.delete()


def milestones_remind_overdue(*, today: dt.date | None = None) -> int:
    """Tell the owner of each overdue milestone (not done, its due date past), or the
    project's lead when it has no owner, once for each due date: a new due date is reminded of
    again when it passes. Run daily by `qms remind-improvement`. Returns reminders sent."""
    today = today or timezone.localdate()
    overdue = (
        Milestone.objects.filter(done_on__isnull=True, due_on__lt=today)
        .exclude(reminded_for=F("due_on"))
        .select_related("owner", "project__lead")
        .order_by("pk")
    )
    return sum(_remind(milestone, today) for milestone in overdue)


@transaction.atomic
def _remind(milestone: Milestone, today: dt.date) -> int:
    # Claimed first: of two runs at once, only the one whose update changed the row tells.
    claimed = (
        Milestone.objects.filter(pk=milestone.pk, due_on=milestone.due_on, done_on__isnull=True)
        .exclude(reminded_for=F("due_on"))
        .update(reminded_for=F("due_on"))
    )
    person = milestone.owner or milestone.project.lead
    if not claimed or person is None or not person.is_active:
        return 0
    days = (today - milestone.due_on).days
    text = (
        f"Milestone overdue by {days} day{'s' if days != 1 else ''}: {milestone.title} "
        f"(due {milestone.due_on:%-d %b %Y}; project “{milestone.project.title}”)"
    )
    return len(notify([person], kind=NotificationKind.ACTION, text=text[:300], subject=milestone))
