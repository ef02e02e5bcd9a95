"""Quality planning's writes: designs of new systems, models of care and processes, their
current and future process steps, and their becoming a change package to test.

Who may: the unit's scorers (`roles.SCORERS`) and the priority's working group
(`roles.SCORERS_GRANTED`, given on the priority) create and change its designs; turning a design
into a change package also needs the project's leads' role (improvement's `package_create`
checks it). `by=None` is the system (the demo, commands) and is not checked.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from qms.improvement import services as improvement_services
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Person
from qms.planning import roles
from qms.planning.models import (
    Design,
    DesignKind,
    DesignStep,
    Priority,
    ProcessState,
    StepKind,
)
from qms.stats.flows import MAX_STEPS

__all__ = [
    "DESIGN_FIELDS",
    "MAX_STEPS",
    "STEP_FIELDS",
    "authorise_design",
    "design_create",
    "design_step_add",
    "design_step_move",
    "design_step_remove",
    "design_package_summary",
    "design_step_update",
    "design_to_package",
    "design_update",
    "may_design",
]

DESIGN_FIELDS = frozenset({"title", "kind", "purpose", "evidence", "technology"})
STEP_FIELDS = frozenset({"name", "kind", "actor", "minutes", "notes"})
TEXT_MAX = 10_000
# A typical step takes at most a week of minutes; anything longer is a typing slip.
MINUTES_MAX = 7 * 24 * 60
_LENGTHS = {
    "title": Design._meta.get_field("title").max_length,
    "purpose": TEXT_MAX,
    "evidence": TEXT_MAX,
    "technology": TEXT_MAX,
    "name": DesignStep._meta.get_field("name").max_length,
    "actor": DesignStep._meta.get_field("actor").max_length,
    "notes": DesignStep._meta.get_field("notes").max_length,
}
_LABELS = {
    "title": "Title",
    "purpose": "Purpose",
    "evidence": "Evidence",
    "technology": "Technology",
    "name": "Name",
    "actor": "Who does it",
    "notes": "Notes",
}


def may_design(person: Person | None, priority: Priority) -> bool:
    """Whether `person` may create and change the priority's designs: a scorer in its unit,
    or given a working-group role on the priority itself. None, the system, may."""
    if person is None:
        return True
    if access.roles_in(person, priority.unit) & roles.SCORERS:
        return True
    return bool(access.granted_roles(person, priority) & roles.SCORERS_GRANTED)


def authorise_design(by: Person | None, priority: Priority, action: str) -> None:
    if not may_design(by, priority):
        raise PermissionDenied(f"Your role does not allow you to {action}.")


def _text(fields: dict, name: str, *, required: bool = False) -> str:
    value = fields.get(name)
    if value is not None and not isinstance(value, str):
        raise ValidationError({name: [f"{_LABELS[name]} must be text."]})
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({name: [f"Give the {_LABELS[name].lower()}."]})
    if len(text) > _LENGTHS[name]:
        raise ValidationError(
            {name: [f"{_LABELS[name]} is longer than {_LENGTHS[name]:,} characters."]}
        )
    return text


def _choice(value, choices, field: str, what: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: [f"Choose {what}."]})
    return value


def _minutes(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValidationError(
                {"minutes": ["Give the typical minutes as a whole number."]}
            ) from None
    if value < 0:
        raise ValidationError({"minutes": ["Minutes cannot be negative."]})
    if value > MINUTES_MAX:
        raise ValidationError(
            {"minutes": [f"A step takes at most {MINUTES_MAX:,} minutes (a week)."]}
        )
    return value


def _design_values(fields: dict, *, partial: bool) -> dict:
    unknown = set(fields) - DESIGN_FIELDS
    if unknown:
        raise ValidationError(f"A design has no {', '.join(sorted(unknown))}.")
    values = {}
    for name in fields:
        if name == "kind":
            values[name] = _choice(fields[name], DesignKind, "kind", "what is being designed")
        else:
            values[name] = _text(fields, name, required=name == "title")
    if not partial and "title" not in values:
        raise ValidationError({"title": ["Give the title."]})
    return values


def _lock(record):
    """Read the record again under a row lock: two people changing the same design's steps
    at once must not give two steps one position."""
    record.refresh_from_db(from_queryset=type(record).objects.select_for_update())
    return record


@transaction.atomic
def design_create(
    *,
    by: Person | None,
    priority: Priority,
    title: str,
    kind: str,
    purpose: str = "",
    evidence: str = "",
    technology: str = "",
) -> Design:
    """A design for the priority: what is designed (a new system, a model of care or a
    process), its purpose, the evidence it draws on with its sources, and the technology it
    uses. Marks the priority as needing a design."""
    authorise_design(by, priority, "design for this priority")
    values = _design_values(
        {
            "title": title,
            "kind": kind,
            "purpose": purpose,
            "evidence": evidence,
            "technology": technology,
        },
        partial=False,
    )
    design = Design(priority=priority, created_by=by, **values)
    record_by(design, by, "Created")
    design.save()
    if not priority.needs_design:
        priority.needs_design = True
        record_by(priority, by, "Design started")
        priority.save(update_fields=["needs_design"])
    return design


@transaction.atomic
def design_update(*, by: Person | None, design: Design, reason: str = "", **fields) -> Design:
    """Change a design's title, kind, purpose, evidence or technology."""
    authorise_design(by, design.priority, "change this design")
    values = _design_values(fields, partial=True)
    _lock(design)
    for name, value in values.items():
        setattr(design, name, value)
    record_by(design, by, (reason or "Changed")[:100])
    design.save()
    return design


def _step_values(fields: dict) -> dict:
    unknown = set(fields) - STEP_FIELDS
    if unknown:
        raise ValidationError(f"A step has no {', '.join(sorted(unknown))}.")
    values = {}
    for name in fields:
        if name == "kind":
            values[name] = _choice(fields[name], StepKind, "kind", "step, decision or wait")
        elif name == "minutes":
            values[name] = _minutes(fields[name])
        else:
            values[name] = _text(fields, name, required=name == "name")
    return values


@transaction.atomic
def design_step_add(
    *,
    by: Person | None,
    design: Design,
    state: str,
    name: str,
    kind: str = StepKind.STEP,
    actor: str = "",
    minutes: int | None = None,
    notes: str = "",
) -> DesignStep:
    """A step at the end of the design's current or future process (at most `MAX_STEPS`
    a process)."""
    authorise_design(by, design.priority, "change this design")
    state = _choice(state, ProcessState, "state", "the current or the future process")
    values = _step_values(
        {"name": name, "kind": kind, "actor": actor, "minutes": minutes, "notes": notes}
    )
    _lock(design)
    count = design.steps.filter(state=state).count()
    if count >= MAX_STEPS:
        raise ValidationError(
            {"name": [f"A process has at most {MAX_STEPS} steps: this one is full."]}
        )
    step = DesignStep(design=design, state=state, position=count + 1, **values)
    record_by(step, by, "Added")
    step.save()
    return step


@transaction.atomic
def design_step_update(
    *, by: Person | None, step: DesignStep, reason: str = "", **fields
) -> DesignStep:
    """Change a step's name, kind, who does it, typical minutes or notes."""
    authorise_design(by, step.design.priority, "change this design")
    values = _step_values(fields)
    _lock(step.design)
    _lock(step)
    for name, value in values.items():
        setattr(step, name, value)
    record_by(step, by, (reason or "Changed")[:100])
    step.save()
    return step


@transaction.atomic
def design_step_move(*, by: Person | None, step: DesignStep, direction: str) -> DesignStep:
    """Swap the step with the one before it (`direction="up"`) or after it ("down"); the
    first step does not move up, nor the last down."""
    authorise_design(by, step.design.priority, "change this design")
    if direction not in ("up", "down"):
        raise ValidationError({"direction": ["Move a step up or down."]})
    _lock(step.design)
    _lock(step)
    siblings = DesignStep.objects.filter(design=step.design_id, state=step.state)
    if direction == "up":
        other = siblings.filter(position__lt=step.position).order_by("-position").first()
    else:
        other = siblings.filter(position__gt=step.position).order_by("position").first()
    if other is None:
        where = "first" if direction == "up" else "last"
        raise ValidationError({"direction": [f"“{step.name}” is the {where} step already."]})
    step.position, other.position = other.position, step.position
    for moved in (step, other):
        record_by(moved, by, f"Moved to position {moved.position}")
        moved.save(update_fields=["position"])
    return step


@transaction.atomic
def design_step_remove(*, by: Person | None, step: DesignStep) -> None:
    """Remove a step; the steps after it move up one place (the history keeps it)."""
    authorise_design(by, step.design.priority, "change this design")
    design = _lock(step.design)
    _lock(step)
    record_by(step, by, "Removed")
    step.delete()
    DesignStep.objects.filter(design=design, state=step.state, position__gt=step.position).update(
        position=F("position") - 1
    )


def _how_to(design: Design) -> str:
    """The future process as numbered steps, the package's "how to do it"."""
    lines = []
    for step in design.steps.filter(state=ProcessState.FUTURE).order_by("position"):
        detail = ", ".join(
            part
            for part in (
                step.actor,
                f"about {step.minutes} minutes" if step.minutes is not None else "",
            )
            if part
        )
        line = f"{step.position}. "
        if step.kind == StepKind.DECISION:
            line += "Decide: "
        elif step.kind == StepKind.WAIT:
            line += "Wait: "
        line += step.name + (f" ({detail})" if detail else "")
        if step.notes:
            line += f". {step.notes}"
        lines.append(line)
    return "\n".join(lines)


def design_package_summary(design: Design) -> str:
    """The change package's summary the design suggests: what it is, its purpose, its
    technology."""
    parts = [f"{design.get_kind_display()} designed for the priority “{design.priority.title}”."]
    if design.purpose:
        parts.append(design.purpose)
    if design.technology:
        parts.append(f"Technology: {design.technology}")
    return "\n\n".join(parts)


@transaction.atomic
def design_to_package(
    *, by: Person | None, design: Design, title: str = "", summary: str = ""
) -> object:
    """A draft change package of the priority's project, filled from the design (its purpose
    and technology as the summary, the future process as how to do it, its evidence as the
    evidence), for the project's team to test; the design names the package. Refused when the
    priority has not become a project yet, when the design has no future process, and when
    the design became a package already. The project's leads' role is needed as well
    (improvement's `package_create` checks it)."""
    authorise_design(by, design.priority, "turn this design into a change package")
    _lock(design)
    project = design.priority.project
    if project is None:
        raise ValidationError(
            "The priority is not a project yet: make it a project first, then turn the "
            "design into a change package for the project to test."
        )
    if design.package_id is not None:
        raise ValidationError(
            {"package": [f"This design became the change package “{design.package}” already."]}
        )
    how_to = _how_to(design)
    if not how_to:
        raise ValidationError(
            {"package": ["Add the steps of the future process first: they are the how-to."]}
        )
    package = improvement_services.package_create(
        by=by,
        project=project,
        title=(title or design.title).strip(),
        summary=(summary or design_package_summary(design)).strip(),
        how_to=how_to,
        evidence=design.evidence,
    )
    design.package = package
    record_by(design, by, "Became a change package")
    design.save(update_fields=["package"])
    return package
