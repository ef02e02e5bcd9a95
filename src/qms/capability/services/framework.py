"""Writes of the skills framework: every write authorises `by`, is atomic and keeps history.

The framework belongs to an organisation (a root unit); its framework editors
(`roles.FRAMEWORK_EDITORS` held there) change it. `framework_ensure` gives an organisation the
default framework (`qms.capability.defaults`) the first time it is needed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from qms.capability import defaults, roles
from qms.capability.models import (
    Level,
    ProjectRole,
    ProjectRoleRequirement,
    RoleRequirement,
    Skill,
)
from qms.capability.selectors.framework import organisation_of
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Person, Unit

__all__ = [
    "framework_ensure",
    "level_update",
    "organisation_of",
    "project_requirement_set",
    "requirement_set",
    "skill_create",
    "skill_restore",
    "skill_retire",
    "skill_update",
]

_NAME_MAX = 150
_TEXT_MAX = 2000


@transaction.atomic
def framework_ensure(organisation: Unit) -> int:
    """Give the organisation the default framework if it has none yet (a new organisation,
    or a database emptied by a test); an organisation that has one keeps it as edited. The
    number of records added."""
    organisation = organisation_of(organisation)
    if Level.objects.filter(organisation=organisation).exists():
        return 0  # the usual case, without a lock
    # Two first visits at once: the second waits here, then finds the first one's framework.
    organisation = Unit.objects.select_for_update().get(pk=organisation.pk)
    if Level.objects.filter(organisation=organisation).exists():
        return 0
    levels = {}
    for rank, (code, name, covers, who) in enumerate(defaults.LEVELS, start=1):
        level = Level(organisation=organisation, code=code, name=name, rank=rank, covers=covers)
        level.who = who
        record_by(level, None, "Default framework")
        level.save()
        levels[code] = level
    skills = {}
    for position, (code, name, covers) in enumerate(defaults.SKILLS, start=1):
        skill = Skill(
            organisation=organisation, code=code, name=name, covers=covers, position=position * 10
        )
        record_by(skill, None, "Default framework")
        skill.save()
        skills[code] = skill
    added = len(levels) + len(skills)
    for model, rows in (
        (RoleRequirement, defaults.ROLE_REQUIREMENTS),
        (ProjectRoleRequirement, defaults.PROJECT_REQUIREMENTS),
    ):
        for role, skill_code, level_code in rows:
            requirement = model(skill=skills[skill_code], role=role, level=levels[level_code])
            record_by(requirement, None, "Default framework")
            requirement.save()
            added += 1
    return added


def _authorise(by: Person | None, record, action: str) -> None:
    access.authorise(by, record, roles.FRAMEWORK_EDITORS, action)


def _text(errors: dict, field: str, value, *, required: bool, limit: int) -> str:
    value = " ".join(str(value or "").split()) if limit <= _NAME_MAX else str(value or "").strip()
    if required and not value:
        errors[field] = f"Give the {field.replace('_', ' ')}."
    elif len(value) > limit:
        errors[field] = f"The {field.replace('_', ' ')} is longer than {limit} characters."
    return value


def _skill_fields(organisation: Unit, name, covers, *, skill: Skill | None = None) -> dict:
    errors: dict[str, str] = {}
    fields = {
        "name": _text(errors, "name", name, required=True, limit=_NAME_MAX),
        "covers": _text(errors, "covers", covers, required=False, limit=_TEXT_MAX),
    }
    if "name" not in errors:
        taken = Skill.objects.filter(organisation=organisation, name__iexact=fields["name"])
        if skill is not None:
            taken = taken.exclude(pk=skill.pk)
        if taken.exists():
            errors["name"] = "The framework already has a skill of that name."
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def skill_create(*, by: Person | None, organisation: Unit, name: str, covers: str = "") -> Skill:
    """Add a skill to the organisation's framework, last in its order."""
    organisation = organisation_of(organisation)
    _authorise(by, organisation, "change the skills framework")
    # Serialises additions, so two editors adding at once do not take the same code.
    Unit.objects.select_for_update().get(pk=organisation.pk)
    fields = _skill_fields(organisation, name, covers)
    base = slugify(fields["name"])[:50] or "skill"
    code, number = base, 1
    while Skill.objects.filter(organisation=organisation, code=code).exists():
        number += 1
        code = f"{base}-{number}"
    last = Skill.objects.filter(organisation=organisation).aggregate(last=Max("position"))["last"]
    skill = Skill(organisation=organisation, code=code, position=(last or 0) + 10, **fields)
    record_by(skill, by, "Added to the framework")
    skill.save()
    return skill


@transaction.atomic
def skill_update(
    *, by: Person | None, skill: Skill, name: str, covers: str = "", reason: str = ""
) -> Skill:
    """Rename or reword a skill; assessments and training that name it keep it."""
    _authorise(by, skill, "change the skills framework")
    skill = Skill.objects.select_for_update().get(pk=skill.pk)
    fields = _skill_fields(skill.organisation, name, covers, skill=skill)
    for field, value in fields.items():
        setattr(skill, field, value)
    record_by(skill, by, reason or "Changed")
    skill.save()
    return skill


@transaction.atomic
def skill_retire(*, by: Person | None, skill: Skill, reason: str = "") -> Skill:
    """Take a skill out of use: no longer required or assessed, still shown where it was."""
    _authorise(by, skill, "change the skills framework")
    skill = Skill.objects.select_for_update().get(pk=skill.pk)
    if skill.retired_at is None:
        skill.retired_at = timezone.now()
        record_by(skill, by, reason or "Retired")
        skill.save()
    return skill


@transaction.atomic
def skill_restore(*, by: Person | None, skill: Skill, reason: str = "") -> Skill:
    """Bring a retired skill back into use."""
    _authorise(by, skill, "change the skills framework")
    skill = Skill.objects.select_for_update().get(pk=skill.pk)
    if skill.retired_at is not None:
        skill.retired_at = None
        record_by(skill, by, reason or "Restored")
        skill.save()
    return skill


@transaction.atomic
def level_update(
    *, by: Person | None, level: Level, name: str, covers: str, who: str = "", reason: str = ""
) -> Level:
    """Rename a level or reword what it covers; its place in the order stays."""
    _authorise(by, level, "change the skills framework")
    level = Level.objects.select_for_update().get(pk=level.pk)
    errors: dict[str, str] = {}
    name = _text(errors, "name", name, required=True, limit=80)
    covers = _text(errors, "covers", covers, required=True, limit=_TEXT_MAX)
    who = _text(errors, "who", who, required=False, limit=300)
    if (
        "name" not in errors
        and Level.objects.filter(organisation=level.organisation, name__iexact=name)
        .exclude(pk=level.pk)
        .exists()
    ):
        errors["name"] = "The framework already has a level of that name."
    if errors:
        raise ValidationError(errors)
    level.name, level.covers, level.who = name, covers, who
    record_by(level, by, reason or "Changed")
    level.save()
    return level


def _set(model, *, by, skill: Skill, role: str, level: Level | None, choices) -> None:
    _authorise(by, skill, "change what roles need")
    if role not in choices:
        raise ValidationError({"role": "Choose a role from the list."})
    if level is not None and level.organisation_id != skill.organisation_id:
        raise ValidationError({"level": "Choose a level of this organisation's framework."})
    if skill.retired_at is not None and level is not None:
        raise ValidationError({"skill": "This skill is retired: restore it first."})
    current = model.objects.select_for_update().filter(skill=skill, role=role).first()
    if current is None and level is None:
        return
    if current is not None and level is None:
        record_by(current, by, "No longer needed")
        current.delete()
        return
    if current is None:
        current = model(skill=skill, role=role, level=level)
    elif current.level_id == level.pk:
        return
    current.level = level
    record_by(current, by, "Level needed changed")
    current.save()


@transaction.atomic
def requirement_set(*, by: Person | None, skill: Skill, role: str, level: Level | None) -> None:
    """The level a membership role needs in a skill (None: none needed)."""
    _set(
        RoleRequirement,
        by=by,
        skill=skill,
        role=role,
        level=level,
        choices=defaults.REQUIRABLE_ROLES,
    )


@transaction.atomic
def project_requirement_set(
    *, by: Person | None, skill: Skill, role: str, level: Level | None
) -> None:
    """The level a role on a project's team needs in a skill (None: none needed)."""
    _set(
        ProjectRoleRequirement,
        by=by,
        skill=skill,
        role=role,
        level=level,
        choices=ProjectRole.values,
    )
