"""The API for quality improvement: projects (their charter, stage, team and measures) and their
PDSA cycles (plan, do, study, act), through qms.improvement.services with the project pages'
checks. A project's team are the people given a role on it (grants, partners as equals) and
the lead, coach and sponsor its charter names, as on its page.

People are named as on the pages: the charter's lead, coach and sponsor by username or e-mail
address (so the API is no directory of ids to names), a cycle's owner by the id of a person on
the project's team (listed in the project's `team`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django import forms
from django.db import transaction
from django.db.models import F, Prefetch
from ninja import Field, Query, Router, Schema, Status

from qms.improvement import roles, selectors, services
from qms.improvement.models import (
    ActDecision,
    CycleStage,
    DriverNode,
    MeasureRole,
    Method,
    NodeKind,
    PdsaCycle,
    Prediction,
    PredictionOutcome,
    Project,
    ProjectMeasure,
    Stage,
)
from qms.people import access
from qms.people.forms import PersonField
from qms.people.models import ObjectGrant, Person, Unit
from qms.people.roles import Role
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

projects_router = Router(tags=["Projects and PDSA cycles"])


class TeamMemberOut(Schema):
    person: PersonRef
    roles: list[str] = Field(..., description="Charter roles and roles given on the project.")


class ProjectMeasureOut(Schema):
    measure: int = Field(..., alias="measure_id")
    role: MeasureRole


class ProjectOut(Schema):
    id: int
    unit: int = Field(..., alias="unit_id")
    title: str
    problem: str
    aim: str
    method: Method
    stage: Stage
    sponsor: PersonRef | None = None
    lead: PersonRef | None = None
    coach: PersonRef | None = None
    starts_on: dt.date | None
    ends_on: dt.date | None
    protected_hours: Decimal | None
    budget: Decimal | None
    progress_score: str
    measures: list[ProjectMeasureOut]
    team: list[TeamMemberOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_measures(project: Project) -> list:
        return list(project.project_measures.all())

    @staticmethod
    def resolve_team(project: Project) -> list:
        return [
            {"person": member.person, "roles": member.roles}
            for member in selectors.team_of(project)
        ]


_PERSON = "Username or e-mail address, as on the project's form."


class ProjectIn(Schema):
    unit: int
    title: str = Field(..., min_length=1, max_length=200)
    problem: str = Field(..., min_length=1, max_length=5000)
    aim: str = Field(..., min_length=1, max_length=2000)
    method: Method = Method.MODEL_FOR_IMPROVEMENT
    stage: Stage = Stage.IDEA
    lead: str | None = Field(None, max_length=254, description=_PERSON + " The key's if none.")
    coach: str | None = Field(None, max_length=254, description=_PERSON)
    sponsor: str | None = Field(None, max_length=254, description=_PERSON)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    protected_hours: Decimal | None = Field(None, ge=0, max_digits=7, decimal_places=1)
    budget: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class ProjectPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    problem: str | None = Field(None, min_length=1, max_length=5000)
    aim: str | None = Field(None, min_length=1, max_length=2000)
    method: Method | None = None
    stage: Stage | None = None
    lead: str | None = Field(None, max_length=254, description=_PERSON + " null: no one.")
    coach: str | None = Field(None, max_length=254, description=_PERSON + " null: no one.")
    sponsor: str | None = Field(None, max_length=254, description=_PERSON + " null: no one.")
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    protected_hours: Decimal | None = Field(None, ge=0, max_digits=7, decimal_places=1)
    budget: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    reason: str = Field("", max_length=100, description="Kept in the project's history.")


class ProjectFilters(ListFilters):
    stage: Stage | None = None
    method: Method | None = None


def _projects():
    return Project.objects.select_related("unit", "lead", "coach", "sponsor").prefetch_related(
        "project_measures"
    )


def _project(request, project_id: int) -> Project:
    return access.object_or_404(
        request.user, _projects(), project_id, roles.VIEWERS, granted=roles.GRANTED_VIEWERS
    )


def _person(field: str, typed: str | None) -> Person | None:
    """A person by username or e-mail address, as the project's form finds them."""
    if typed is None or not typed.strip():
        return None
    try:
        return PersonField(required=False).clean(typed)
    except forms.ValidationError as error:
        raise ApiProblem(field, " ".join(error.messages)) from None


_PEOPLE = ("lead", "coach", "sponsor")
_TEXTS = ("title", "problem", "aim")


@projects_router.get("", response={200: Page[ProjectOut], 400: Errors, 404: Errors})
def list_projects(request, filters: Query[ProjectFilters]):
    """The projects of the key's units, as their portfolios list them (`since`/`until`: the
    day the project was started in QMS)."""
    projects = access.visible(request.user, _projects(), roles.VIEWERS)
    if filters.stage:
        projects = projects.filter(stage=filters.stage)
    if filters.method:
        projects = projects.filter(method=filters.method)
    return paginate(filtered(request, projects, filters, date_field="created_at__date"), filters)


@projects_router.get("/{int:project_id}", response={200: ProjectOut, 403: Errors, 404: Errors})
def get_project(request, project_id: int):
    return _project(request, project_id)


@projects_router.post("", response={201: ProjectOut, 400: Errors, 403: Errors, 404: Errors})
def start_project(request, payload: ProjectIn):
    """Start a project in a unit with its charter (its members, leads and coaches may)."""
    unit = get_visible(request, Unit, payload.unit)
    fields = payload.dict(exclude={"unit"})
    screen(**{name: fields[name] for name in _TEXTS})
    for name in _PEOPLE:
        fields[name] = _person(name, fields[name])
    project = services.project_create(by=request.user, unit=unit, **fields)
    return Status(201, _project(request, project.pk))


@projects_router.patch(
    "/{int:project_id}", response={200: ProjectOut, 400: Errors, 403: Errors, 404: Errors}
)
def change_project(request, project_id: int, payload: ProjectPatch):
    """Change the charter or the stage, as the charter's page does (the project's leads)."""
    project = _project(request, project_id)
    sent = payload.dict(exclude_unset=True)
    reason = sent.pop("reason", "")
    nullable = {*_PEOPLE, "starts_on", "ends_on", "protected_hours", "budget"}
    changes = {k: v for k, v in sent.items() if v is not None or k in nullable}
    screen(reason=reason, **{name: changes.get(name) for name in _TEXTS})
    if not changes:
        raise ApiProblem(None, "Send a field of the charter to change.")
    for name in _PEOPLE:
        if name in changes:
            changes[name] = _person(name, changes[name])
    services.project_update(by=request.user, project=project, reason=reason, **changes)
    return _project(request, project.pk)


# The project's measures -------------------------------------------------------------------------


class MeasureLinkIn(Schema):
    measure: RecordId = Field(..., description="A measure of the key's units.")
    role: MeasureRole


def _measure(request, measure_id: int):
    """A quality control measure the key sees (control's model, reached through the link so
    that improvement imports none of control's models)."""
    model = ProjectMeasure._meta.get_field("measure").related_model
    return access.object_or_404(request.user, model, measure_id, roles.VIEWERS)


@projects_router.post(
    "/{int:project_id}/measures",
    response={201: ProjectOut, 400: Errors, 403: Errors, 404: Errors},
)
def link_measure(request, project_id: int, payload: MeasureLinkIn):
    """Link a measure to the project as its outcome, process or balancing measure (its team,
    as on the project's measures page): its cycles are then marked on the measure's chart."""
    project = _project(request, project_id)
    measure = _measure(request, payload.measure)
    services.project_measure_link(
        by=request.user, project=project, measure=measure, role=payload.role
    )
    return Status(201, _project(request, project.pk))


@projects_router.delete(
    "/{int:project_id}/measures/{int:measure_id}",
    response={200: ProjectOut, 403: Errors, 404: Errors},
)
def unlink_measure(request, project_id: int, measure_id: int):
    """Take a measure off the project (its team); its data and chart stay in quality control."""
    project = _project(request, project_id)
    link = (
        ProjectMeasure.objects.select_related("project", "measure")
        .filter(project=project, measure_id=measure_id)
        .first()
        if id_in_range(measure_id)
        else None
    )
    if link is None or not access.can(request.user, link.measure, roles.VIEWERS):
        raise ApiProblem(None, "Not found, or not in the units this key may see.", 404)
    services.project_measure_unlink(by=request.user, project_measure=link)
    return _project(request, project.pk)


# The project's team -----------------------------------------------------------------------------

# The roles a person may be given on a project's team, as the team form offers them.
TeamRole = Literal[tuple(sorted(str(role) for role in services.TEAM_ROLES))]  # type: ignore[valid-type]


class TeamMemberIn(Schema):
    person: str = Field(..., min_length=1, max_length=254, description=_PERSON)
    role: TeamRole  # type: ignore[valid-type]


class TeamMemberGone(Schema):
    reason: str = Field("", max_length=200, description="Kept in the history.")


@projects_router.post(
    "/{int:project_id}/team",
    response={201: ProjectOut, 400: Errors, 403: Errors, 404: Errors},
)
def add_team_member(request, project_id: int, payload: TeamMemberIn):
    """Give a person a role on the project's team (its leads), as the project's team form
    does: they see the project and work on it without a role in its unit."""
    project = _project(request, project_id)
    person = _person("person", payload.person)
    if person is None:
        raise ApiProblem("person", "Name a person by username or e-mail address.")
    services.team_member_add(by=request.user, project=project, person=person, role=payload.role)
    return Status(201, _project(request, project.pk))


@projects_router.delete(
    "/{int:project_id}/team/{int:person_id}/{role}",
    response={200: ProjectOut, 400: Errors, 403: Errors, 404: Errors},
)
def remove_team_member(
    request, project_id: int, person_id: int, role: Role, gone: Query[TeamMemberGone]
):
    """Take a person's role on the team away (its leads), as the team's remove button does.
    The charter's lead and coach keep theirs until the charter names someone else (400)."""
    project = _project(request, project_id)
    reason = gone.reason
    screen(reason=reason)
    grant = (
        ObjectGrant.objects.select_related("person")
        .filter(
            object_id=project.pk,
            content_type__app_label="improvement",
            content_type__model="project",
            person_id=person_id,
            role=role,
        )
        .first()
        if id_in_range(person_id)
        else None
    )
    if grant is None:
        raise ApiProblem(None, "This person has no such role on the project's team.", 404)
    services.team_member_remove(by=request.user, grant=grant, reason=reason)
    return _project(request, project.pk)


# The driver diagram -----------------------------------------------------------------------------


class NodeOut(Schema):
    id: int
    parent: int | None = Field(None, alias="parent_id")
    kind: NodeKind
    text: str
    position: int = Field(..., description="Its place among its siblings, 1 first.")
    measures: list[int] = Field(..., description="The measures it is marked on.")

    @staticmethod
    def resolve_measures(node: DriverNode) -> list[int]:
        return sorted(measure.pk for measure in node.measures.all())


class NodeIn(Schema):
    parent: RecordId = Field(..., description="The node it goes under (the aim for a driver).")
    kind: NodeKind
    text: str = Field(..., min_length=1, max_length=300)
    position: int | None = Field(None, ge=1, le=1000, description="1 first; the last if none.")


class NodePatch(Schema):
    text: str | None = Field(None, min_length=1, max_length=300)
    parent: RecordId | None = Field(None, description="Move it (and all below it) here.")
    position: int | None = Field(None, ge=1, le=1000, description="Its new place, 1 first.")


class NodesRemoved(Schema):
    removed: int = Field(..., description="How many nodes went: the node and all below it.")


def _nodes(project: Project):
    # The aim first on every database (PostgreSQL puts a null parent last).
    aim_first = F("parent_id").asc(nulls_first=True)
    return (
        DriverNode.objects.filter(project=project)
        .order_by(aim_first, "position", "pk")
        .prefetch_related("measures")
    )


def _node(project: Project, node_id: int | None, field: str | None = None) -> DriverNode:
    """A node of the project's diagram: 404 in a path, 400 naming the field in a body."""
    node = _nodes(project).filter(pk=node_id).first() if id_in_range(node_id) else None
    if node is None:
        if field is not None:
            raise ApiProblem(field, "is not a node of this project's driver diagram.")
        raise ApiProblem(None, "Not found, or not in the units this key may see.", 404)
    return node


@projects_router.get(
    "/{int:project_id}/nodes", response={200: list[NodeOut], 403: Errors, 404: Errors}
)
def list_nodes(request, project_id: int):
    """The project's driver diagram, whole (at most 250 nodes, so not paged): the aim, then
    each parent's children in order. A cycle's `change_idea` is a `change_idea` node's id."""
    return list(_nodes(_project(request, project_id)))


@projects_router.post(
    "/{int:project_id}/nodes",
    response={201: NodeOut, 400: Errors, 403: Errors, 404: Errors},
)
def add_node(request, project_id: int, payload: NodeIn):
    """Add a driver or change idea under `parent` (the project's team, as on the diagram's
    page): a primary driver under the aim, a secondary driver or change idea under a primary,
    a change idea under a secondary."""
    project = _project(request, project_id)
    screen(text=payload.text)
    parent = _node(project, payload.parent, "parent")
    node = services.node_add(
        by=request.user,
        parent=parent,
        kind=payload.kind,
        text=payload.text,
        position=payload.position,
    )
    return Status(201, _node(project, node.pk))


@projects_router.patch(
    "/{int:project_id}/nodes/{int:node_id}",
    response={200: NodeOut, 400: Errors, 403: Errors, 404: Errors},
)
def change_node(request, project_id: int, node_id: int, payload: NodePatch):
    """Rename a node, move it (with all below it) under another `parent`, or give it a new
    `position` among its siblings (the project's team), all or nothing."""
    project = _project(request, project_id)
    node = _node(project, node_id)
    sent = payload.dict(exclude_unset=True)
    if not {k for k, v in sent.items() if v is not None}:
        raise ApiProblem(None, "Send text, parent or position.")
    screen(text=payload.text)
    with transaction.atomic():
        if payload.text is not None:
            node = services.node_rename(by=request.user, node=node, text=payload.text)
        if payload.parent is not None or payload.position is not None:
            parent = (
                _node(project, payload.parent, "parent")
                if payload.parent is not None
                else node.parent
            )
            if parent is None:
                raise ApiProblem("parent", "The aim is the root of the diagram: it cannot move.")
            position = payload.position
            if position is None:  # moved without a place: the last among its new siblings
                position = DriverNode.objects.filter(parent=parent).exclude(pk=node.pk).count() + 1
            services.node_move(by=request.user, node=node, parent=parent, position=position)
    return _node(project, node.pk)


@projects_router.delete(
    "/{int:project_id}/nodes/{int:node_id}",
    response={200: NodesRemoved, 400: Errors, 403: Errors, 404: Errors},
)
def remove_node(request, project_id: int, node_id: int):
    """Remove a node and all below it, their PDSA cycles too (the project's team), as the
    diagram's page does. The aim cannot go (400)."""
    project = _project(request, project_id)
    removed = services.node_remove(by=request.user, node=_node(project, node_id))
    return {"removed": removed}


# PDSA cycles ------------------------------------------------------------------------------------


class PredictionOut(Schema):
    id: int
    question: str
    prediction: str
    result: str
    outcome: PredictionOutcome | None = None

    @staticmethod
    def resolve_outcome(prediction: Prediction) -> str | None:
        return prediction.outcome or None


class CycleOut(Schema):
    id: int
    project: int = Field(..., alias="project_id")
    change_idea: int = Field(..., alias="change_idea_id")
    number: int = Field(..., description="Its place in the change idea's ramp.")
    previous: int | None = Field(None, alias="previous_id")
    title: str
    owner: PersonRef | None = None
    stage: CycleStage
    objective: str
    questions: str
    who: str
    what: str
    where: str
    starts_on: dt.date
    ends_on: dt.date
    data_to_collect: str
    predictions: list[PredictionOut]
    what_happened: str
    observations: str
    study_summary: str
    decision: ActDecision | None = None
    act_notes: str
    completed_on: dt.date | None
    measures: list[int] = Field(
        ..., description="The measures on whose charts the cycle is marked at its start."
    )

    @staticmethod
    def resolve_predictions(cycle: PdsaCycle) -> list:
        return list(cycle.predictions.all())

    @staticmethod
    def resolve_decision(cycle: PdsaCycle) -> str | None:
        return cycle.decision or None

    @staticmethod
    def resolve_measures(cycle: PdsaCycle) -> list[int]:
        linked = {link.measure_id for link in cycle.project.project_measures.all()}
        linked |= {measure.pk for measure in cycle.change_idea.measures.all()}
        return sorted(linked)


class PredictionIn(Schema):
    id: int | None = Field(None, description="An existing prediction's id, to keep it.")
    question: str = Field("", max_length=300)
    prediction: str = Field(..., min_length=1, max_length=5000)


class PlanFields(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    objective: str | None = Field(None, min_length=1, max_length=5000)
    questions: str | None = Field(None, max_length=5000)
    who: str | None = Field(None, max_length=300)
    what: str | None = Field(None, max_length=5000)
    where: str | None = Field(None, max_length=300)
    data_to_collect: str | None = Field(None, max_length=5000)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    owner: RecordId | None = Field(None, description="A person on the project's team (`team`).")


class CycleIn(PlanFields):
    change_idea: RecordId = Field(..., description="The driver diagram's change idea it tests.")
    title: str = Field(..., min_length=1, max_length=200)
    objective: str = Field(..., min_length=1, max_length=5000)
    starts_on: dt.date
    ends_on: dt.date
    predictions: list[PredictionIn] = Field([], max_length=50)


class DoIn(Schema):
    what_happened: str = Field("", max_length=5000)
    observations: str = Field("", max_length=5000)


class ResultIn(Schema):
    prediction: int = Field(..., description="The prediction's id.")
    result: str = Field("", max_length=5000)
    outcome: PredictionOutcome | None = None


class StudyIn(Schema):
    summary: str = Field("", max_length=5000, description="What the team learned.")
    results: list[ResultIn] = Field([], max_length=50)


class ActIn(Schema):
    decision: ActDecision
    notes: str = Field("", max_length=5000)


class CyclePatch(PlanFields):
    predictions: list[PredictionIn] | None = Field(
        None, max_length=50, description="The plan's predictions in order; one left out goes."
    )
    reason: str = Field("", max_length=100, description="Kept in the cycle's history.")
    do: DoIn | None = None
    study: StudyIn | None = None
    act: ActIn | None = None
    plan_done: bool = Field(
        False, description="The plan is finished: a cycle at plan moves on to do."
    )
    draft: bool = Field(
        False,
        description="Save do, study or act without moving on: unless a draft, each moves a "
        "cycle at that stage to the next (a finished act completes it).",
    )


class CycleFilters(ListFilters):
    stage: CycleStage | None = None
    change_idea: RecordId | None = None


def _cycles():
    return PdsaCycle.objects.select_related("project", "change_idea", "owner").prefetch_related(
        Prefetch("predictions", queryset=Prediction.objects.order_by("position")),
        "project__project_measures",
        "change_idea__measures",
    )


def _cycle(project: Project, cycle_id: int) -> PdsaCycle:
    cycle = (
        _cycles().filter(project=project, pk=cycle_id).first() if id_in_range(cycle_id) else None
    )
    if cycle is None:
        raise ApiProblem(None, "Not found, or not in the units this key may see.", 404)
    return cycle


def _owner(project: Project, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person = Person.objects.filter(pk=person_id, is_active=True).first()
    if person is None or not services.may_work_on(person, project):
        raise ApiProblem("owner", "is not on the project's team.")
    return person


def _plan_texts(fields: dict) -> dict:
    names = ("title", "objective", "questions", "who", "what", "where", "data_to_collect")
    return {name: fields.get(name) for name in names}


def _pairs(predictions) -> list[tuple[str, str]]:
    return [(p["question"], p["prediction"]) for p in predictions]


@projects_router.get(
    "/{int:project_id}/cycles",
    response={200: Page[CycleOut], 400: Errors, 403: Errors, 404: Errors},
)
def list_cycles(request, project_id: int, filters: Query[CycleFilters]):
    """The project's PDSA cycles (`since`/`until`: the day a cycle starts; `unit` unused)."""
    project = _project(request, project_id)
    cycles = _cycles().filter(project=project)
    if filters.stage:
        cycles = cycles.filter(stage=filters.stage)
    if filters.change_idea:
        cycles = cycles.filter(change_idea_id=filters.change_idea)
    filters.unit = None
    return paginate(filtered(request, cycles, filters, date_field="starts_on"), filters)


@projects_router.get(
    "/{int:project_id}/cycles/{int:cycle_id}",
    response={200: CycleOut, 403: Errors, 404: Errors},
)
def get_cycle(request, project_id: int, cycle_id: int):
    return _cycle(_project(request, project_id), cycle_id)


@projects_router.post(
    "/{int:project_id}/cycles",
    response={201: CycleOut, 400: Errors, 403: Errors, 404: Errors},
)
def plan_cycle(request, project_id: int, payload: CycleIn):
    """Plan a cycle testing a change idea of the project's driver diagram (its team may). It
    follows the last cycle of the change idea's ramp."""
    project = _project(request, project_id)
    fields = payload.dict()
    predictions = fields.pop("predictions")
    screen(
        **_plan_texts(fields),
        **{f"predictions.{i}.prediction": p["prediction"] for i, p in enumerate(predictions)},
        **{f"predictions.{i}.question": p["question"] for i, p in enumerate(predictions)},
    )
    change_idea = DriverNode.objects.filter(
        pk=fields.pop("change_idea"), project=project, kind=NodeKind.CHANGE_IDEA
    ).first()
    if change_idea is None:
        raise ApiProblem("change_idea", "is not a change idea of this project's driver diagram.")
    fields["owner"] = _owner(project, fields["owner"])
    plan = {k: v for k, v in fields.items() if v is not None or k == "owner"}
    cycle = services.cycle_create(
        by=request.user,
        change_idea=change_idea,
        project=project,
        predictions=_pairs(predictions),
        **plan,
    )
    return Status(201, _cycle(project, cycle.pk))


@projects_router.patch(
    "/{int:project_id}/cycles/{int:cycle_id}",
    response={200: CycleOut, 400: Errors, 403: Errors, 404: Errors},
)
def change_cycle(request, project_id: int, cycle_id: int, payload: CyclePatch):
    """Change the plan (`plan_done` starts the test), and record do, study and act, as the
    cycle's pages do (the project's team), in that order and all or nothing. Unless `draft`,
    each of do, study and act moves a cycle at that stage on to the next (a finished act
    completes it)."""
    project = _project(request, project_id)
    cycle = _cycle(project, cycle_id)
    # The nested parts read whole, with their defaults; the plan's fields as they were sent.
    do, study, act, predictions = payload.do, payload.study, payload.act, payload.predictions
    sent = payload.dict(
        exclude_unset=True,
        exclude={"draft", "plan_done", "reason", "do", "study", "act", "predictions"},
    )
    plan = {k: v for k, v in sent.items() if v is not None or k == "owner"}
    texts = _plan_texts(plan) | {"reason": payload.reason}
    for i, p in enumerate(predictions or ()):
        texts |= {
            f"predictions.{i}.question": p.question,
            f"predictions.{i}.prediction": p.prediction,
        }
    if do is not None:
        texts |= {"do.what_happened": do.what_happened, "do.observations": do.observations}
    if study is not None:
        texts |= {"study.summary": study.summary}
        texts |= {f"study.results.{i}.result": r.result for i, r in enumerate(study.results)}
    if act is not None:
        texts |= {"act.notes": act.notes}
    screen(**texts)
    changes_plan = bool(plan) or predictions is not None or payload.plan_done
    if not (changes_plan or do or study or act):
        raise ApiProblem(None, "Send the plan's fields, predictions, do, study or act.")
    if "owner" in plan:
        plan["owner"] = _owner(project, plan["owner"])
    with transaction.atomic():
        if changes_plan:
            rows = None
            if predictions is not None:
                rows = [(p.id, p.question, p.prediction) for p in predictions]
            services.cycle_plan_update(
                by=request.user,
                cycle=cycle,
                reason=payload.reason,
                predictions=rows,
                draft=not payload.plan_done,
                **plan,
            )
        if do is not None:
            services.cycle_do(
                by=request.user,
                cycle=cycle,
                what_happened=do.what_happened,
                observations=do.observations,
                draft=payload.draft,
            )
        if study is not None:
            services.cycle_study(
                by=request.user,
                cycle=cycle,
                study_summary=study.summary,
                results={r.prediction: (r.result, r.outcome or "") for r in study.results},
                draft=payload.draft,
            )
        if act is not None:
            services.cycle_act(
                by=request.user,
                cycle=cycle,
                decision=act.decision,
                act_notes=act.notes,
                draft=payload.draft,
            )
    return _cycle(project, cycle.pk)
