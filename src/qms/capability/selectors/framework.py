"""Reads of the skills framework: an organisation's levels, skills and what each role needs,
read once (four queries) for a page that computes gaps."""

from __future__ import annotations

from dataclasses import dataclass, field

from qms.capability import roles
from qms.capability.defaults import REQUIRABLE_ROLES
from qms.capability.models import (
    Level,
    ProjectRole,
    ProjectRoleRequirement,
    RoleRequirement,
    Skill,
)
from qms.people import access
from qms.people.models import Unit

__all__ = [
    "Framework",
    "NeedsRow",
    "framework_of",
    "may_edit",
    "may_read",
    "needs_grid",
    "organisation_of",
    "organisations_of",
]


def organisation_of(unit: Unit) -> Unit:
    """The root of the unit's tree: the organisation whose framework applies there."""
    if unit.parent_id is None:
        return unit
    return Unit.objects.get(pk=unit.ancestor_ids[0])


@dataclass
class Framework:
    organisation: Unit
    levels: list[Level]
    skills: list[Skill]  # in use, in order
    retired: list[Skill]
    # (membership role, skill id) -> level needed
    role_needs: dict[tuple[str, int], Level] = field(default_factory=dict)
    # (project team role, skill id) -> level needed
    project_needs: dict[tuple[str, int], Level] = field(default_factory=dict)

    @property
    def skill_codes(self) -> dict[str, Skill]:
        return {skill.code: skill for skill in self.skills}

    @property
    def level_codes(self) -> dict[str, Level]:
        return {level.code: level for level in self.levels}

    def need(self, roles, skill: Skill) -> Level | None:
        """The highest level any of the membership roles needs in the skill."""
        needed = [self.role_needs.get((role, skill.pk)) for role in roles]
        return max((level for level in needed if level), key=lambda lv: lv.rank, default=None)

    def project_need(self, roles, skill: Skill) -> Level | None:
        needed = [self.project_needs.get((role, skill.pk)) for role in roles]
        return max((level for level in needed if level), key=lambda lv: lv.rank, default=None)


def framework_of(organisation: Unit, *, projects: bool = False) -> Framework:
    """The organisation's framework (`organisation` is its root unit): three queries, four
    with what project team roles need."""
    levels = {level.pk: level for level in Level.objects.filter(organisation=organisation)}
    every = list(Skill.objects.filter(organisation=organisation))
    framework = Framework(
        organisation=organisation,
        levels=sorted(levels.values(), key=lambda level: level.rank),
        skills=[skill for skill in every if skill.retired_at is None],
        retired=[skill for skill in every if skill.retired_at is not None],
    )
    for role, skill_id, level_id in RoleRequirement.objects.filter(
        skill__organisation=organisation
    ).values_list("role", "skill_id", "level_id"):
        framework.role_needs[(role, skill_id)] = levels[level_id]
    if projects:
        for role, skill_id, level_id in ProjectRoleRequirement.objects.filter(
            skill__organisation=organisation
        ).values_list("role", "skill_id", "level_id"):
            framework.project_needs[(role, skill_id)] = levels[level_id]
    return framework


def organisations_of(user) -> list[Unit]:
    """The organisations (root units) where the user works (staff roles), by name."""
    paths = access.unit_paths_with_role(user, roles.VIEWERS)
    roots = Unit.objects.filter(parent=None)
    if paths is None:
        return list(roots.order_by("name"))
    ids = {int(path.strip("/").split("/")[0]) for path in paths if path.strip("/")}
    return list(roots.filter(pk__in=ids).order_by("name"))


def may_read(user, organisation: Unit) -> bool:
    """Staff anywhere in the organisation read its framework."""
    paths = access.unit_paths_with_role(user, roles.VIEWERS)
    return paths is None or any(path.startswith(organisation.path) for path in paths)


def may_edit(user, organisation: Unit) -> bool:
    return access.can(user, organisation, roles.FRAMEWORK_EDITORS)


@dataclass
class NeedsRow:
    skill: Skill
    roles: list[Level | None]
    project_roles: list[Level | None]


def needs_grid(framework: Framework) -> list[NeedsRow]:
    """Per skill in use, the level each membership role and each project team role needs."""
    return [
        NeedsRow(
            skill,
            [framework.role_needs.get((role, skill.pk)) for role in REQUIRABLE_ROLES],
            [framework.project_needs.get((role, skill.pk)) for role in ProjectRole.values],
        )
        for skill in framework.skills
    ]
