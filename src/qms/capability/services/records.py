"""Writes of records: a person's assessed level in a skill and their training.

The person records their own (an assessment of themself waits for confirmation); the leads and
coaches of a unit they work in (`roles.ASSESSORS`) record and confirm them. Every write is
atomic and keeps history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qms.capability import roles
from qms.capability.models import Assessment, AssessmentStatus, Level, Skill, Training
from qms.capability.selectors.framework import organisation_of
from qms.capability.selectors.records import may_assess, staff_paths
from qms.control import services as control_services
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Membership, Person, Unit
from qms.people.roles import STAFF_ROLES
from qms.web.screening import problems_without_prompt

__all__ = [
    "assessment_confirm",
    "assessment_record",
    "training_import_file",
    "training_record",
]

# No record dates from before QMS's records could begin, nor from the future.
EARLIEST = dt.date(1970, 1, 1)
_TEXT_MAX = 2000


def _authorise(by: Person | None, person: Person, action: str, paths: list[str]) -> bool:
    """Whether `by` assesses the person (a lead or coach of a unit they work in, not the
    person themself). Raises PermissionDenied for anyone but the person and their assessors;
    `by=None` is the system. `paths`: the person's `staff_paths`."""
    if not paths:
        raise PermissionDenied(f"{person} holds no staff role: there is no record to {action}.")
    if by is None:
        return True
    if by.pk == person.pk:
        return False  # one's own level waits for someone else to confirm it
    if may_assess(by, person, paths):
        return True
    raise PermissionDenied(f"Your role does not allow you to {action} for {person}.")


def _check_date(errors: dict, field: str, value, today: dt.date) -> dt.date | None:
    if not isinstance(value, dt.date):
        errors[field] = "Give the date."
        return None
    if value > today:
        errors[field] = "The date is in the future."
    elif value < EARLIEST:
        errors[field] = f"The date is before {EARLIEST:%Y}."
    return value


def _check_framework(errors: dict, person_paths: list[str], skill, level) -> None:
    if skill is not None and level is not None and skill.organisation_id != level.organisation_id:
        errors["level"] = "Choose a level of the skill's framework."
    if skill is not None:
        root = f"/{skill.organisation_id}/"
        if not any(path.startswith(root) for path in person_paths):
            errors["skill"] = "Choose a skill of the person's organisation's framework."


@transaction.atomic
def assessment_record(
    *,
    by: Person | None,
    person: Person,
    skill: Skill,
    level: Level,
    assessed_on: dt.date | None = None,
    evidence: str = "",
    reason: str = "",
) -> Assessment:
    """Record the person's level in a skill. By a lead or coach it is confirmed; by the person
    themself it waits for one of them to confirm it. The earlier level stays in its history."""
    paths = staff_paths(person)
    assessor = _authorise(by, person, "record an assessment", paths)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    assessed_on = _check_date(errors, "assessed_on", assessed_on or today, today)
    _check_framework(errors, paths, skill, level)
    if skill.retired_at is not None:
        errors["skill"] = "This skill is retired: it is no longer assessed."
    evidence = (evidence or "").strip()
    if len(evidence) > _TEXT_MAX:
        errors["evidence"] = f"The evidence is longer than {_TEXT_MAX} characters."
    if errors:
        raise ValidationError(errors)
    fields = {
        "level": level,
        "assessed_on": assessed_on,
        "evidence": evidence,
        "assessed_by": by,
        "status": AssessmentStatus.CONFIRMED if assessor else AssessmentStatus.PENDING,
    }
    default = "Assessed" if assessor else "Self-assessed"
    return save_one_per(
        Assessment, {"person": person, "skill": skill}, fields, by=by, reason=reason or default
    )


def save_one_per(model, key: dict, fields: dict, *, by: Person | None, reason: str):
    """The one row of `model` for `key` (a person's skill, a person's month), created or
    changed to `fields`, with history. When two people save the first row for the same key at
    the same moment, the unique constraint refuses the second insert: it then changes the row
    the first made (the later one wins, as when the row existed), never a server error."""
    for _attempt in range(2):
        row = model.objects.select_for_update().filter(**key).first() or model(**key)
        for name, value in fields.items():
            setattr(row, name, value)
        record_by(row, by, reason)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            if not row._state.adding:
                raise
            continue  # someone made it meanwhile: change theirs
        return row
    raise IntegrityError(f"{model.__name__} {key} could not be saved.")


@transaction.atomic
def assessment_confirm(*, by: Person | None, assessment: Assessment) -> Assessment:
    """A lead or coach confirms a self-assessment: from now on it counts."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    person = assessment.person
    if not _authorise(by, person, "confirm an assessment", staff_paths(person)):
        raise PermissionDenied("A lead or coach of your unit confirms your own assessment.")
    if assessment.status != AssessmentStatus.CONFIRMED:
        assessment.status = AssessmentStatus.CONFIRMED
        record_by(assessment, by, "Confirmed")
        assessment.save()
    return assessment


def _hours(errors: dict, value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors["hours"] = "Give the hours as a number."
        return None
    if not hours.is_finite() or hours < 0 or hours > 9999:
        errors["hours"] = "Give the hours as a number from 0 to 9,999."
        return None
    return hours.quantize(Decimal("0.1"))


def _training_fields(errors: dict, course, provider, evidence, completed_on, hours) -> tuple:
    """The course's own fields, cleaned, with what is wrong with each put in `errors`."""
    course = " ".join((course or "").split())
    provider = " ".join((provider or "").split())
    evidence = (evidence or "").strip()
    if not course:
        errors["course"] = "Give the course's name."
    for field, value, limit in (("course", course, 200), ("provider", provider, 200)):
        if len(value) > limit:
            errors[field] = f"The {field} is longer than {limit} characters."
    if len(evidence) > 500:
        errors["evidence"] = "The evidence is longer than 500 characters."
    completed_on = _check_date(errors, "completed_on", completed_on, timezone.localdate())
    return course, provider, evidence, completed_on, _hours(errors, hours)


@transaction.atomic
def training_record(
    *,
    by: Person | None,
    person: Person,
    course: str,
    completed_on: dt.date | None,
    provider: str = "",
    hours=None,
    evidence: str = "",
    skill: Skill | None = None,
    level: Level | None = None,
) -> Training:
    """Record a course the person has done, and the skill and level it counts towards."""
    paths = staff_paths(person)
    _authorise(by, person, "record training", paths)
    errors: dict[str, str] = {}
    course, provider, evidence, completed_on, amount = _training_fields(
        errors, course, provider, evidence, completed_on, hours
    )
    if level is not None and skill is None:
        errors["skill"] = "Choose the skill the level is in."
    _check_framework(errors, paths, skill, level)
    if errors:
        raise ValidationError(errors)
    training = Training(
        person=person,
        course=course,
        provider=provider,
        completed_on=completed_on,
        hours=amount,
        evidence=evidence,
        skill=skill,
        level=level,
        recorded_by=by,
    )
    record_by(training, by, "Recorded")
    training.save()
    return training


# Importing training ----------------------------------------------------------------------------

# The most rows one file imports: a whole division's year of training fits.
MAX_TRAINING_ROWS = 5_000
# The file's columns (header names in any order and case), and those that must be there.
TRAINING_COLUMNS = (
    "person",
    "course",
    "provider",
    "completed_on",
    "hours",
    "evidence",
    "skill",
    "level",
)
REQUIRED_COLUMNS = ("person", "course", "completed_on")
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(_cell(value), pattern).date()
        except ValueError:
            continue
    return None


def _recorded_courses(people) -> set:
    """(person id, course, date) of the training `people` already have, with their rows locked
    (in id order) so that the same file imported twice at once (a double click) is refused
    rather than recorded twice."""
    ids = sorted({person.pk for person in people})
    list(Person.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
    return {
        (person_id, " ".join(course.split()).casefold(), completed_on)
        for person_id, course, completed_on in Training.objects.filter(
            person_id__in=ids
        ).values_list("person_id", "course", "completed_on")
    }


@transaction.atomic
def training_import_file(*, by: Person | None, unit: Unit, file) -> int:
    """Import training records from a .csv or .xlsx file, one course a row, for the people
    working in `unit` (or below), all or nothing: a ValidationError lists every problem as
    "Row N, column: ..." and nothing is saved. Columns (`TRAINING_COLUMNS`): person (user name
    or e-mail), course, provider, completed_on (31/01/2026 or 2026-01-31), hours, evidence, and
    the skill and level it counts towards (by name). The number of records added."""
    access.authorise(by, unit, roles.ASSESSORS, "import training")
    stream = getattr(file, "file", file)
    stream.seek(0)
    try:
        header, rows = control_services.table_read(
            stream, getattr(file, "name", "") or "", max_rows=MAX_TRAINING_ROWS
        )
    except ValueError as error:
        raise ValidationError({"file": str(error)}) from None
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        column = name.strip().lower().replace(" ", "_")
        if column in columns and column in TRAINING_COLUMNS:
            raise ValidationError({"file": f"Row 1 names the column {column} twice."})
        columns[column] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ValidationError({"file": f"Row 1 must name the columns {', '.join(missing)}."})
    people = {}
    for membership in Membership.objects.filter(
        unit__path__startswith=unit.path, role__in=STAFF_ROLES
    ).select_related("person"):
        person = membership.person
        people[person.username.lower()] = person
        if person.email:
            people[person.email.lower()] = person
    organisation = organisation_of(unit)
    skills = {s.name.lower(): s for s in Skill.objects.filter(organisation=organisation)}
    levels = {lv.name.lower(): lv for lv in Level.objects.filter(organisation=organisation)}
    recorded = _recorded_courses(people.values())
    problems: list[str] = []
    added = 0
    for number, cells in rows:

        def get(name: str, cells=cells):
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else None

        found: list[str] = []
        person = people.get(_cell(get("person")).lower())
        if person is None:
            found.append(f"person: no one called “{_cell(get('person'))}” works in {unit}")
        completed_on = _date(get("completed_on"))
        if completed_on is None:
            found.append("completed_on: give the date as 31/01/2026 or 2026-01-31")
        skill = level = None
        if _cell(get("skill")):
            skill = skills.get(_cell(get("skill")).lower())
            if skill is None:
                found.append(f"skill: the framework has no skill “{_cell(get('skill'))}”")
        if _cell(get("level")):
            level = levels.get(_cell(get("level")).lower())
            if level is None:
                found.append(f"level: the framework has no level “{_cell(get('level'))}”")
        key = (person.pk if person else None, " ".join(_cell(get("course")).split()).casefold(),
               completed_on)  # fmt: skip
        if person is not None and completed_on is not None and key in recorded:
            found.append(f"course: {person} already has this course on {completed_on:%d/%m/%Y}")
        recorded.add(key)
        for name in ("course", "provider", "evidence"):
            found += [
                f"{name}: {message}"
                for message in problems_without_prompt(
                    _cell(get(name)), label=name.capitalize(), multiline=False
                )
            ]
        if found or person is None:
            # The row is not recorded: still name what is wrong with its course's own fields.
            named = {problem.split(":", 1)[0] for problem in found}
            errors: dict[str, str] = {}
            _training_fields(
                errors,
                _cell(get("course")),
                _cell(get("provider")),
                _cell(get("evidence")),
                completed_on,
                _cell(get("hours")) or None,
            )
            found += [f"{field}: {message}" for field, message in errors.items()
                      if field not in named]  # fmt: skip
        else:
            try:
                training_record(
                    by=by,
                    person=person,
                    course=_cell(get("course")),
                    provider=_cell(get("provider")),
                    completed_on=completed_on,
                    hours=_cell(get("hours")) or None,
                    evidence=_cell(get("evidence")),
                    skill=skill,
                    level=level,
                )
                added += 1
            except ValidationError as error:
                found += [
                    f"{field}: {' '.join(messages)}"
                    for field, messages in error.message_dict.items()
                ]
            except PermissionDenied as error:
                found.append(f"person: {error}")
        problems += [f"Row {number}, {problem}" for problem in found]
    if problems:
        raise ValidationError({"file": problems})
    if not added:
        raise ValidationError({"file": "The file has no rows of training."})
    return added
