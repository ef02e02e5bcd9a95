"""Quality planning's writes: priorities, their scores, weights and decisions; turning an
approved priority into an improvement project or a control measure; the method chooser.

Who may (`qms.planning.roles`): any member of staff of a unit proposes a priority there
(PROPOSERS); its scorers (SCORERS in the unit, or SCORERS_GRANTED given on the priority itself, a
patient partner as an equal) score it, change it and record its method; its deciders (DECIDERS in
the unit, never through a grant) approve, park, reject or reopen it and turn it into a project or
a measure; WEIGHT_EDITORS set a unit's weights. `by=None` is the system (the demo, commands) and is
not checked.
"""

from __future__ import annotations

import math

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qms.improvement import selectors as improvement_selectors
from qms.improvement import services as improvement_services
from qms.notifications.models import NotificationKind
from qms.notifications.services import notify
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Person, Unit
from qms.planning import methods, roles, scoring
from qms.planning.models import (
    Aim,
    FactorDomain,
    MethodChoice,
    Priority,
    PriorityOrigin,
    PriorityStatus,
    ScoringWeights,
)
from qms.web.screening import refusals

__all__ = [
    "PRIORITY_FIELDS",
    "chosen_method",
    "latest_method_choice",
    "may_decide",
    "may_score",
    "method_choose",
    "priority_create",
    "priority_decide",
    "priority_score",
    "priority_to_measure",
    "priority_to_project",
    "priority_update",
    "weights_set",
]

# The fields priority_update changes (scores through priority_score, the decision through
# priority_decide, what it became through priority_to_project / priority_to_measure).
PRIORITY_FIELDS = frozenset(
    {"title", "problem", "origin", "aim", "owner", "needs_design", "measures", "factors"}
)
_TITLE_MAX = Priority._meta.get_field("title").max_length
_PROBLEM_MAX = 5_000
_REASON_MAX = 2_000
# What each origin's source record is: (app label, model name).
SOURCE_MODELS = {
    PriorityOrigin.GAP: ("control", "measure"),
    PriorityOrigin.FACTOR: ("planning", "factordomain"),
    PriorityOrigin.NEED: ("planning", "need"),
    PriorityOrigin.AIM: ("planning", "aim"),
}


# Who may ----------------------------------------------------------------------------------------


def may_score(person: Person | None, priority: Priority) -> bool:
    """Whether `person` scores and changes the priority: a scorer of its unit, or anyone given a
    working-group role on the priority itself. None, the system, may."""
    if person is None:
        return True
    if access.roles_in(person, priority.unit) & roles.SCORERS:
        return True
    return bool(access.granted_roles(person, priority) & roles.SCORERS_GRANTED)


def may_decide(person: Person | None, priority: Priority) -> bool:
    """Whether `person` decides the priority: a decider of its unit (a grant never decides)."""
    if person is None:
        return True
    return bool(access.roles_in(person, priority.unit) & roles.DECIDERS)


def _authorise_scorer(by: Person | None, priority: Priority, action: str) -> None:
    if not may_score(by, priority):
        raise PermissionDenied(f"Only the priority's scorers and working group may {action}.")


def _authorise_decider(by: Person | None, priority: Priority, action: str) -> None:
    if not may_decide(by, priority):
        raise PermissionDenied(f"Only the leads of {priority.unit} may {action}.")


# Checks -----------------------------------------------------------------------------------------


def _text(value, *, field: str, label: str, max_length: int, multiline: bool = False) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationError({field: f"{label} must be text."})
    text = (value or "").strip()
    if not multiline:
        text = " ".join(text.split())
    if not text:
        raise ValidationError({field: f"Give the {label.lower()}."})
    if len(text) > max_length:
        raise ValidationError({field: f"{label} is longer than {max_length:,} characters."})
    problems = refusals(text, label=label, multiline=multiline)
    if problems:
        raise ValidationError({field: problems})
    return text


def _same_organisation(record_unit: Unit, unit: Unit) -> bool:
    """Whether two units are in one organisation (the same top unit)."""
    return record_unit.ancestor_ids[:1] == unit.ancestor_ids[:1]


def _check_record(by: Person | None, record, unit: Unit, *, field: str, what: str) -> None:
    """A record a priority names (its source, aim, a measure) must be one `by` sees, of the
    priority's organisation: another board's ids are refused as if unknown."""
    if isinstance(record, FactorDomain):  # the framework is organisation-wide
        if not record.is_active:
            raise ValidationError({field: f"“{record}” is no longer in use."})
        return
    record_unit = access.unit_of(record)
    seen = by is None or bool(access.roles_on(by, record) & roles.VIEWERS)
    if not seen or not _same_organisation(record_unit, unit):
        raise ValidationError({field: f"Choose {what} of {unit.name}'s organisation you can see."})


def _check_aim(by, aim, unit: Unit, *, field: str) -> None:
    """An aim a priority serves: an active aim of its unit or a unit above that `by` reads (the
    aims part's rule, `aims_of`)."""
    from qms.planning.selectors.aims import aims_of

    if not isinstance(aim, Aim):
        raise ValidationError({field: "Choose an aim."})
    readable = by is None or aims_of(by, unit).filter(pk=aim.pk).exists()
    if not readable or not _same_organisation(aim.unit, unit):
        raise ValidationError({field: f"Choose an aim of {unit.name} or above that you can see."})


def _check_source(by, origin: str, source, unit: Unit) -> None:
    if source is None:
        return
    expected = SOURCE_MODELS.get(origin)
    meta = source._meta
    if expected is None or (meta.app_label, meta.model_name) != expected:
        raise ValidationError({"source": "The record it comes from does not match its origin."})
    if isinstance(source, Aim):
        _check_aim(by, source, unit, field="source")
        return
    _check_record(by, source, unit, field="source", what="a record")


def _check_owner(owner: Person | None, priority: Priority) -> None:
    if owner is None:
        return
    if not isinstance(owner, Person):
        raise ValidationError({"owner": "Choose a person."})
    if not owner.is_active:
        raise ValidationError({"owner": f"{owner}'s account is closed."})
    if not (
        access.roles_in(owner, priority.unit) & roles.VIEWERS
        or (priority.pk and access.granted_roles(owner, priority))
    ):
        raise ValidationError(
            {"owner": f"{owner} has no role in {priority.unit.name}: the owner must see it."}
        )


def _check_links(by, unit: Unit, aim, measures, factors) -> tuple[list, list]:
    if aim is not None:
        _check_aim(by, aim, unit, field="aim")
    measures = list(dict.fromkeys(measures or ()))
    for measure in measures:
        _check_record(by, measure, unit, field="measures", what="measures")
    factors = list(dict.fromkeys(factors or ()))
    for factor in factors:
        if not isinstance(factor, FactorDomain):
            raise ValidationError({"factors": "Choose contributory factor domains."})
        _check_record(by, factor, unit, field="factors", what="factors")
    return measures, factors


def _source_links(origin: str, source, aim, measures: list, factors: list):
    """What a source brings with it: a gap's measure, a factor theme's domain, an aim itself,
    a need's nothing more (its assessment is named by the source)."""
    if source is None:
        return aim, measures, factors
    if origin == PriorityOrigin.GAP and source not in measures:
        measures = [source, *measures]
    elif origin == PriorityOrigin.FACTOR and source not in factors:
        factors = [source, *factors]
    elif origin == PriorityOrigin.AIM and aim is None:
        aim = source
    return aim, measures, factors


def _clean(priority: Priority) -> None:
    try:
        priority.full_clean(exclude=["source_type", "source_id", "created_by", "owner"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None


# Proposing and changing -------------------------------------------------------------------------


@transaction.atomic
def priority_create(
    *,
    by: Person | None,
    unit: Unit,
    title: str,
    problem: str,
    origin: str,
    source=None,
    aim: Aim | None = None,
    measures=(),
    factors=(),
    owner: Person | None = None,
    needs_design: bool = False,
) -> Priority:
    """Propose a candidate priority in `unit` (any member of staff there). `source` is the
    record it comes from, matching `origin`: a control measure for a gap (linked as its
    measure), a factor domain for a factor theme (linked as its factor), a need, or an aim (its
    aim). Every record named must be one `by` sees, in the unit's organisation."""
    access.authorise(by, unit, roles.PROPOSERS, "propose priorities")
    if origin not in PriorityOrigin.values:
        raise ValidationError({"origin": "Choose where the priority comes from."})
    title = _text(title, field="title", label="Title", max_length=_TITLE_MAX)
    problem = _text(
        problem, field="problem", label="Problem", max_length=_PROBLEM_MAX, multiline=True
    )
    _check_source(by, origin, source, unit)
    measures, factors = _check_links(by, unit, aim, measures, factors)
    aim, measures, factors = _source_links(origin, source, aim, measures, factors)
    priority = Priority(
        unit=unit,
        title=title,
        problem=problem,
        origin=origin,
        aim=aim,
        owner=owner,
        needs_design=bool(needs_design),
        created_by=by,
    )
    _check_owner(owner, priority)
    if source is not None:
        priority.source_type = ContentType.objects.get_for_model(source)
        priority.source_id = source.pk
    _clean(priority)
    record_by(priority, by, f"Proposed from {source}" if source is not None else "Proposed")
    priority.save()
    priority.measures.set(measures)
    priority.factors.set(factors)
    if owner is not None and owner != by:
        _notify([owner], priority, f"You own the candidate priority “{priority}” in {unit.name}.")
    return priority


@transaction.atomic
def priority_update(
    *, by: Person | None, priority: Priority, reason: str = "", **fields
) -> Priority:
    """Change a priority's title, problem, origin, aim, owner, whether it needs a design, its
    measures or factors (its scorers and working group)."""
    priority = _locked(priority)
    _authorise_scorer(by, priority, "change it")
    unknown = set(fields) - PRIORITY_FIELDS
    if unknown:
        raise ValidationError(f"Unknown priority fields: {', '.join(sorted(unknown))}")
    if "title" in fields:
        fields["title"] = _text(
            fields["title"], field="title", label="Title", max_length=_TITLE_MAX
        )
    if "problem" in fields:
        fields["problem"] = _text(
            fields["problem"],
            field="problem",
            label="Problem",
            max_length=_PROBLEM_MAX,
            multiline=True,
        )
    if "origin" in fields and fields["origin"] not in PriorityOrigin.values:
        raise ValidationError({"origin": "Choose where the priority comes from."})
    measures, factors = _check_links(
        by, priority.unit, fields.get("aim"), fields.get("measures"), fields.get("factors")
    )
    old_owner = priority.owner
    for name in ("title", "problem", "origin", "aim", "owner", "needs_design"):
        if name in fields:
            setattr(priority, name, fields[name])
    _check_owner(priority.owner, priority)
    _clean(priority)
    record_by(priority, by, (reason or "Changed")[:100])
    priority.save()
    if "measures" in fields:
        priority.measures.set(measures)
    if "factors" in fields:
        priority.factors.set(factors)
    if priority.owner is not None and priority.owner != old_owner and priority.owner != by:
        _notify([priority.owner], priority, f"You now own the priority “{priority}”.")
    return priority


def _locked(priority: Priority) -> Priority:
    """The priority read again under a row lock: two people deciding or scoring at once are
    applied one after the other, each on the other's result."""
    return (
        Priority.objects.select_for_update(of=("self",)).select_related("unit").get(pk=priority.pk)
    )


# Scoring ----------------------------------------------------------------------------------------


def _whole_score(name: str, value):
    """A score as the services take it: None (unscored) or a whole number 1 to 5; text such as
    "3" from a form is read, anything else refused naming the criterion."""
    label = scoring.LABELS[name].split(" (")[0]
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if not value.isdigit():
            raise ValidationError({name: f"{label}: a score is a whole number from 1 to 5."})
        value = int(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    problem = scoring.score_problem(value)
    if problem:
        raise ValidationError({name: f"{label}: {problem[0].lower()}{problem[1:]}"})
    return value


@transaction.atomic
def priority_score(
    *, by: Person | None, priority: Priority, reason: str = "", **scores
) -> Priority:
    """Score the priority on any of its criteria (`scoring.CRITERIA`), each a whole number 1 to 5
    (higher better: effort and cost 5 = little) or None to clear it (its scorers and working
    group, partners as equals). Every score is checked before any is saved."""
    priority = _locked(priority)
    _authorise_scorer(by, priority, "score it")
    unknown = set(scores) - set(scoring.CRITERIA)
    if unknown:
        raise ValidationError(f"Unknown criteria: {', '.join(sorted(unknown))}")
    errors: dict[str, list[str]] = {}
    values = {}
    for name, value in scores.items():
        try:
            values[name] = _whole_score(name, value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    for name, value in values.items():
        setattr(priority, name, value)
    record_by(priority, by, (reason or "Scored")[:100])
    priority.save()
    return priority


# Weights ----------------------------------------------------------------------------------------


def _weight(name: str, value):
    label = scoring.LABELS[name].split(" (")[0]
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise ValidationError(
                {name: f"{label}: give a weight, a number from 0 to {scoring.WEIGHT_MAX:g}."}
            ) from None
    if isinstance(value, bool):
        raise ValidationError({name: f"{label}: give a number."})
    try:
        value = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError({name: f"{label}: give a number."}) from None
    return value


@transaction.atomic
def weights_set(*, by: Person | None, unit: Unit, reason: str = "", **weights) -> ScoringWeights:
    """Set the weights `unit`'s priorities (and those of units below it without their own) are
    scored with (its weight editors). Criteria not given keep the weight the unit has now (its
    own or inherited). Each weight is 0 to WEIGHT_MAX, and not all zero within impact or
    feasibility. The ranking changes at once: scores are computed when read."""
    access.authorise(by, unit, roles.WEIGHT_EDITORS, "set the weights of priorities")
    unknown = set(weights) - set(scoring.CRITERIA)
    if unknown:
        raise ValidationError(f"Unknown criteria: {', '.join(sorted(unknown))}")
    from qms.planning.selectors.priorities import weights_for

    current = weights_for(unit)
    errors: dict[str, list[str]] = {}
    merged = dict(current.values)
    for name, value in weights.items():
        try:
            merged[name] = _weight(name, value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    problems = scoring.weight_problems(merged)
    if problems:
        raise ValidationError(problems)
    row = ScoringWeights.objects.select_for_update().filter(unit=unit).first()
    if row is None:
        row = ScoringWeights(unit=unit)
    for name, value in merged.items():
        setattr(row, name, value)
    row.updated_by = by
    record_by(row, by, (reason or "Weights set")[:100])
    row.save()
    return row


# Decisions --------------------------------------------------------------------------------------

_DECIDED = (PriorityStatus.APPROVED, PriorityStatus.PARKED, PriorityStatus.REJECTED)


@transaction.atomic
def priority_decide(*, by: Person | None, priority: Priority, status: str, reason: str) -> Priority:
    """Approve, park or reject the priority, or reopen a decided one as a candidate, with the
    reason (required; kept in its history). Its deciders only; once it has become a project or
    a measure its approval stands. The owner and the proposer hear of it."""
    priority = _locked(priority)
    _authorise_decider(by, priority, "decide priorities")
    if status not in PriorityStatus.values:
        raise ValidationError({"status": "Choose approved, parked or rejected."})
    reason = _text(reason, field="reason", label="Reason", max_length=_REASON_MAX, multiline=True)
    if status == priority.status:
        raise ValidationError({"status": f"It is already {priority.get_status_display().lower()}."})
    if status == PriorityStatus.CANDIDATE and priority.status not in _DECIDED:
        raise ValidationError({"status": "Only a decided priority can be reopened."})
    if priority.project_id or priority.measure_id:
        raise ValidationError(
            {"status": "It has become a project or a measure: its approval stands."}
        )
    priority.status = status
    priority.decision_reason = reason
    priority.decided_by = by if status != PriorityStatus.CANDIDATE else None
    priority.decided_at = timezone.now() if status != PriorityStatus.CANDIDATE else None
    label = PriorityStatus(status).label.lower()
    verb = "reopened as a candidate" if status == PriorityStatus.CANDIDATE else label
    record_by(priority, by, f"{verb.capitalize()}: {reason}"[:100])
    priority.save()
    who = f"{by}" if by is not None else "The system"
    _notify(
        [p for p in (priority.owner, priority.created_by) if p is not None and p != by],
        priority,
        f"{who} {verb} the priority “{priority}”: {reason}",
    )
    return priority


def _notify(people, priority: Priority, text: str) -> None:
    if people:
        notify(people, kind=NotificationKind.PLANNING, text=text[:300], subject=priority)


# What it becomes --------------------------------------------------------------------------------

_NODE_TEXT_MAX = 300  # what a driver node holds (improvement's DriverNode.text)


def _driver_text(domain: FactorDomain) -> str:
    """A factor domain as a primary driver of the aim: its name, which says what in the system
    drives the outcome ("Staff workload", "Communication systems")."""
    text = " ".join(domain.name.split())
    return text if len(text) <= _NODE_TEXT_MAX else text[: _NODE_TEXT_MAX - 1] + "…"


def _check_convertible(priority: Priority) -> None:
    if priority.status != PriorityStatus.APPROVED:
        raise ValidationError(
            {"status": "Only an approved priority becomes a project or a measure."}
        )
    if priority.project_id is not None:
        raise ValidationError({"project": "It has already become a project."})
    if priority.measure_id is not None:
        raise ValidationError({"measure": "It has already become a measure."})


def latest_method_choice(*, priority: Priority | None = None, project=None) -> MethodChoice | None:
    """The latest method choice of a priority or a project (a read the services need too)."""
    if priority is not None:
        return MethodChoice.objects.filter(priority=priority).first()
    return MethodChoice.objects.filter(project=project).first()


def chosen_method(priority: Priority) -> str:
    """The method chosen for the priority (its latest method choice), else the Model for
    Improvement."""
    choice = MethodChoice.objects.filter(priority=priority).first()
    return choice.chosen if choice is not None else methods.MODEL_FOR_IMPROVEMENT


@transaction.atomic
def priority_to_project(
    *,
    by: Person | None,
    priority: Priority,
    title: str | None = None,
    problem: str | None = None,
    aim: str | None = None,
    method: str | None = None,
    lead: Person | None = None,
):
    """Turn an approved priority into an improvement project of its unit (its deciders, who
    must also be allowed to start projects there): the charter pre-filled from the priority
    (title, problem, its aim's statement, its chosen method, its owner as lead), the priority
    as the project's source, its measures `by` sees as outcome measures, and its driver diagram
    started with one primary driver per contributory factor. Once only."""
    priority = _locked(priority)
    _authorise_decider(by, priority, "turn priorities into projects")
    _check_convertible(priority)
    aim_text = aim if aim is not None else (priority.aim.statement if priority.aim else "")
    measures = [
        m for m in priority.measures.all() if by is None or access.roles_on(by, m) & roles.VIEWERS
    ]
    project = improvement_services.project_create(
        by=by,
        unit=priority.unit,
        title=title if title is not None else priority.title,
        problem=problem if problem is not None else priority.problem,
        aim=aim_text,
        method=method or chosen_method(priority),
        lead=lead if lead is not None else priority.owner,
        source=priority,
        measures=[(measure, "outcome") for measure in measures],
    )
    nodes = improvement_selectors.diagram_nodes(project, measures=False)
    root = next(node for node in nodes if node.parent_id is None)
    for domain in priority.factors.all():
        improvement_services.node_add(by=by, parent=root, kind="primary", text=_driver_text(domain))
    priority.project = project
    record_by(priority, by, f"Became the project “{project.title}”"[:100])
    priority.save()
    return project


@transaction.atomic
def priority_to_measure(*, by: Person | None, priority: Priority, measure) -> Priority:
    """Record that an approved priority became a control measure (defined in quality control,
    which `by` sees, in the priority's organisation), linked as one of its measures too (its
    deciders). Once only."""
    priority = _locked(priority)
    _authorise_decider(by, priority, "turn priorities into measures")
    _check_convertible(priority)
    meta = getattr(measure, "_meta", None)
    if meta is None or (meta.app_label, meta.model_name) != ("control", "measure"):
        raise ValidationError({"measure": "Choose a measure."})
    _check_record(by, measure, priority.unit, field="measure", what="a measure")
    priority.measure = measure
    record_by(priority, by, f"Became the measure “{measure.name}”"[:100])
    priority.save()
    priority.measures.add(measure)
    return priority


# The method chooser -----------------------------------------------------------------------------


@transaction.atomic
def method_choose(
    *,
    by: Person | None,
    answers: dict,
    chosen: str | None = None,
    reason: str = "",
    priority: Priority | None = None,
    project=None,
    set_project_method: bool = False,
) -> MethodChoice:
    """Record the method chooser's answers, its recommendation with reasons, and the method
    chosen (the recommended one unless `chosen` says otherwise, which needs a `reason`), for a
    priority (its scorers and working group) or a project (its team). With
    `set_project_method`, the project's method becomes the chosen one too (improvement's
    project_update: the project's leads only)."""
    if (priority is None) == (project is None):
        raise ValidationError("Choose a method for a priority or a project.")
    if priority is not None:
        priority = _locked(priority)
        _authorise_scorer(by, priority, "choose its method")
    else:
        improvement_services.authorise_team(by, project, "choose its method")
    answers = answers if isinstance(answers, dict) else {}
    problems = methods.answer_problems(answers)
    if problems:
        raise ValidationError({key: [message] for key, message in problems.items()})
    answers = {key: answers[key] for key in methods.QUESTIONS}
    recommendation = methods.recommend(answers)
    chosen = chosen or recommendation.method
    if chosen not in methods.METHODS:
        raise ValidationError({"chosen": "Choose one of the five methods."})
    reason = (reason or "").strip()
    if chosen != recommendation.method or reason:
        reason = _text(
            reason, field="reason", label="Reason", max_length=_REASON_MAX, multiline=True
        )
    choice = MethodChoice.objects.create(
        priority=priority,
        project=project,
        answers=answers,
        recommended=recommendation.method,
        reasons=list(recommendation.reasons),
        chosen=chosen,
        chosen_reason=reason,
        chosen_by=by,
    )
    if project is not None and set_project_method and project.method != chosen:
        improvement_services.project_update(
            by=by,
            project=project,
            reason=f"Method chosen: {methods.METHODS[chosen]}"[:100],
            method=chosen,
        )
    return choice
