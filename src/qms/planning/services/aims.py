"""Quality planning's writes: the quality vision of a unit and its aims.

An aim has a statement, a target in words and a due date; it may serve a parent aim, which must
be an active aim of the same unit or of a unit above it (never below or beside: the cascade runs
from the board down), and measures and projects of its unit or below serve it.

Who may: a unit's leaders and a board's executives (`roles.AIM_SETTERS`, reaching down the
tree) state its vision and set, change, link and retire its aims. `by=None` is the system (the
demo, commands) and is not checked.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from qms.core.dates import out_of_reach
from qms.notifications.models import NotificationKind
from qms.notifications.services import notify
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Person, Unit
from qms.planning import roles
from qms.planning.models import Aim, Vision

__all__ = [
    "AIM_FIELDS",
    "AIM_LATEST_YEARS",
    "aim_create",
    "aim_link_measure",
    "aim_link_project",
    "aim_retire",
    "aim_unlink_measure",
    "aim_unlink_project",
    "aim_update",
    "may_read_aim",
    "vision_set",
]

# The fields aim_update changes.
AIM_FIELDS = frozenset({"statement", "target", "due_on", "parent"})
# A due date within reach (qms.core.dates): 0001-01-01 or 9999-12-31 is a slip. A board's
# aims look further ahead than a project, but not decades.
AIM_LATEST_YEARS = 20
STATEMENT_MAX = 1000
VISION_MAX = 5000
REASON_MAX = 300


def _text(value, field: str, label: str, *, required: bool = True, limit: int) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ValidationError({field: [f"{label}: give text."]})
    if required and not text:
        raise ValidationError({field: [f"{label}: this is needed."]})
    if len(text) > limit:
        raise ValidationError({field: [f"{label}: at most {limit} characters."]})
    return text


# The vision -------------------------------------------------------------------------------------


@transaction.atomic
def vision_set(*, by: Person | None, unit: Unit, vision: str, purpose: str = "") -> Vision:
    """State (or restate) a unit's quality vision and purpose (its aim setters). The board's is
    the organisation's, shown at the top of every unit's aims."""
    access.authorise(by, unit, roles.AIM_SETTERS, "state the quality vision")
    errors: dict[str, list[str]] = {}
    try:
        vision = _text(vision, "vision", "The vision", limit=VISION_MAX)
    except ValidationError as error:
        errors |= error.message_dict
    try:
        purpose = _text(purpose, "purpose", "The purpose", required=False, limit=VISION_MAX)
    except ValidationError as error:
        errors |= error.message_dict
    if errors:
        raise ValidationError(errors)
    record = Vision.objects.select_for_update().filter(unit=unit).first()
    if record is None:
        record = Vision(unit=unit)
    if record.pk and record.vision == vision and record.purpose == purpose:
        return record
    record.vision, record.purpose, record.updated_by = vision, purpose, by
    record_by(record, by, "Vision stated" if record.pk is None else "Vision restated")
    record.save()
    return record


# Aims -------------------------------------------------------------------------------------------


def _due_problems(due_on) -> dict[str, list[str]]:
    if not isinstance(due_on, dt.date):
        return {"due_on": ["Due on: enter a date, e.g. 2027-03-31."]}
    problem = out_of_reach(due_on, "Due on", years_ahead=AIM_LATEST_YEARS)
    return {"due_on": [problem]} if problem else {}


def _parent_problems(aim: Aim, parent: Aim | None) -> dict[str, list[str]]:
    """A parent is an active aim of the aim's unit or a unit above it, and not the aim itself
    or one of the aims that serve it (no loops)."""
    if parent is None:
        return {}
    if not isinstance(parent, Aim):
        return {"parent": ["Choose an aim it serves."]}
    if not parent.is_active:
        return {"parent": ["That aim is retired: choose an active aim."]}
    if not aim.unit.path.startswith(parent.unit.path):
        return {"parent": ["An aim serves an aim of its own unit or of a unit above it."]}
    if aim.pk is not None:
        seen, step = set(), parent
        while step is not None and step.pk not in seen:  # walks up: a chain is short
            if step.pk == aim.pk:
                return {"parent": ["That aim serves this one: an aim cannot serve itself."]}
            seen.add(step.pk)
            step = step.parent
    return {}


def _authorise_parent(by: Person | None, parent: Aim | None) -> None:
    """`by` may name as parent only an aim they can see: of a unit where they see planning, or
    above one (the cascade they serve)."""
    if by is None or parent is None or not isinstance(parent, Aim):
        return
    if not may_read_aim(by, parent):
        raise ValidationError({"parent": ["Choose an aim of your unit or a unit above it."]})


def may_read_aim(user, aim: Aim) -> bool:
    """Whether the person reads the aim: they see its unit's planning, or that of a unit below
    it (an aim above is the cascade their own aims serve)."""
    if access.roles_in(user, aim.unit) & roles.VIEWERS:
        return True
    paths = access.unit_paths_with_role(user, roles.VIEWERS)
    if paths is None:
        return True
    return any(path.startswith(aim.unit.path) for path in paths)


def _clean(aim: Aim) -> None:
    errors: dict[str, list[str]] = {}
    for field, label, limit in (
        ("statement", "The aim", STATEMENT_MAX),
        ("target", "The target", Aim._meta.get_field("target").max_length),
    ):
        try:
            setattr(aim, field, _text(getattr(aim, field), field, label, limit=limit))
        except ValidationError as error:
            errors |= error.message_dict
    errors |= _due_problems(aim.due_on)
    errors |= _parent_problems(aim, aim.parent)
    if errors:
        raise ValidationError(errors)


def _check_measure(by: Person | None, aim: Aim, measure) -> None:
    if by is not None and not access.roles_on(by, measure) & roles.VIEWERS:
        raise PermissionDenied("You cannot see this measure.")
    if not measure.unit.path.startswith(aim.unit.path):
        raise ValidationError(
            {"measures": [f"{measure} is not a measure of {aim.unit} or a unit below it."]}
        )


def _check_project(by: Person | None, aim: Aim, project) -> None:
    if by is not None and not access.roles_on(by, project) & roles.VIEWERS:
        raise PermissionDenied("You cannot see this project.")
    if not project.unit.path.startswith(aim.unit.path):
        raise ValidationError(
            {"projects": [f"{project} is not a project of {aim.unit} or a unit below it."]}
        )


@transaction.atomic
def aim_create(
    *,
    by: Person | None,
    unit: Unit,
    statement: str,
    target: str,
    due_on,
    parent: Aim | None = None,
    measures=(),
    projects=(),
) -> Aim:
    """Set a quality aim for a unit (its aim setters): a statement, a target in words and a due
    date, optionally the aim of the same unit or a unit above that it serves, and the measures
    and projects of the unit or below (that `by` sees) serving it."""
    access.authorise(by, unit, roles.AIM_SETTERS, "set aims")
    if parent is not None and isinstance(parent, Aim):
        parent = (
            Aim.objects.select_for_update(of=("self",)).select_related("unit").get(pk=parent.pk)
        )
    _authorise_parent(by, parent)
    aim = Aim(
        unit=unit,
        statement=statement,
        target=target,
        due_on=due_on,
        parent=parent,
        created_by=by,
    )
    _clean(aim)
    measures, projects = list(measures), list(projects)
    for measure in measures:
        _check_measure(by, aim, measure)
    for project in projects:
        _check_project(by, aim, project)
    record_by(aim, by, "Aim set")
    aim.save()
    if measures:
        aim.measures.add(*measures)
    if projects:
        aim.projects.add(*projects)
    return aim


def _lock(aim: Aim) -> Aim:
    """The aim read again under a row lock: two people changing it at once wait for each other
    and the second sees the first's change."""
    return (
        Aim.objects.select_for_update(of=("self",)).select_related("unit", "parent").get(pk=aim.pk)
    )


def _lock_cascade(aim: Aim) -> None:
    """Changes of the aims an aim serves wait for each other across the organisation (a lock on
    its board's row): two people each making the other's aim serve theirs at the same moment
    would otherwise both pass the loop check."""
    board = Unit.objects.filter(pk=aim.unit_id).values_list("path", flat=True).first() or ""
    root = next((int(part) for part in board.strip("/").split("/") if part), aim.unit_id)
    list(Unit.objects.select_for_update().filter(pk=root))


def _tell_children(by: Person | None, aim: Aim, what: str) -> None:
    """The people who set the active aims serving this one hear that it changed."""
    children = Aim.objects.filter(parent=aim, is_active=True).select_related("created_by")
    people = [c.created_by for c in children if c.created_by_id and c.created_by != by]
    if people:
        notify(
            people,
            kind=NotificationKind.PLANNING,
            text=f"The aim your aim serves was {what}: “{aim}”."[:300],
            subject=aim,
        )


@transaction.atomic
def aim_update(*, by: Person | None, aim: Aim, reason: str = "", **fields) -> Aim:
    """Change an aim's statement, target, due date or parent (its unit's aim setters). The
    people whose aims serve it hear of the change."""
    access.authorise(by, aim, roles.AIM_SETTERS, "change this aim")
    unknown = set(fields) - AIM_FIELDS
    if unknown:
        raise ValidationError(f"Unknown aim fields: {', '.join(sorted(unknown))}")
    if "parent" in fields:
        _lock_cascade(aim)
    aim = _lock(aim)
    if not aim.is_active:
        raise ValidationError("This aim is retired: it cannot be changed.")
    reason = _text(reason, "reason", "The reason", required=False, limit=REASON_MAX)
    if isinstance(fields.get("parent"), Aim):  # read again under the lock: its chain is current
        fields["parent"] = Aim.objects.select_related("unit").get(pk=fields["parent"].pk)
    if "parent" in fields and fields["parent"] != aim.parent:
        _authorise_parent(by, fields["parent"])
    before = {name: getattr(aim, name) for name in fields}
    for name, value in fields.items():
        setattr(aim, name, value)
    _clean(aim)
    if all(getattr(aim, name) == old for name, old in before.items()):
        return aim
    record_by(aim, by, reason or "Aim changed")
    aim.save()
    _tell_children(by, aim, "changed")
    return aim


@transaction.atomic
def aim_retire(*, by: Person | None, aim: Aim, reason: str) -> Aim:
    """Retire an aim, with the reason (its unit's aim setters): it leaves the cascade, and the
    aims serving it show that they serve a retired aim; their setters hear of it."""
    access.authorise(by, aim, roles.AIM_SETTERS, "retire this aim")
    aim = _lock(aim)
    reason = _text(reason, "reason", "The reason", limit=REASON_MAX)
    if not aim.is_active:
        raise ValidationError("This aim is retired already.")
    aim.is_active = False
    record_by(aim, by, f"Retired: {reason}")
    aim.save()
    _tell_children(by, aim, f"retired ({reason})")
    return aim


def _writable(by: Person | None, aim: Aim, action: str) -> Aim:
    access.authorise(by, aim, roles.AIM_SETTERS, action)
    aim = _lock(aim)
    if not aim.is_active:
        raise ValidationError("This aim is retired: it cannot be changed.")
    return aim


@transaction.atomic
def aim_link_measure(*, by: Person | None, aim: Aim, measure) -> Aim:
    """Link a measure of the aim's unit or below (one `by` sees) to the aim."""
    aim = _writable(by, aim, "link measures to this aim")
    _check_measure(by, aim, measure)
    if aim.measures.filter(pk=measure.pk).exists():
        raise ValidationError({"measure": [f"{measure} already serves this aim."]})
    record_by(aim, by, f"{measure} linked")
    aim.measures.add(measure)
    return aim


@transaction.atomic
def aim_unlink_measure(*, by: Person | None, aim: Aim, measure) -> Aim:
    """Take a measure off the aim; its data stay in quality control."""
    aim = _writable(by, aim, "unlink measures from this aim")
    record_by(aim, by, f"{measure} unlinked")
    aim.measures.remove(measure)
    return aim


@transaction.atomic
def aim_link_project(*, by: Person | None, aim: Aim, project) -> Aim:
    """Link an improvement project of the aim's unit or below (one `by` sees) to the aim."""
    aim = _writable(by, aim, "link projects to this aim")
    _check_project(by, aim, project)
    if aim.projects.filter(pk=project.pk).exists():
        raise ValidationError({"project": [f"{project} already serves this aim."]})
    record_by(aim, by, f"{project} linked")
    aim.projects.add(project)
    return aim


@transaction.atomic
def aim_unlink_project(*, by: Person | None, aim: Aim, project) -> Aim:
    """Take a project off the aim; the project carries on."""
    aim = _writable(by, aim, "unlink projects from this aim")
    record_by(aim, by, f"{project} unlinked")
    aim.projects.remove(project)
    return aim
