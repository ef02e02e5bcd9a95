"""Quality control in the API (mounted in qms.config.api): measures, their observations, their
stored SPC results and phases, and signals, through the services and permission checks of the
measure pages. Also the observations endpoint other systems have posted to since before the API
(`POST /control/api/v1/observations`), kept as it was and served in the API too.

Posting observations runs the checks of the upload page and the import command
(qms.control.imports), all or nothing: 201 saved, 400 with every problem by row and field, 409
when periods already hold other values and replacing was not asked for (also when another
request saved the same period at the same moment), 401 without a live key, 403 for a key that
may not record data, 413 for a body beyond DATA_UPLOAD_MAX_MEMORY_SIZE (qms.web.request_size),
415 for a body not sent as JSON. Notes and the reason are screened by qms.web.screening:
control characters and NHS or CHI numbers are refused, and so is what a page would ask a
person to confirm (a date of birth, a title and name), since no one can confirm it here. A
measure code that does not exist and one of a unit the key may not write to get the same
answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from ninja import Field, Query, Router, Schema, Status

from qms.control import imports, services
from qms.control.explain import explain_point
from qms.control.models import (
    CHART_LABELS,
    RULE_LABELS,
    Domain,
    Frequency,
    Measure,
    MeasureDefinition,
    MeasureKind,
    MeasureResult,
    Observation,
    Phase,
    Signal,
    SignalKind,
    SignalStatus,
    Standard,
)
from qms.control.periods import period_label, period_start
from qms.control.roles import DATA_ENTRY, MEASURE_EDITORS, SIGNAL_HANDLERS, VIEWERS
from qms.escalation import services as escalation_services
from qms.people import access, keys
from qms.people.models import ApiKey, Person, Unit
from qms.web import screening
from qms.web.api import (
    MAX_ID,
    ApiProblem,
    Errors,
    JsonBodyRefused,
    ListFilters,
    Page,
    filtered,
    get_visible,
    json_object,
    key_required,
    paginate,
    screen,
)

# A request is checked and saved in one go; larger loads belong in several requests or a file.
MAX_OBSERVATIONS = 10_000
# The reason kept in history, as long as the upload page allows.
REASON_MAX_LENGTH = 500

measures = Router(tags=["Measures"])
observations_router = Router(tags=["Observations"])
signals = Router(tags=["Signals"])


# Posting observations: one path for the old endpoint and the API ----------------------------


@dataclass
class Outcome:
    """What posting observations came to, for either endpoint to answer in its own shape."""

    status: int
    message: str = ""
    blame: str | None = None  # the field to blame
    problems: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)
    summary: dict = field(default_factory=dict)


def _refused(problems) -> Outcome:
    return Outcome(400, problems=list(problems))


def post_observations(request, key: ApiKey) -> Outcome:
    """Check and save the body's observations for the units of `key`, acting as its account."""
    if not key.can_write:
        return Outcome(403, "This key may only read: ask for a key that may write.")
    person = keys.acting_person(key)
    if not access.can(person, key.unit, DATA_ENTRY):
        return Outcome(403, "The key's role does not allow recording data.")
    try:
        body = json_object(request, fewer="observations", example='{"observations": [...]}')
    except JsonBodyRefused as refused:
        if refused.status == 400:
            return _refused([imports.Problem(0, "body", refused.message)])
        return Outcome(refused.status, refused.message, "body")
    items = body.get("observations")
    replace = body.get("replace", False)
    reason = body.get("reason", "")
    problems = []
    if not isinstance(replace, bool):
        problems.append(imports.Problem(0, "replace", "must be true or false"))
    if not isinstance(reason, str):
        problems.append(imports.Problem(0, "reason", "must be a string"))
    elif len(reason) > REASON_MAX_LENGTH:  # before it is screened
        problems.append(
            imports.Problem(0, "reason", f"is longer than {REASON_MAX_LENGTH} characters")
        )
    if isinstance(items, list) and len(items) > MAX_OBSERVATIONS:
        problems.append(
            imports.Problem(
                0, "observations", f"send at most {MAX_OBSERVATIONS:,} observations a request"
            )
        )
    if problems:
        return _refused(problems)
    records, problems = imports.records_from_json(items)
    # The reason is kept in history: screened as the notes are, and reported with them.
    problems += [
        imports.Problem(0, "reason", message)
        for message in screening.problems_without_prompt(reason, label="the reason")
    ]
    checked = imports.preview(records, scope=imports.UnitScope(key.unit), problems=problems)
    if checked.problems:
        return _refused(checked.problems)
    if checked.conflicts and not replace:
        return _conflicts(checked.conflicts)
    # History names the key's account as who did it, and the key by name in the reason.
    done = "Replaced" if checked.conflicts else "Recorded"
    reason = f"{reason.strip() or done} (integration “{key.name}”)"
    try:
        summary = imports.commit(checked, by=person, replace=replace, reason=reason)
    except services.ObservationConflict as conflict:  # values recorded since they were checked
        return _conflicts(
            [
                imports.Conflict(row, old.value, old.denominator, old.note)
                for row, old in conflict.conflicts
            ]
        )
    except PermissionDenied as denied:  # pragma: no cover - the role was checked above
        return Outcome(403, str(denied))
    except ValidationError as error:  # pragma: no cover - preview found these already
        return _refused([imports.Problem(0, "observations", message) for message in error.messages])
    return Outcome(
        201,
        summary={
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "measures": summary.measures,
        },
    )


CONFLICT_MESSAGE = (
    "These periods already hold other values. Send again with "
    '"replace": true and a "reason" to replace them; the old values are kept in history.'
)


def _conflicts(conflicts) -> Outcome:
    return Outcome(
        409,
        CONFLICT_MESSAGE,
        "replace",
        conflicts=[
            {
                "row": conflict.new.row,
                "measure": conflict.new.measure.code,
                "period": conflict.new.period.isoformat(),
                "old": {
                    "value": conflict.old_value,
                    "denominator": conflict.old_denominator,
                    "note": conflict.old_note,
                },
                "new": {
                    "value": conflict.new.value,
                    "denominator": conflict.new.denominator,
                    "note": conflict.new.note,
                },
            }
            for conflict in conflicts
        ],
    )


def _problems(problems) -> list[dict]:
    return [
        {"row": problem.row or None, "field": problem.column, "message": problem.message}
        for problem in problems
    ]


# The endpoint from before the API: its shapes as they were.


@csrf_exempt  # authenticated by a key in a header, never by a cookie, so CSRF cannot apply
@require_POST
def observations(request):
    key = keys.api_key_authenticate(request.headers.get("Authorization"))
    if key is None:
        return key_required("API key")
    outcome = post_observations(request, key)
    if outcome.status == 201:
        return JsonResponse(outcome.summary, status=201)
    if outcome.status == 400:
        return JsonResponse({"errors": _problems(outcome.problems)}, status=400)
    if outcome.status == 409:
        body = {"error": outcome.message, "conflicts": outcome.conflicts}
        return JsonResponse(body, status=409)
    return JsonResponse({"error": outcome.message}, status=outcome.status)


# The same in the API.


class ObservationIn(Schema):
    measure: str = Field(..., description="The measure's code.", examples=["ward-7-falls"])
    period: str = Field(
        ...,
        description="Any date in the period (2025-03-14), or a month (2025-03), ISO week "
        "(2025-W11) or quarter (2025-Q1) to suit the measure.",
        examples=["2025-03"],
    )
    value: float | str = Field(..., description="The value, or a proportion's numerator.")
    denominator: float | str | None = Field(None, description="Needed by P, P′, U, U′ charts.")
    note: str = Field(
        "",
        max_length=500,
        description="No patient identifiers: NHS or CHI numbers, dates of birth and titles "
        "with names are refused.",
    )


class ObservationsIn(Schema):
    observations: list[ObservationIn] = Field(..., max_length=MAX_OBSERVATIONS)
    replace: bool = Field(False, description="Replace values already recorded.")
    reason: str = Field(
        "", max_length=REASON_MAX_LENGTH, description="Why values are replaced (history)."
    )


class SaveSummaryOut(Schema):
    created: int
    updated: int
    unchanged: int
    measures: int


class RowProblem(Schema):
    row: int | None = Field(None, description="Position in `observations`, from 1; null: body.")
    field: str | None
    message: str


class RowErrors(Schema):
    errors: list[RowProblem]


class ValuesOut(Schema):
    value: float | None
    denominator: float | None
    note: str


class ConflictOut(Schema):
    row: int
    measure: str
    period: dt.date
    old: ValuesOut
    new: ValuesOut


class ConflictErrors(Schema):
    errors: list[RowProblem]
    conflicts: list[ConflictOut]


def _inline_refs(schema: dict) -> dict:
    """A pydantic JSON schema with its `$defs` written in place, for an OpenAPI request body
    (whose `$ref`s resolve from the document's root, not the schema's)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(defs[ref.removeprefix("#/$defs/")])
            return {name: walk(value) for name, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(schema)


_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": _inline_refs(ObservationsIn.json_schema())}},
    }
}


@observations_router.post(
    "",
    response={
        201: SaveSummaryOut,
        400: RowErrors,
        403: Errors,
        409: ConflictErrors,
        413: Errors,
        415: Errors,
    },
    openapi_extra=_BODY,
    summary="Record observations, all or nothing",
)
def post_observations_api(request):
    """Values of measures of the key's unit and the units below it, checked as an upload is and
    saved all or nothing. A period holding a different value is replaced only with `"replace":
    true` (and a `reason`, kept in history with the old value); otherwise 409 lists them."""
    outcome = post_observations(request, request.auth)
    if outcome.status == 201:
        return Status(201, outcome.summary)
    if outcome.status == 400:
        return Status(400, {"errors": _problems(outcome.problems)})
    error = {"field": outcome.blame, "message": outcome.message}
    if outcome.status == 409:
        return Status(409, {"errors": [{"row": None, **error}], "conflicts": outcome.conflicts})
    return Status(outcome.status, {"errors": [error]})


# Measures ------------------------------------------------------------------------------------

Chart = StrEnum("Chart", {code: code for code in CHART_LABELS})  # type: ignore[misc]
Rules = StrEnum("Rules", {code: code for code in RULE_LABELS})  # type: ignore[misc]


class Direction(StrEnum):
    increase = "increase"
    decrease = "decrease"
    neutral = "neutral"


class MeasureStatus(StrEnum):
    active = "active"
    retired = "retired"


class MeasureOut(Schema):
    id: int
    unit: int = Field(..., alias="unit_id")
    code: str
    name: str
    status: MeasureStatus
    kind: MeasureKind
    domain: Domain
    operational_definition: str
    numerator_definition: str
    denominator_definition: str
    data_source: str
    frequency: Frequency
    chart: Chart
    direction: Direction
    multiply: float
    unit_label: str
    target: float | None
    target_source: str
    standard: int | None = Field(None, alias="standard_id")
    definition: str | None = Field(None, description="The library definition's code.")
    rules: Rules
    shift_length: int
    trend_length: int
    baseline_points: int
    owner: int | None = Field(None, alias="owner_id")
    created_at: dt.datetime

    @staticmethod
    def resolve_status(measure) -> str:
        return "active" if measure.is_active else "retired"

    @staticmethod
    def resolve_definition(measure) -> str | None:
        return measure.definition.code if measure.definition_id else None


class MeasureFilters(ListFilters):
    kind: MeasureKind | None = None
    domain: Domain | None = None
    status: MeasureStatus | None = Field(None, description="Active or retired; both if left out.")
    code: str | None = Field(None, max_length=80, description="The measure with this code.")


_TEXT = {"max_length": 5000}


class MeasureFields(Schema):
    """The fields a measure page's form has, all optional (a change names only what changes)."""

    name: str | None = Field(None, min_length=1, max_length=200)
    kind: MeasureKind | None = None
    domain: Domain | None = None
    operational_definition: str | None = Field(None, min_length=1, **_TEXT)
    numerator_definition: str | None = Field(None, **_TEXT)
    denominator_definition: str | None = Field(None, **_TEXT)
    data_source: str | None = Field(None, max_length=200)
    frequency: Frequency | None = None
    chart: Chart | None = None
    direction: Direction | None = None
    multiply: float | None = Field(None, gt=0, le=1e6)
    unit_label: str | None = Field(None, max_length=60)
    target: float | None = Field(None, allow_inf_nan=False)
    target_source: str | None = Field(None, max_length=200)
    standard: int | None = Field(None, ge=1, le=MAX_ID, description="A standard's id.")
    rules: Rules | None = None
    shift_length: int | None = Field(None, ge=3, le=20)
    trend_length: int | None = Field(None, ge=3, le=20)
    baseline_points: int | None = Field(None, ge=6, le=100)
    owner: int | None = Field(
        None, ge=1, le=MAX_ID, description="A person's id: staff of the unit or above."
    )


class MeasureIn(MeasureFields):
    unit: int = Field(..., description="The unit the measure belongs to.")
    code: str = Field(..., min_length=1, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")
    definition: str | None = Field(
        None,
        max_length=60,
        description="Start from this library definition (its code): its fields are the "
        "measure's unless given here, and the measure is compared with others made from it.",
    )


class MeasurePatch(MeasureFields):
    reason: str = Field("", max_length=300, description="Kept in the measure's history.")


_SCREENED = (
    "name", "operational_definition", "numerator_definition", "denominator_definition",
    "data_source", "unit_label", "target_source",
)  # fmt: skip


def _measures_query():
    return Measure.objects.select_related("unit", "definition")


def _measure(request, measure_id: int, roles=VIEWERS) -> Measure:
    """The measure if the key sees it (404) and its role is one of `roles` (403)."""
    return get_visible(request, _measures_query(), measure_id, roles)


def _resolved(fields: dict, unit: Unit, measure: Measure | None = None) -> dict:
    """The standard and owner ids as the form's choices allow them, or 400 naming the field."""
    if fields.get("standard") is not None:
        allowed = Standard.objects.filter(
            Q(scope="national")
            | Q(unit_id__in=unit.ancestor_ids)
            | Q(pk=measure.standard_id if measure else None)
        )
        standard = allowed.filter(pk=fields["standard"]).first()
        if standard is None:
            raise ApiProblem("standard", "is not a national standard or one of this unit's.")
        fields["standard"] = standard
    if fields.get("owner") is not None:
        owner = (
            Person.objects.filter(
                pk=fields["owner"], is_active=True, memberships__unit_id__in=unit.ancestor_ids
            )
            .distinct()
            .first()
        )
        if owner is None:
            raise ApiProblem("owner", "is not a member of staff of this unit or a unit above.")
        fields["owner"] = owner
    return fields


@measures.get("", response={200: Page[MeasureOut], 400: Errors, 404: Errors})
def list_measures(request, filters: Query[MeasureFilters]):
    """The measures the key sees (`since`/`until`: when the measure was defined)."""
    query = filtered(
        request,
        access.visible(request.user, _measures_query(), VIEWERS),
        filters,
        date_field="created_at__date",
    )
    if filters.kind:
        query = query.filter(kind=filters.kind)
    if filters.domain:
        query = query.filter(domain=filters.domain)
    if filters.status:
        query = query.filter(is_active=filters.status == MeasureStatus.active)
    if filters.code:
        query = query.filter(code=filters.code)
    return paginate(query, filters)


@measures.get("/{int:measure_id}", response={200: MeasureOut, 404: Errors})
def get_measure(request, measure_id: int):
    return _measure(request, measure_id)


@measures.post("", response={201: MeasureOut, 400: Errors, 403: Errors, 404: Errors})
def create_measure(request, payload: MeasureIn):
    """Define a measure in a unit the key sees, as a lead does on "Define a measure" (a measure
    editor's role: team lead, quality lead, analyst), optionally from a library definition."""
    unit = get_visible(request, Unit, payload.unit)
    access.require(request.user, unit, MEASURE_EDITORS)
    fields = payload.dict(exclude={"unit", "definition"}, exclude_unset=True)
    fields = {name: value for name, value in fields.items() if value is not None}
    definition = None
    if payload.definition:
        definition = MeasureDefinition.objects.filter(code=payload.definition).first()
        if definition is None:
            raise ApiProblem("definition", "is not the code of a definition in the library.")
        fields = {**definition.measure_fields(), **fields, "definition": definition}
        if "standard" in fields and isinstance(fields["standard"], Standard):
            fields["standard"] = fields["standard"].pk
    missing = [
        name
        for name in ("name", "kind", "domain", "operational_definition", "frequency", "chart")
        if name not in fields
    ]
    if missing:
        raise ValidationError({name: "This field is required." for name in missing})
    fields.setdefault("direction", Direction.neutral)
    screen(**{name: fields.get(name) for name in _SCREENED})
    fields = _resolved(fields, unit)
    fields = {name: _plain(value) for name, value in fields.items()}
    measure = services.measure_create(by=request.user, unit=unit, **fields)
    return Status(201, _measure(request, measure.pk))


def _plain(value):
    return value.value if isinstance(value, Enum) else value


@measures.patch(
    "/{int:measure_id}", response={200: MeasureOut, 400: Errors, 403: Errors, 404: Errors}
)
def change_measure(request, measure_id: int, payload: MeasurePatch):
    """Change a measure's definition as its edit page does (a measure editor's role); a new
    baseline needs a `reason`. The results are refreshed: the chart may differ."""
    measure = _measure(request, measure_id, MEASURE_EDITORS)
    changes = payload.dict(exclude_unset=True, exclude={"reason"})
    nullable = {"target", "standard", "owner"}
    changes = {n: v for n, v in changes.items() if v is not None or n in nullable}
    screen(reason=payload.reason, **{name: changes.get(name) for name in _SCREENED})
    changes = _resolved(changes, measure.unit, measure)
    changes = {name: _plain(value) for name, value in changes.items()}
    services.measure_update(by=request.user, measure=measure, reason=payload.reason, **changes)
    return _measure(request, measure.pk)


# A measure's observations ---------------------------------------------------------------------


class ObservationOut(Schema):
    id: int
    measure: int = Field(..., alias="measure_id")
    period: dt.date = Field(..., description="The first day of the period.")
    value: float
    denominator: float | None
    note: str
    recorded_at: dt.datetime


@measures.get(
    "/{int:measure_id}/observations",
    response={200: Page[ObservationOut], 400: Errors, 404: Errors},
)
def list_observations(request, measure_id: int, filters: Query[ListFilters]):
    """The measure's recorded values (`since`/`until`: the period's first day)."""
    measure = _measure(request, measure_id)
    query = filtered(
        request, Observation.objects.filter(measure=measure), filters, unit_field="measure__unit"
    )
    query = query.filter(period__gte=filters.since) if filters.since else query
    query = query.filter(period__lte=filters.until) if filters.until else query
    return paginate(query, filters)


# Results and phases ------------------------------------------------------------------------


class PointOut(Schema):
    period: dt.date
    label: str = Field(..., description="The period as people name it (Mar 2025, 2025-W11).")
    value: float | None = Field(None, description="The plotted value; null for a gap.")
    phase: int
    centre: float | None
    lcl: float | None = Field(None, description="Lower process limit.")
    ucl: float | None = Field(None, description="Upper process limit.")
    trial: bool = Field(False, description="The phase's limits are trial limits.")
    point_type: str = Field(
        ..., description="common_cause, special_cause_improvement, special_cause_concern, ..."
    )
    outside: bool = Field(False, description="Beyond a process limit.")
    shift: bool = Field(False, description="Part of a shift.")
    trend: bool = Field(False, description="Part of a trend.")
    two_of_three: bool = Field(False, description="Two of three near a limit.")
    explanation: str = Field("", description="Why it is special cause variation, if it is.")


class ResultPhaseOut(Schema):
    phase: int
    starts_on: dt.date | None
    reason: str = Field("", description="Why limits were recalculated from here.")
    centre: float | None
    lcl: float | None
    ucl: float | None
    baseline: int | None = Field(None, description="Points the limits come from.")
    trial: bool
    runs_signal: bool | None = Field(None, description="Anhøj runs analysis found a signal.")
    longest_run: int | None = None
    crossings: int | None = None


class ResultOut(Schema):
    measure: int
    computed_at: dt.datetime | None = Field(None, description="Null: not analysed yet.")
    last_period: dt.date | None
    last_value: float | None
    variation_icon: str
    assurance_icon: str
    trial_limits: bool
    failed_at: dt.datetime | None = Field(None, description="The last refresh that failed.")
    phases: list[ResultPhaseOut]
    points: list[PointOut]


class ResultFilters(Schema):
    since: dt.date | None = Field(None, description="Only points of periods on or after.")
    until: dt.date | None = Field(None, description="Only points of periods on or before.")


def _number(value) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _result_phases(points: list[dict], summaries: list[dict], phases: list[Phase]) -> list:
    reasons = {phase.starts_on: phase.reason for phase in phases}
    found = []
    for summary in summaries:
        number = summary.get("phase")
        mine = [point for point in points if point.get("phase") == number]
        first = mine[0] if mine else {}
        last = mine[-1] if mine else {}
        starts_on = dt.date.fromisoformat(first["period"]) if first.get("period") else None
        found.append(
            {
                "phase": number,
                "starts_on": starts_on,
                "reason": reasons.get(starts_on, ""),
                "centre": _number(last.get("cl")),
                "lcl": _number(last.get("lcl")),
                "ucl": _number(last.get("ucl")),
                "baseline": summary.get("baseline"),
                "trial": bool(summary.get("trial")),
                "runs_signal": summary.get("runs_signal"),
                "longest_run": summary.get("longest_run"),
                "crossings": summary.get("crossings"),
            }
        )
    return found


@measures.get("/{int:measure_id}/results", response={200: ResultOut, 400: Errors, 404: Errors})
def get_results(request, measure_id: int, filters: Query[ResultFilters]):
    """The measure's stored SPC results as its page shows them: each phase's centre line and
    limits, and every point with its limits, signals and explanation, with the variation and
    assurance icons. Read as stored by the last refresh, never recomputed here."""
    measure = _measure(request, measure_id)
    if filters.since and filters.until and filters.since > filters.until:
        raise ApiProblem("since", "is after until.")
    result = MeasureResult.objects.filter(measure=measure).first()
    if result is None:
        result = MeasureResult(measure=measure)
    points = result.points or []
    shown = []
    for index, point in enumerate(points):
        period = dt.date.fromisoformat(point["period"])
        if (filters.since and period < filters.since) or (filters.until and period > filters.until):
            continue
        shown.append(
            {
                "period": period,
                "label": period_label(period, measure.frequency),
                "value": _number(point.get("y")),
                "phase": point.get("phase", 1),
                "centre": _number(point.get("cl")),
                "lcl": _number(point.get("lcl")),
                "ucl": _number(point.get("ucl")),
                "trial": bool(point.get("trial")),
                "point_type": point.get("point_type") or "common_cause",
                "outside": bool(point.get("outside")),
                "shift": bool(point.get("shift")),
                "trend": bool(point.get("trend")),
                "two_of_three": bool(point.get("two_of_three")),
                "explanation": explain_point(points, index, measure.frequency),
            }
        )
    return {
        "measure": measure.pk,
        "computed_at": result.computed_at,
        "last_period": result.last_period,
        "last_value": _number(result.last_value),
        "variation_icon": result.variation_icon,
        "assurance_icon": result.assurance_icon,
        "trial_limits": result.trial_limits,
        "failed_at": result.failed_at,
        "phases": _result_phases(points, result.phases or [], list(measure.phases.all())),
        "points": shown,
    }


class PhaseOut(Schema):
    id: int
    measure: int = Field(..., alias="measure_id")
    starts_on: dt.date
    reason: str
    created_at: dt.datetime


class PhaseIn(Schema):
    starts_on: dt.date = Field(
        ..., description="Any day of the period the new limits start from (as on the page)."
    )
    reason: str = Field(..., min_length=1, max_length=300, description="Shown on the chart.")


@measures.get("/{int:measure_id}/phases", response={200: Page[PhaseOut], 400: Errors, 404: Errors})
def list_phases(request, measure_id: int, filters: Query[ListFilters]):
    """Where the measure's limits were recalculated, and why (`since`/`until`: the start)."""
    measure = _measure(request, measure_id)
    query = filtered(
        request, Phase.objects.filter(measure=measure), filters, unit_field="measure__unit"
    )
    query = query.filter(starts_on__gte=filters.since) if filters.since else query
    query = query.filter(starts_on__lte=filters.until) if filters.until else query
    return paginate(query, filters)


@measures.post(
    "/{int:measure_id}/phases",
    response={201: PhaseOut, 400: Errors, 403: Errors, 404: Errors},
)
def start_phase(request, measure_id: int, payload: PhaseIn):
    """New limits from a period, for a reason (a measure editor's role, as on the page)."""
    measure = _measure(request, measure_id, MEASURE_EDITORS)
    screen(reason=payload.reason)
    starts_on = period_start(payload.starts_on, measure.frequency)
    phase = services.phase_start(
        by=request.user, measure=measure, starts_on=starts_on, reason=payload.reason
    )
    return Status(201, phase)


# Signals -----------------------------------------------------------------------------------


class SignalOut(Schema):
    id: int
    measure: int = Field(..., alias="measure_id")
    unit: int = Field(..., description="The measure's unit.")
    kind: SignalKind
    status: SignalStatus
    first_period: dt.date
    last_period: dt.date
    explanation: str
    note: str
    raised_at: dt.datetime
    issue: int | None = Field(None, alias="issue_id")

    @staticmethod
    def resolve_unit(signal) -> int:
        return signal.measure.unit_id


class SignalFilters(ListFilters):
    measure: int | None = Field(None, description="Only this measure's signals.")
    status: SignalStatus | None = None
    kind: SignalKind | None = None


class NoteIn(Schema):
    note: str = Field(..., min_length=1, max_length=5000)


class IssueIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)


class IssueLinkOut(Schema):
    signal: SignalOut
    issue: int


class EscalateIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000, description="Why it is escalated.")


def _signals_query():
    return Signal.objects.select_related("measure__unit")


def _signal(request, signal_id: int) -> Signal:
    """A signal the key sees (through its measure, as the measure page shows it)."""
    return get_visible(request, _signals_query(), signal_id, VIEWERS)


@signals.get("", response={200: Page[SignalOut], 400: Errors, 404: Errors})
def list_signals(request, filters: Query[SignalFilters]):
    """Signals of the measures the key sees, oldest first (`since`/`until`: the day raised)."""
    query = filtered(
        request,
        access.visible(request.user, _signals_query(), VIEWERS, unit_field="measure__unit"),
        filters,
        unit_field="measure__unit",
        date_field="raised_at__date",
    )
    if filters.measure is not None:
        query = query.filter(measure=_measure(request, filters.measure))
    if filters.status:
        query = query.filter(status=filters.status)
    if filters.kind:
        query = query.filter(kind=filters.kind)
    return paginate(query, filters)


@signals.get("/{int:signal_id}", response={200: SignalOut, 404: Errors})
def get_signal(request, signal_id: int):
    return _signal(request, signal_id)


@signals.post(
    "/{int:signal_id}/acknowledge",
    response={200: SignalOut, 400: Errors, 403: Errors, 404: Errors},
)
def acknowledge_signal(request, signal_id: int, payload: NoteIn):
    """Say the signal has been seen and what is being done (a team or quality lead's role)."""
    signal = _signal(request, signal_id)
    screen(note=payload.note)
    return services.signal_acknowledge(by=request.user, signal=signal, note=payload.note)


@signals.post(
    "/{int:signal_id}/close", response={200: SignalOut, 400: Errors, 403: Errors, 404: Errors}
)
def close_signal(request, signal_id: int, payload: NoteIn):
    """Close the signal, saying why (a team or quality lead's role)."""
    signal = _signal(request, signal_id)
    screen(note=payload.note)
    return services.signal_close(by=request.user, signal=signal, note=payload.note)


@signals.post(
    "/{int:signal_id}/issue",
    response={201: IssueLinkOut, 400: Errors, 403: Errors, 404: Errors},
)
def open_issue(request, signal_id: int, payload: IssueIn):
    """Open an issue for the signal, to analyse its contributory factors."""
    signal = _signal(request, signal_id)
    screen(title=payload.title, description=payload.description)
    issue = services.signal_link_issue(
        by=request.user, signal=signal, title=payload.title, description=payload.description
    )
    return Status(201, {"signal": _signal(request, signal.pk), "issue": issue.pk})


@signals.post(
    "/{int:signal_id}/escalate",
    response={200: SignalOut, 400: Errors, 403: Errors, 404: Errors},
)
def escalate_signal(request, signal_id: int, payload: EscalateIn):
    """Pass the signal to the unit above, as outside the team's control (a lead's role)."""
    signal = _signal(request, signal_id)
    if not access.can(request.user, services.signal_unit(signal), SIGNAL_HANDLERS):
        raise PermissionDenied("The key's role does not allow handling signals.")
    screen(reason=payload.reason)
    escalation_services.escalate(by=request.user, subject=signal, reason=payload.reason)
    return _signal(request, signal.pk)
