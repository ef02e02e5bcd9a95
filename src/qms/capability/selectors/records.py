"""Reads of records: whose skills and training a person may see, and one person's record.

A person's assessments, training and protected time are theirs: seen by themself and by the
leads and coaches (`roles.ASSESSORS`) of a unit they work in (or a unit above it), never by
colleagues, partners or anyone outside."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from qms.capability import roles
from qms.capability.defaults import REQUIRABLE_ROLES
from qms.capability.models import (
    Assessment,
    AssessmentStatus,
    Level,
    ProtectedTime,
    Skill,
    Training,
)
from qms.capability.selectors.framework import Framework
from qms.people import access
from qms.people.models import Membership, Person, Unit
from qms.people.roles import STAFF_ROLES

__all__ = [
    "NeedRow",
    "PersonRecord",
    "may_assess",
    "may_see",
    "pending_for",
    "person_needs",
    "person_record",
    "staff_paths",
]


def staff_paths(person: Person) -> list[str]:
    """The paths of the units the person works in (staff roles only)."""
    return list(
        Membership.objects.filter(person=person, role__in=STAFF_ROLES)
        .values_list("unit__path", flat=True)
        .distinct()
    )


def may_assess(user, person: Person, paths: list[str] | None = None) -> bool:
    """Whether the user leads or coaches a unit the person works in (or one above it)."""
    if not user.is_authenticated:
        return False
    mine = access.unit_paths_with_role(user, roles.ASSESSORS)
    paths = staff_paths(person) if paths is None else paths
    if mine is None:
        return bool(paths) or access.is_system_administrator(user)
    return any(path.startswith(own) for path in paths for own in mine)


def may_see(user, person: Person) -> bool:
    """The person themself, and those who may assess them."""
    if not user.is_authenticated:
        return False
    return user.pk == person.pk or may_assess(user, person)


@dataclass
class PersonRecord:
    person: Person
    units: list[Unit]
    assessments: list[Assessment]
    training: list[Training]
    time: list[ProtectedTime]


def person_record(person: Person) -> PersonRecord:
    """Everything the capability record shows of one person (four queries)."""
    units = list(
        Unit.objects.filter(memberships__person=person, memberships__role__in=STAFF_ROLES)
        .distinct()
        .order_by("path")
    )
    assessments = list(
        Assessment.objects.filter(person=person)
        .select_related("skill", "level", "assessed_by")
        .order_by("skill__position", "skill__name")
    )
    training = list(
        Training.objects.filter(person=person)
        .select_related("skill", "level")
        .order_by("-completed_on", "-pk")
    )
    time = list(ProtectedTime.objects.filter(person=person).order_by("-month")[:24])
    return PersonRecord(person, units, assessments, training, time)


@dataclass
class NeedRow:
    skill: Skill
    needed: Level | None
    assessment: Assessment | None

    @property
    def met(self) -> bool | None:
        """None when nothing is needed; a pending assessment does not count yet."""
        if self.needed is None:
            return None
        have = self.assessment
        return bool(
            have
            and have.status == AssessmentStatus.CONFIRMED
            and have.level.rank >= self.needed.rank
        )


def person_needs(framework: Framework, person: Person, record: PersonRecord) -> list[NeedRow]:
    """Per skill in use: the level the person's roles (in any unit of the organisation) need,
    and their assessment. One query."""
    held = set(
        Membership.objects.filter(
            person=person,
            role__in=REQUIRABLE_ROLES,
            unit__path__startswith=framework.organisation.path,
        ).values_list("role", flat=True)
    )
    by_skill = {assessment.skill_id: assessment for assessment in record.assessments}
    return [
        NeedRow(skill, framework.need(held, skill), by_skill.get(skill.pk))
        for skill in framework.skills
    ]


# Self-assessments a lead or coach may confirm, at most this many listed on the home page.
PENDING_SHOWN = 50


def pending_for(user) -> list[Assessment]:
    """Self-assessments waiting for the user to confirm: those of people working in the units
    where the user leads or coaches (one query)."""
    paths = access.unit_paths_with_role(user, roles.ASSESSORS)
    pending = Assessment.objects.filter(status=AssessmentStatus.PENDING).exclude(person=user)
    if paths is not None:
        if not paths:
            return []
        where = Q()
        for path in paths:
            where |= Q(unit__path__startswith=path)
        people = Membership.objects.filter(where, role__in=STAFF_ROLES).values("person_id")
        pending = pending.filter(person_id__in=people)
    return list(
        pending.select_related("person", "skill", "level").order_by(
            "person__display_name", "skill__position"
        )[:PENDING_SHOWN]
    )
