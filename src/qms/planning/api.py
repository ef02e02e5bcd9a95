"""The API for quality planning: aims (the cascade board > division > team) and priorities
(proposed, changed, scored and decided), through qms.planning.services and with the planning
pages' checks. A priority's scores are computed by the page's own selectors
(`priority_score_of`, `priority_page`, under its unit's weights), never here.

A key sees the aims and priorities of its unit and the units below it. The aims page lets staff
read the aims above their unit too (the cascade theirs serve); a key reads only their ids, as
`parent`, and may name one as the parent of an aim it sets."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django import forms
from django.db import transaction
from ninja import Field, Query, Router, Schema, Status

from qms.people import access
from qms.people.forms import PersonField
from qms.people.models import Person, Unit
from qms.planning import methods, roles, scoring, selectors, services
from qms.planning.models import Aim, Priority, PriorityOrigin, PriorityStatus
from qms.planning.services.aims import REASON_MAX, STATEMENT_MAX
from qms.web.api import (
    ApiProblem,
    Errors,
    ListFilters,
    Page,
    PersonRef,
    RecordId,
    filtered,
    get_visible,
    id_in_range,
    paginate,
    screen,
)

aims_router = Router(tags=["Aims"])
priorities_router = Router(tags=["Priorities"])


# Aims -------------------------------------------------------------------------------------------


class AimOut(Schema):
    id: int
    unit: int = Field(..., alias="unit_id")
    statement: str
    target: str
    due_on: dt.date
    parent: int | None = Field(None, alias="parent_id", description="The aim it serves.")
    active: bool = Field(..., alias="is_active")
    measures: list[int] = Field(..., description="Measures serving it.")
    projects: list[int] = Field(..., description="Projects serving it.")
    created_at: dt.datetime

    @staticmethod
    def resolve_measures(aim: Aim) -> list[int]:
        return sorted(measure.pk for measure in aim.measures.all())

    @staticmethod
    def resolve_projects(aim: Aim) -> list[int]:
        return sorted(project.pk for project in aim.projects.all())


class AimIn(Schema):
    unit: int
    statement: str = Field(..., min_length=1, max_length=STATEMENT_MAX)
    target: str = Field(..., min_length=1, max_length=200)
    due_on: dt.date
    parent: int | None = Field(None, description="An active aim of the unit or a unit above.")


class AimPatch(Schema):
    statement: str | None = Field(None, min_length=1, max_length=STATEMENT_MAX)
    target: str | None = Field(None, min_length=1, max_length=200)
    due_on: dt.date | None = None
    parent: int | None = Field(None, description="null: it serves no aim.")
    active: bool | None = Field(None, description="false retires it (give `reason`).")
    reason: str = Field("", max_length=REASON_MAX, description="Kept in its history.")


class AimFilters(ListFilters):
    active: bool | None = Field(None, description="Only active (true) or retired (false) aims.")


def _aims(request):
    aims = Aim.objects.select_related("unit").prefetch_related("measures", "projects")
    return access.visible(request.user, aims, roles.VIEWERS)


def _parent(request, unit: Unit, parent_id: int | None, aim: Aim | None = None) -> Aim | None:
    """One of the aims the page offers as a parent (active, of the unit or above, no loop)."""
    if parent_id is None:
        return None
    for choice in selectors.parent_choices(request.user, unit, aim):
        if choice.pk == parent_id:
            return choice
    raise ApiProblem("parent", f"is not an active aim of {unit} or a unit above it.")


@aims_router.get("", response={200: Page[AimOut], 400: Errors, 404: Errors})
def list_aims(request, filters: Query[AimFilters]):
    """The aims of the key's units (`since`/`until`: the due date)."""
    aims = _aims(request)
    if filters.active is not None:
        aims = aims.filter(is_active=filters.active)
    return paginate(filtered(request, aims, filters, date_field="due_on"), filters)


@aims_router.get("/{int:aim_id}", response={200: AimOut, 404: Errors})
def get_aim(request, aim_id: int):
    return get_visible(request, _aims(request), aim_id)


@aims_router.post("", response={201: AimOut, 400: Errors, 403: Errors, 404: Errors})
def set_aim(request, payload: AimIn):
    """Set an aim of a unit (its leaders: team leads, quality leads, executives)."""
    unit = get_visible(request, Unit, payload.unit)
    screen(statement=payload.statement, target=payload.target)
    aim = services.aim_create(
        by=request.user,
        unit=unit,
        statement=payload.statement,
        target=payload.target,
        due_on=payload.due_on,
        parent=_parent(request, unit, payload.parent),
    )
    return Status(201, get_visible(request, _aims(request), aim.pk))


@aims_router.patch("/{int:aim_id}", response={200: AimOut, 400: Errors, 403: Errors, 404: Errors})
def change_aim(request, aim_id: int, payload: AimPatch):
    """Change an aim's statement, target, due date or parent, or retire it (`active: false`
    with a `reason`), as its page does. A retired aim is not brought back: set a new one."""
    aim = get_visible(request, _aims(request), aim_id)
    sent = payload.dict(exclude_unset=True)
    active = sent.pop("active", None)
    reason = sent.pop("reason", "")
    changes = {k: v for k, v in sent.items() if v is not None or k == "parent"}
    screen(reason=reason, statement=changes.get("statement"), target=changes.get("target"))
    if active is True and not aim.is_active:
        raise ApiProblem("active", "A retired aim is not brought back: set a new one.")
    if not changes and active is not False:
        raise ApiProblem(None, "Send a field to change: statement, target, due_on, parent.")
    if "parent" in changes:
        changes["parent"] = _parent(request, aim.unit, changes["parent"], aim)
    with transaction.atomic():
        if changes:
            services.aim_update(by=request.user, aim=aim, reason=reason, **changes)
        if active is False:
            services.aim_retire(by=request.user, aim=aim, reason=reason)
    return get_visible(request, _aims(request), aim.pk)


# Priorities -------------------------------------------------------------------------------------


class ScoreOut(Schema):
    """As the priority page computes it, under the weights of the priority's unit."""

    impact: float | None = Field(None, description="Weighted mean of the impact criteria, 1-5.")
    feasibility: float | None = Field(None, description="Weighted mean of feasibility, 1-5.")
    overall: float | None = Field(None, description="impact × feasibility, 1-25.")
    quadrant: str = Field(..., description="Quick win, Major project, Fill-in or Thankless.")
    missing: list[str] = Field(..., description="Counted criteria not scored yet.")


class Scores(Schema):
    """Each criterion 1 to 5, higher better (effort and cost: 5 = little); null clears it."""

    people_affected: int | None = Field(None, ge=1, le=5)
    severity: int | None = Field(None, ge=1, le=5)
    equity: int | None = Field(None, ge=1, le=5)
    strategic_fit: int | None = Field(None, ge=1, le=5)
    effort: int | None = Field(None, ge=1, le=5)
    cost: int | None = Field(None, ge=1, le=5)
    readiness: int | None = Field(None, ge=1, le=5)


class PriorityOut(Schema):
    id: int
    unit: int = Field(..., alias="unit_id")
    title: str
    problem: str
    origin: PriorityOrigin
    status: PriorityStatus
    decision_reason: str
    decided_at: dt.datetime | None
    aim: int | None = Field(None, alias="aim_id")
    owner: PersonRef | None = None
    needs_design: bool
    scores: Scores
    score: ScoreOut
    rank: int | None = Field(
        None, description="Its place among the unit's fully scored priorities (one priority)."
    )
    project: int | None = Field(None, alias="project_id", description="The project it became.")
    measure: int | None = Field(None, alias="measure_id", description="The measure it became.")
    created_at: dt.datetime

    @staticmethod
    def resolve_scores(priority: Priority) -> dict:
        return {name: getattr(priority, name) for name in scoring.CRITERIA}

    @staticmethod
    def resolve_score(priority: Priority) -> dict:
        result = priority.api_score
        return {
            "impact": result.impact,
            "feasibility": result.feasibility,
            "overall": result.overall,
            "quadrant": scoring.quadrant(result),
            "missing": list(result.missing),
        }

    @staticmethod
    def resolve_rank(priority: Priority) -> int | None:
        return getattr(priority, "api_rank", None)


class PriorityIn(Schema):
    unit: int
    title: str = Field(..., min_length=1, max_length=200)
    problem: str = Field(..., min_length=1, max_length=5000)
    origin: PriorityOrigin
    aim: int | None = Field(None, description="An active aim of the unit or a unit above.")
    owner: RecordId | None = Field(None, description="A person with a staff role in the unit.")
    needs_design: bool = False


class PriorityPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    problem: str | None = Field(None, min_length=1, max_length=5000)
    origin: PriorityOrigin | None = None
    aim: int | None = None
    owner: RecordId | None = None
    needs_design: bool | None = None
    scores: Scores | None = Field(None, description="Only the criteria sent are changed.")
    status: PriorityStatus | None = Field(
        None, description="A decision (approved, parked, rejected; candidate reopens it)."
    )
    reason: str = Field(
        "", max_length=2000, description="Why: needed for a decision; kept in its history."
    )


class PriorityFilters(ListFilters):
    status: PriorityStatus | None = None
    origin: PriorityOrigin | None = None


def _priorities():
    return Priority.objects.select_related("unit", "owner")


def _scored(priorities: list[Priority]) -> list[Priority]:
    """Each priority with its score under its own unit's weights (the ranked page's rule)."""
    weights = selectors.weights_by_unit({p.unit_id: p.unit for p in priorities}.values())
    for priority in priorities:
        priority.api_score = selectors.priority_score_of(priority, weights[priority.unit_id])
    return priorities


def _one(request, priority_id: int) -> Priority:
    priority = access.object_or_404(
        request.user, _priorities(), priority_id, roles.VIEWERS, granted=roles.GRANTED_VIEWERS
    )
    page = selectors.priority_page(request.user, priority)
    priority.api_score, priority.api_rank = page.score, page.rank
    return priority


def _aim_of(request, unit: Unit, aim_id: int | None) -> Aim | None:
    if aim_id is None:
        return None
    for aim in selectors.aims_of(request.user, unit):
        if aim.pk == aim_id:
            return aim
    raise ApiProblem("aim", f"is not an active aim of {unit} or a unit above it.")


def _owner(unit: Unit, person_id: int | None) -> Person | None:
    """A person with a staff role in the unit (the service says so too, naming them: a key
    must not learn the names of people outside its units by trying ids)."""
    if person_id is None:
        return None
    person = Person.objects.filter(pk=person_id, is_active=True).first()
    if person is None or not access.roles_in(person, unit) & roles.VIEWERS:
        raise ApiProblem("owner", f"is not an active member of staff of {unit}.")
    return person


@priorities_router.get("", response={200: Page[PriorityOut], 400: Errors, 404: Errors})
def list_priorities(request, filters: Query[PriorityFilters]):
    """The priorities of the key's units, with their scores (`since`/`until`: the day
    proposed). Ranked as on the page: sort by `score.overall`, then `score.impact`."""
    priorities = access.visible(request.user, _priorities(), roles.VIEWERS)
    if filters.status:
        priorities = priorities.filter(status=filters.status)
    if filters.origin:
        priorities = priorities.filter(origin=filters.origin)
    page = paginate(filtered(request, priorities, filters, date_field="created_at__date"), filters)
    page["items"] = _scored(page["items"])
    return page


@priorities_router.get("/{int:priority_id}", response={200: PriorityOut, 403: Errors, 404: Errors})
def get_priority(request, priority_id: int):
    """One priority, with its score and its rank among its unit's priorities."""
    return _one(request, priority_id)


@priorities_router.post("", response={201: PriorityOut, 400: Errors, 403: Errors, 404: Errors})
def propose_priority(request, payload: PriorityIn):
    """Propose a candidate priority in a unit (any member of its staff)."""
    unit = get_visible(request, Unit, payload.unit)
    screen(title=payload.title, problem=payload.problem)
    priority = services.priority_create(
        by=request.user,
        unit=unit,
        title=payload.title,
        problem=payload.problem,
        origin=payload.origin,
        aim=_aim_of(request, unit, payload.aim),
        owner=_owner(unit, payload.owner),
        needs_design=payload.needs_design,
    )
    return Status(201, _one(request, priority.pk))


@priorities_router.patch(
    "/{int:priority_id}", response={200: PriorityOut, 400: Errors, 403: Errors, 404: Errors}
)
def change_priority(request, priority_id: int, payload: PriorityPatch):
    """Change a priority (its scorers and working group), score it (`scores`), or decide it
    (`status` with a `reason`: its unit's leads and executives), all or nothing."""
    priority = _one(request, priority_id)
    sent = payload.dict(exclude_unset=True)
    scores = sent.pop("scores", None)
    status = sent.pop("status", None)
    reason = sent.pop("reason", "")
    changes = {k: v for k, v in sent.items() if v is not None or k in ("aim", "owner")}
    screen(title=changes.get("title"), problem=changes.get("problem"), reason=reason)
    if not changes and not scores and status is None:
        raise ApiProblem(None, "Send a field to change, scores or a status.")
    if "aim" in changes:
        changes["aim"] = _aim_of(request, priority.unit, changes["aim"])
    if "owner" in changes:
        changes["owner"] = _owner(priority.unit, changes["owner"])
    with transaction.atomic():
        if changes:
            services.priority_update(by=request.user, priority=priority, reason=reason, **changes)
        if scores:
            services.priority_score(by=request.user, priority=priority, reason=reason, **scores)
        if status is not None:
            services.priority_decide(
                by=request.user, priority=priority, status=status, reason=reason
            )
    return _one(request, priority.pk)


# The unit's scoring weights ---------------------------------------------------------------------


def _weight():
    return Field(None, ge=0, le=scoring.WEIGHT_MAX)


class WeightsOut(Schema):
    unit: int
    set_on: int | None = Field(..., description="The unit they are set on; null: equal weights.")
    weights: dict[str, float] = Field(..., description="Each criterion's weight.")


class WeightsPatch(Schema):
    people_affected: float | None = _weight()
    severity: float | None = _weight()
    equity: float | None = _weight()
    strategic_fit: float | None = _weight()
    effort: float | None = _weight()
    cost: float | None = _weight()
    readiness: float | None = _weight()
    reason: str = Field("", max_length=100, description="Kept in the weights' history.")


def _weights_of(unit: Unit) -> dict:
    current = selectors.weights_for(unit)
    source = current.source.pk if current.source is not None else None
    return {"unit": unit.pk, "set_on": source, "weights": current.values}


@priorities_router.get(
    "/weights/{int:unit_id}", response={200: WeightsOut, 403: Errors, 404: Errors}
)
def get_weights(request, unit_id: int):
    """The weights the unit's priorities are scored with: its own, else the nearest unit's
    above, else equal (as the weights page shows them to the unit's staff)."""
    return _weights_of(get_visible(request, Unit, unit_id))


@priorities_router.patch(
    "/weights/{int:unit_id}", response={200: WeightsOut, 400: Errors, 403: Errors, 404: Errors}
)
def change_weights(request, unit_id: int, payload: WeightsPatch):
    """Set the unit's weights, as the weights page does (its quality leads): criteria left
    out keep the weight the unit has now. The ranking changes at once."""
    unit = get_visible(request, Unit, unit_id)
    sent = payload.dict(exclude_unset=True)
    reason = sent.pop("reason", "")
    screen(reason=reason)
    weights = {k: v for k, v in sent.items() if v is not None}
    if not weights:
        raise ApiProblem(None, "Send a criterion's weight.")
    services.weights_set(by=request.user, unit=unit, reason=reason, **weights)
    return _weights_of(unit)


# An aim's measures and projects -----------------------------------------------------------------


class AimMeasureIn(Schema):
    measure: RecordId = Field(..., description="A measure of the aim's unit or below.")


class AimProjectIn(Schema):
    project: RecordId = Field(..., description="A project of the aim's unit or below.")


def _seen(request, model, record_id: int | None, field: str):
    """A record (a measure or project) the key sees by its staff role, or 400 naming the
    field (the aim's page offers only those)."""
    record = model.objects.filter(pk=record_id).first() if id_in_range(record_id) else None
    if record is None or not access.can(request.user, record, roles.VIEWERS):
        raise ApiProblem(field, "is not one this key may see.")
    return record


def _linked(aim: Aim, related: str, record_id: int):
    record = getattr(aim, related).filter(pk=record_id).first() if id_in_range(record_id) else None
    if record is None:
        raise ApiProblem(None, "Not found, or not linked to this aim.", 404)
    return record


def _aim_model(related: str):
    return Aim._meta.get_field(related).related_model


@aims_router.post(
    "/{int:aim_id}/measures", response={201: AimOut, 400: Errors, 403: Errors, 404: Errors}
)
def link_aim_measure(request, aim_id: int, payload: AimMeasureIn):
    """Link a measure serving the aim, as the aim's page does (its leaders)."""
    aim = get_visible(request, _aims(request), aim_id)
    measure = _seen(request, _aim_model("measures"), payload.measure, "measure")
    services.aim_link_measure(by=request.user, aim=aim, measure=measure)
    return Status(201, get_visible(request, _aims(request), aim.pk))


@aims_router.delete(
    "/{int:aim_id}/measures/{int:measure_id}",
    response={200: AimOut, 400: Errors, 403: Errors, 404: Errors},
)
def unlink_aim_measure(request, aim_id: int, measure_id: int):
    """Take a measure off the aim (its leaders); its data stay in quality control."""
    aim = get_visible(request, _aims(request), aim_id)
    measure = _linked(aim, "measures", measure_id)
    services.aim_unlink_measure(by=request.user, aim=aim, measure=measure)
    return get_visible(request, _aims(request), aim.pk)


@aims_router.post(
    "/{int:aim_id}/projects", response={201: AimOut, 400: Errors, 403: Errors, 404: Errors}
)
def link_aim_project(request, aim_id: int, payload: AimProjectIn):
    """Link an improvement project serving the aim, as the aim's page does (its leaders)."""
    aim = get_visible(request, _aims(request), aim_id)
    project = _seen(request, _aim_model("projects"), payload.project, "project")
    services.aim_link_project(by=request.user, aim=aim, project=project)
    return Status(201, get_visible(request, _aims(request), aim.pk))


@aims_router.delete(
    "/{int:aim_id}/projects/{int:project_id}",
    response={200: AimOut, 400: Errors, 403: Errors, 404: Errors},
)
def unlink_aim_project(request, aim_id: int, project_id: int):
    """Take a project off the aim (its leaders); the project carries on."""
    aim = get_visible(request, _aims(request), aim_id)
    project = _linked(aim, "projects", project_id)
    services.aim_unlink_project(by=request.user, aim=aim, project=project)
    return get_visible(request, _aims(request), aim.pk)


# A priority becoming a project ------------------------------------------------------------------

# The methods a project may follow, as the charter's form offers them.
ProjectMethod = Literal[tuple(methods.METHODS)]  # type: ignore[valid-type]


class PriorityProjectIn(Schema):
    title: str | None = Field(None, min_length=1, max_length=200, description="The priority's.")
    problem: str | None = Field(None, min_length=1, max_length=5000, description="Its own.")
    aim: str | None = Field(None, min_length=1, max_length=1000, description="Its aim's.")
    method: ProjectMethod | None = Field(None, description="The method chosen for it.")  # type: ignore[valid-type]
    lead: str | None = Field(
        None, max_length=254, description="Username or e-mail address; its owner if none."
    )


@priorities_router.post(
    "/{int:priority_id}/project",
    response={201: PriorityOut, 400: Errors, 403: Errors, 404: Errors},
)
def priority_to_project(request, priority_id: int, payload: PriorityProjectIn):
    """Turn an approved priority into an improvement project of its unit, once, as the
    priority page's action does (its deciders, who may start projects there): the charter
    from the priority unless given, its measures as outcome measures, a primary driver per
    contributory factor. The answer's `project` is the new project's id."""
    priority = _one(request, priority_id)
    screen(title=payload.title, problem=payload.problem, aim=payload.aim)
    lead = None
    if payload.lead is not None and payload.lead.strip():
        try:
            lead = PersonField(required=False).clean(payload.lead)
        except forms.ValidationError as error:
            raise ApiProblem("lead", " ".join(error.messages)) from None
    services.priority_to_project(
        by=request.user,
        priority=priority,
        title=payload.title,
        problem=payload.problem,
        aim=payload.aim,
        method=payload.method,
        lead=lead,
    )
    return Status(201, _one(request, priority.pk))
