"""Writes of quality improvement: PDSA cycles, each testing a change idea of a project's driver
diagram. A change idea's cycles, numbered from 1, are its ramp: each cycle learns from the one
before (`previous`) and its Act may start the next.

A cycle moves plan -> do -> study -> act -> done. Each stage's form may be saved as a draft
(`draft=True`: the cycle stays where it is) or saved and moved on; a stage already passed may
still be corrected (the plan after the test began, say), and history keeps what it said before.

Who may: the project's team (`roles.TEAM` in the unit, or `roles.TEAM_GRANTED` given on the
project: partners as equals). Every write puts the project's cycles on the charts of its
measures once it commits (`project_markers_sync`). `by=None` is the system and is not checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from qms.control import services as control_services
from qms.core.dates import out_of_reach
from qms.improvement.models import (
    ActDecision,
    CycleStage,
    DriverNode,
    NodeKind,
    PdsaCycle,
    Prediction,
    PredictionOutcome,
    Project,
    ProjectMeasure,
)
from qms.improvement.services.projects import authorise_team, may_work_on
from qms.notifications.models import NotificationKind
from qms.notifications.services import notify
from qms.people.history import record_by

__all__ = [
    "CYCLE_ORDER",
    "PLAN_FIELDS",
    "cycle_act",
    "cycle_create",
    "cycle_do",
    "cycle_plan_update",
    "cycle_remove",
    "cycle_study",
    "cycles_remind_overdue",
    "project_markers_sync",
]

# The stages in the order a cycle passes them.
CYCLE_ORDER = [CycleStage.PLAN, CycleStage.DO, CycleStage.STUDY, CycleStage.ACT, CycleStage.DONE]
_RANK = {stage: index for index, stage in enumerate(CYCLE_ORDER)}
_FIELD_MAX = {
    field.name: field.max_length
    for field in PdsaCycle._meta.get_fields()
    if getattr(field, "max_length", None)
}
QUESTION_MAX = Prediction._meta.get_field("question").max_length
# Long free text (objective, observations...): pages of prose, and bounded.
TEXT_MAX = 5000
# A cycle's dates: within reach (qms.core.dates), at most ten years ahead: a cycle is weeks
# long, and a slip's marker would land on no chart.
YEARS_AHEAD = 10
# The plan's fields other than predictions, as cycle_plan_update takes them.
PLAN_FIELDS = (
    "title",
    "objective",
    "questions",
    "who",
    "what",
    "where",
    "starts_on",
    "ends_on",
    "data_to_collect",
    "owner",
)
_LABELS = {
    "title": "Title",
    "objective": "Objective",
    "questions": "Questions",
    "who": "Who",
    "what": "What",
    "where": "Where",
    "data_to_collect": "Data to collect",
    "what_happened": "What happened",
    "observations": "Observations",
    "study_summary": "What the team learned",
    "act_notes": "Notes on the decision",
}
_REQUIRED = {"title", "objective"}


# Checks -----------------------------------------------------------------------------------------


def _text(value, name: str, *, required: bool = False) -> str:
    label = _LABELS.get(name, name.replace("_", " ").capitalize())
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({name: f"{label} must be text."})
    value = value.strip()
    if required and not value:
        raise ValidationError({name: f"Give the {label.lower()}."})
    limit = _FIELD_MAX.get(name) or TEXT_MAX
    if len(value) > limit:
        raise ValidationError({name: f"{label} is longer than {limit:,} characters."})
    return value


def _date(value, name: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationError({name: f"Give the {label} as a date, e.g. 2026-12-31."})
    problem = out_of_reach(value, label.capitalize(), years_ahead=YEARS_AHEAD)
    if problem:
        raise ValidationError({name: problem})
    return value


def _dates(starts_on, ends_on) -> tuple[dt.date, dt.date]:
    starts_on = _date(starts_on, "starts_on", "start date")
    ends_on = _date(ends_on, "ends_on", "end date")
    if ends_on < starts_on:
        raise ValidationError(
            {
                "ends_on": f"The cycle cannot end ({ends_on:%d %b %Y}) before it starts "
                f"({starts_on:%d %b %Y})."
            }
        )
    return starts_on, ends_on


def _check_owner(owner, project: Project):
    if owner is None:
        return None
    if not getattr(owner, "is_active", False) or not may_work_on(owner, project):
        raise ValidationError({"owner": f"{owner} is not on the project's team."})
    return owner


def _check_change_idea(change_idea, project: Project | None) -> DriverNode:
    if not isinstance(change_idea, DriverNode) or change_idea.kind != NodeKind.CHANGE_IDEA:
        raise ValidationError({"change_idea": "A cycle tests a change idea of the driver diagram."})
    if project is not None and change_idea.project_id != project.pk:
        raise ValidationError({"change_idea": "This change idea belongs to another project."})
    return change_idea


def _predictions(pairs, *, start: int = 1) -> list[tuple[str, str]]:
    checked = []
    for index, pair in enumerate(pairs or (), start=start):
        try:
            question, prediction = pair
        except (TypeError, ValueError):
            raise ValidationError(
                {"predictions": f"Prediction {index}: give a question and a prediction."}
            ) from None
        question = _checked_prediction_text(question, index, "question", QUESTION_MAX)
        prediction = _checked_prediction_text(prediction, index, "prediction", TEXT_MAX)
        if not prediction:
            if question:
                raise ValidationError(
                    {"predictions": f"Prediction {index}: say what you predict for “{question}”."}
                )
            continue
        checked.append((question, prediction))
    return checked


def _checked_prediction_text(value, index: int, what: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({"predictions": f"Prediction {index}: the {what} must be text."})
    value = value.strip()
    if len(value) > limit:
        raise ValidationError(
            {"predictions": f"Prediction {index}: the {what} is longer than {limit:,} characters."}
        )
    return value


def _tell_new_owner(cycle: PdsaCycle, by) -> None:
    """A person who makes someone else a cycle's owner tells them (the system does not: the
    demo's hundred cycles would fill inboxes)."""
    if by is None or cycle.owner is None or cycle.owner == by:
        return
    text = (
        f"You own {_marker_text(cycle)} (project “{cycle.project.title}”), "
        f"{cycle.starts_on:%d %b} to {cycle.ends_on:%d %b %Y}."
    )
    notify([cycle.owner], kind=NotificationKind.ACTION, text=text, subject=cycle)


def _lock(cycle: PdsaCycle) -> PdsaCycle:
    """Read the cycle again under a row lock, into the instance given: a page read before
    another person moved the cycle on must not move it back."""
    cycle.refresh_from_db(from_queryset=PdsaCycle.objects.select_for_update())
    return cycle


def _reached(cycle: PdsaCycle, stage: str) -> bool:
    return _RANK[cycle.stage] >= _RANK[stage]


def _sync_on_commit(project: Project) -> None:
    project_id = project.pk

    def sync() -> None:
        _sync_project_id(project_id)

    # Named, so a bulk writer (the demo's hundreds of writes in one transaction) can keep one
    # pending sync per project: each reads the project as it is at the commit.
    sync.syncs_project = project_id
    transaction.on_commit(sync)


def _sync_project_id(project_id: int) -> None:
    project = Project.objects.filter(pk=project_id).first()
    if project is not None:
        project_markers_sync(project=project)


# Plan -------------------------------------------------------------------------------------------


@transaction.atomic
def cycle_create(
    *,
    by,
    change_idea: DriverNode,
    title: str,
    objective: str,
    starts_on: dt.date,
    ends_on: dt.date,
    owner=None,
    questions: str = "",
    who: str = "",
    what: str = "",
    where: str = "",
    data_to_collect: str = "",
    predictions: Iterable[tuple[str, str]] = (),
    previous: PdsaCycle | None = None,
    project: Project | None = None,
) -> PdsaCycle:
    """Plan a new cycle testing `change_idea`: it takes the next number of the change idea's
    ramp and follows `previous` (by default the ramp's last cycle). `predictions` are
    (question, prediction) pairs, in order. `project`, when given, must be the change idea's."""
    _check_change_idea(change_idea, project)
    # Two cycles planned at once on one change idea: the lock makes the second wait for the
    # first's number.
    change_idea = (
        DriverNode.objects.select_for_update().select_related("project").get(pk=change_idea.pk)
    )
    project = change_idea.project
    authorise_team(by, project, "plan PDSA cycles")
    fields = {
        name: _text(value, name, required=name in _REQUIRED)
        for name, value in {
            "title": title,
            "objective": objective,
            "questions": questions,
            "who": who,
            "what": what,
            "where": where,
            "data_to_collect": data_to_collect,
        }.items()
    }
    starts_on, ends_on = _dates(starts_on, ends_on)
    owner = _check_owner(owner, project)
    pairs = _predictions(predictions)
    ramp = PdsaCycle.objects.filter(change_idea=change_idea)
    if previous is not None:
        if not isinstance(previous, PdsaCycle) or previous.change_idea_id != change_idea.pk:
            raise ValidationError(
                {"previous": "The previous cycle must test the same change idea."}
            )
    else:
        previous = ramp.order_by("-number").first()
    number = (ramp.aggregate(last=Max("number"))["last"] or 0) + 1
    cycle = PdsaCycle(
        project=project,
        change_idea=change_idea,
        number=number,
        previous=previous,
        owner=owner,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=by,
        **fields,
    )
    record_by(cycle, by, "Planned")
    cycle.save()
    _tell_new_owner(cycle, by)
    for position, (question, prediction) in enumerate(pairs, start=1):
        made = Prediction(cycle=cycle, position=position, question=question, prediction=prediction)
        record_by(made, by, "Predicted")
        made.save()
    _sync_on_commit(project)
    return cycle


@transaction.atomic
def cycle_plan_update(
    *,
    by,
    cycle: PdsaCycle,
    reason: str = "",
    predictions: Iterable[tuple] | None = None,
    draft: bool = True,
    **fields,
) -> PdsaCycle:
    """Change the plan (any of PLAN_FIELDS), at any stage: history keeps what it said. With
    `draft=False`, a cycle still at plan moves on to do. `predictions`, when given, are the
    plan's predictions in order, as (id or None, question, prediction): an existing one of this
    cycle keeps its result, None adds one, and one left out is removed."""
    _lock(cycle)
    project = cycle.project
    authorise_team(by, project, "change PDSA cycles")
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(f"A cycle's plan has no field {', '.join(sorted(unknown))}.")
    for name in set(fields) - {"starts_on", "ends_on", "owner"}:
        fields[name] = _text(fields[name], name, required=name in _REQUIRED)
    if "starts_on" in fields or "ends_on" in fields:
        fields["starts_on"], fields["ends_on"] = _dates(
            fields.get("starts_on", cycle.starts_on), fields.get("ends_on", cycle.ends_on)
        )
        if fields["ends_on"] != cycle.ends_on:
            # A new end date is reminded of again when it passes.
            cycle.reminded_for = None
    if "owner" in fields:
        _check_owner(fields["owner"], project)
    new_owner = "owner" in fields and fields["owner"] != cycle.owner
    rows = _prediction_rows(cycle, predictions) if predictions is not None else None
    for name, value in fields.items():
        setattr(cycle, name, value)
    moving_on = not draft and cycle.stage == CycleStage.PLAN
    if moving_on:
        cycle.stage = CycleStage.DO
    after_start = _reached(cycle, CycleStage.DO) and not moving_on
    default = "Plan changed after the test began" if after_start else "Plan saved"
    if moving_on:
        default = "Plan done: test under way"
    record_by(cycle, by, reason.strip() or default)
    cycle.save()
    if new_owner:
        _tell_new_owner(cycle, by)
    if rows is not None:
        _save_predictions(cycle, rows, by)
    _sync_on_commit(project)
    return cycle


def _prediction_rows(cycle: PdsaCycle, predictions) -> list[tuple[int | None, str, str]]:
    rows, ids = [], []
    for index, row in enumerate(predictions, start=1):
        try:
            pk, question, prediction = row
        except (TypeError, ValueError):
            raise ValidationError(
                {"predictions": f"Prediction {index}: give a question and a prediction."}
            ) from None
        checked = _predictions([(question, prediction)], start=index)
        if not checked:
            continue  # a blank row
        rows.append((pk, *checked[0]))
        if pk is not None:
            ids.append(pk)
    mine = set(cycle.predictions.values_list("pk", flat=True))
    if any(pk not in mine for pk in ids) or len(ids) != len(set(ids)):
        raise ValidationError({"predictions": "These predictions are not this cycle's."})
    return rows


def _save_predictions(cycle: PdsaCycle, rows, by) -> None:
    existing = {p.pk: p for p in cycle.predictions.all()}
    kept = set()
    for position, (pk, question, prediction) in enumerate(rows, start=1):
        record = existing.get(pk) if pk is not None else None
        if record is None:
            record = Prediction(cycle=cycle)
            reason = "Predicted"
        elif (record.position, record.question, record.prediction) == (
            position,
            question,
            prediction,
        ):
            kept.add(record.pk)
            continue
        else:
            reason = "Prediction changed"
            kept.add(record.pk)
        record.position, record.question, record.prediction = position, question, prediction
        record_by(record, by, reason)
        record.save()
    for pk, record in existing.items():
        if pk not in kept:
            record_by(record, by, "Prediction removed")
            record.delete()


# Do, Study, Act ---------------------------------------------------------------------------------


def _stage_write(cycle: PdsaCycle, by, stage: str, verb: str) -> Project:
    _lock(cycle)
    project = cycle.project
    authorise_team(by, project, verb)
    if not _reached(cycle, stage):
        before = CYCLE_ORDER[_RANK[stage] - 1]
        if before == CycleStage.PLAN and cycle.stage == CycleStage.PLAN:
            return project  # recording what happened starts the test
        raise ValidationError(
            f"Finish {CycleStage(before).label} first: this cycle is at "
            f"{cycle.get_stage_display()}."
        )
    return project


def _move_on(cycle: PdsaCycle, stage: str, draft: bool) -> bool:
    """Move a cycle at `stage` (or before it, for Do) to the stage after it, unless a draft."""
    if cycle.stage == CycleStage.PLAN and stage == CycleStage.DO:
        cycle.stage = CycleStage.DO
    if draft or cycle.stage != stage:
        return False
    cycle.stage = CYCLE_ORDER[_RANK[stage] + 1]
    return True


@transaction.atomic
def cycle_do(
    *, by, cycle: PdsaCycle, what_happened: str, observations: str, draft: bool = False
) -> PdsaCycle:
    """Record what happened when the change was tried, and what was observed. Unless a draft,
    a cycle at do (or still at plan) moves on to study."""
    project = _stage_write(cycle, by, CycleStage.DO, "record PDSA cycles")
    what_happened = _text(what_happened, "what_happened", required=not draft)
    observations = _text(observations, "observations")
    cycle.what_happened, cycle.observations = what_happened, observations
    moved = _move_on(cycle, CycleStage.DO, draft)
    record_by(cycle, by, "Do recorded: study next" if moved else "Do saved")
    cycle.save()
    _sync_on_commit(project)
    return cycle


@transaction.atomic
def cycle_study(
    *,
    by,
    cycle: PdsaCycle,
    study_summary: str,
    results: Mapping[int, tuple[str, str]],
    draft: bool = False,
) -> PdsaCycle:
    """Compare the results with the predictions: `results` maps each prediction's id (of this
    cycle) to (what the data showed, a PredictionOutcome). Unless a draft, every prediction
    needs its outcome, and a cycle at study moves on to act."""
    project = _stage_write(cycle, by, CycleStage.STUDY, "record PDSA cycles")
    study_summary = _text(study_summary, "study_summary", required=not draft)
    predictions = {p.pk: p for p in cycle.predictions.select_for_update()}
    results = dict(results or {})
    strangers = [pk for pk in results if pk not in predictions]
    if strangers:
        raise ValidationError({"results": "These results are for another cycle's predictions."})
    checked = {}
    for pk, pair in results.items():
        try:
            text, outcome = pair
        except (TypeError, ValueError):
            raise ValidationError(
                {"results": "Give each prediction's result and outcome."}
            ) from None
        number = list(predictions).index(pk) + 1
        text = _checked_prediction_text(text, number, "result", TEXT_MAX)
        outcome = outcome or ""
        if outcome and outcome not in PredictionOutcome.values:
            raise ValidationError(
                {"results": f"Prediction {number}: choose whether it was as predicted."}
            )
        checked[pk] = (text, outcome)
    if not draft:
        missing = [
            index
            for index, (pk, prediction) in enumerate(predictions.items(), start=1)
            if not checked.get(pk, (prediction.result, prediction.outcome))[1]
        ]
        if missing:
            names = ", ".join(str(index) for index in missing)
            raise ValidationError(
                {"results": f"Say whether each prediction came true (prediction {names})."}
            )
    for pk, (text, outcome) in checked.items():
        prediction = predictions[pk]
        if (prediction.result, prediction.outcome) != (text, outcome):
            prediction.result, prediction.outcome = text, outcome
            record_by(prediction, by, "Result recorded")
            prediction.save()
    cycle.study_summary = study_summary
    moved = _move_on(cycle, CycleStage.STUDY, draft)
    record_by(cycle, by, "Study recorded: act next" if moved else "Study saved")
    cycle.save()
    _sync_on_commit(project)
    return cycle


@transaction.atomic
def cycle_act(
    *,
    by,
    cycle: PdsaCycle,
    decision: str,
    act_notes: str,
    next_cycle: Mapping | None = None,
    draft: bool = False,
) -> PdsaCycle:
    """Decide: adopt, adapt or abandon the change. Unless a draft, the cycle is done, and
    `next_cycle` (cycle_create's fields, without the change idea) plans the next cycle of the
    same ramp, following this one. Returns this cycle; the next is `cycle.next_cycles`."""
    project = _stage_write(cycle, by, CycleStage.ACT, "record PDSA cycles")
    decision = decision or ""
    if decision and decision not in ActDecision.values:
        raise ValidationError({"decision": "Choose adopt, adapt or abandon."})
    if not decision and (not draft or cycle.stage == CycleStage.DONE):
        # A done cycle keeps a decision: a draft cannot clear it.
        raise ValidationError({"decision": "Choose adopt, adapt or abandon."})
    act_notes = _text(act_notes, "act_notes")
    if next_cycle is not None and (draft or cycle.stage != CycleStage.ACT):
        raise ValidationError(
            "The next cycle is planned when this one is done: plan it from the ramp."
        )
    was_done = cycle.stage == CycleStage.DONE
    cycle.decision, cycle.act_notes = decision, act_notes
    moved = _move_on(cycle, CycleStage.ACT, draft)
    if moved:
        cycle.completed_on = timezone.localdate()
    reason = f"Act: {ActDecision(decision).label.lower()}" if moved else "Act saved"
    record_by(cycle, by, reason if not was_done else "Act changed after the cycle was done")
    cycle.save()
    if next_cycle is not None:
        fields = dict(next_cycle)
        other = fields.pop("change_idea", None)
        if other is not None and getattr(other, "pk", other) != cycle.change_idea_id:
            raise ValidationError(
                {"change_idea": "The next cycle tests the same change idea (same ramp)."}
            )
        fields.pop("previous", None)
        fields.pop("project", None)
        cycle_create(by=by, change_idea=cycle.change_idea, previous=cycle, **fields)
    _sync_on_commit(project)
    return cycle


@transaction.atomic
def cycle_remove(*, by, cycle: PdsaCycle, reason: str = "") -> None:
    """Remove a cycle (planned by mistake), with its predictions and its markers on the
    charts. The ramp keeps its other numbers; history keeps the cycle."""
    _lock(cycle)
    project = cycle.project
    authorise_team(by, project, "remove PDSA cycles")
    _set_markers(cycle, [])
    record_by(cycle, by, reason.strip() or "Removed")
    cycle.delete()
    _sync_on_commit(project)


# Markers on the charts --------------------------------------------------------------------------


def _set_markers(cycle: PdsaCycle, markers: list) -> None:
    control_services.chart_markers_set(source=cycle, markers=markers)


def _marker_text(cycle: PdsaCycle) -> str:
    return f"PDSA {cycle.number}: {cycle.title}"


@transaction.atomic
def project_markers_sync(*, project: Project) -> int:
    """Put every cycle of the project on the charts of its measures (those linked to the
    project, and those linked to the cycle's change idea) as a marker at the cycle's start,
    linked to the cycle; a marker no longer true (a measure unlinked, a date moved) is
    replaced. The system's work, run after every write of cycles or measure links. Returns the
    number of markers."""
    project_measures = list(project.project_measures.values_list("measure_id", flat=True))
    cycles = list(project.cycles.all())
    nodes = {cycle.change_idea_id for cycle in cycles}
    node_measures: dict[int, set[int]] = {}
    for node_id, measure_id in DriverNode.measures.through.objects.filter(
        drivernode_id__in=nodes
    ).values_list("drivernode_id", "measure_id"):
        node_measures.setdefault(node_id, set()).add(measure_id)
    ids = set(project_measures) | {m for found in node_measures.values() for m in found}
    measures = _measures_by_id(ids)
    total = 0
    for cycle in cycles:
        wanted = set(project_measures) | node_measures.get(cycle.change_idea_id, set())
        markers = [
            (measures[pk], cycle.starts_on, _marker_text(cycle))
            for pk in sorted(wanted)
            if pk in measures
        ]
        _set_markers(cycle, markers)
        total += len(markers)
    return total


def _measures_by_id(ids: set[int]) -> dict:
    if not ids:
        return {}
    # control's Measure, reached through the link so that its models are not imported here.
    measure_model = ProjectMeasure._meta.get_field("measure").related_model
    return {measure.pk: measure for measure in measure_model.objects.filter(pk__in=ids)}


# Reminders --------------------------------------------------------------------------------------


def cycles_remind_overdue(*, today: dt.date | None = None) -> int:
    """Tell the owner of each overdue cycle (not done, its end date past), or the project's
    lead when it has no owner, once for each end date: moving the end date reminds again when
    the new one passes. Run daily by `qms remind-improvement`. Returns reminders sent."""
    today = today or timezone.localdate()
    overdue = (
        PdsaCycle.objects.exclude(stage=CycleStage.DONE)
        .filter(ends_on__lt=today)
        .exclude(reminded_for=F("ends_on"))
        .select_related("owner", "project__lead", "project__unit")
        .order_by("pk")
    )
    return sum(_remind(cycle, today) for cycle in overdue)


@transaction.atomic
def _remind(cycle: PdsaCycle, today: dt.date) -> int:
    # Claim the reminder first: of two runs at once, only the one whose update changed the row
    # sends it.
    claimed = (
        PdsaCycle.objects.filter(pk=cycle.pk, ends_on=cycle.ends_on)
        .exclude(stage=CycleStage.DONE)
        .exclude(reminded_for=F("ends_on"))
        .update(reminded_for=F("ends_on"))
    )
    person = cycle.owner or cycle.project.lead
    if not claimed or person is None:
        return 0
    days = (today - cycle.ends_on).days
    text = (
        f"PDSA cycle overdue by {days} day{'s' if days != 1 else ''}: {_marker_text(cycle)} "
        f"({cycle.get_stage_display().lower()}; project “{cycle.project.title}”)"
    )
    return len(notify([person], kind=NotificationKind.ACTION, text=text, subject=cycle))
