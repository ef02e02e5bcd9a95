"""The demo's assessments and training (see qms.demo.capability): most staff assessed in
every skill their roles need, by the lead or coach nearest above them, with realistic gaps:
Ward 7 strong in the model for improvement and PDSA and weak in measurement and SPC (its
charts are new to it), the Emergency Department with few practitioners; a few people's own
assessments waiting for confirmation (Owen Price's, Ward 7's demo member, among them); and
two years of training that matches the levels.

Deterministic (a generator seeded by the person and skill; dates counted back from `today`)
and idempotent: an assessment is found by person and skill, training by person and course
(no one does the same course twice), and what exists is left alone."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from qms.capability import defaults
from qms.capability.models import Assessment, Training
from qms.capability.roles import ASSESSORS
from qms.capability.selectors.framework import framework_of
from qms.capability.services import records as services
from qms.demo.capability.framework import board
from qms.people.models import Membership, Person, Unit

# Units whose people lean one way in one skill: (unit code, skill code) -> ranks added.
BIAS = {
    ("ward-7", defaults.MODEL_FOR_IMPROVEMENT): +1,
    ("ward-7", defaults.MEASUREMENT): -1,
    ("ed", defaults.MEASUREMENT): -1,
    ("ed", defaults.MODEL_FOR_IMPROVEMENT): -1,
    ("ed", defaults.UNDERSTANDING_THE_PROBLEM): -1,
}
# One person in ten has not been assessed in a skill yet.
NOT_ASSESSED = 0.1
# The demo member's own assessment, for a lead to confirm.
SELF_ASSESSED = {"member": (defaults.CO_DESIGN, defaults.FOUNDATION)}

# Courses by the skill and level they count towards: (course, provider, hours).
COURSES = {
    (defaults.MODEL_FOR_IMPROVEMENT, defaults.AWARENESS): (
        "Quality improvement essentials (e-learning)",
        "NHS Education for Scotland (Turas Learn)",
        "2",
    ),
    (defaults.MODEL_FOR_IMPROVEMENT, defaults.FOUNDATION): (
        "Scottish Improvement Foundation Skills",
        "NHS Education for Scotland",
        "12",
    ),
    (defaults.MODEL_FOR_IMPROVEMENT, defaults.PRACTITIONER): (
        "Scottish Improvement Practitioner programme",
        "NHS Education for Scotland",
        "42",
    ),
    (defaults.MODEL_FOR_IMPROVEMENT, defaults.EXPERT): (
        "Scottish Improvement Leader programme",
        "NHS Education for Scotland",
        "90",
    ),
    (defaults.MEASUREMENT, defaults.FOUNDATION): (
        "Measurement for improvement: run charts",
        "Riverside quality improvement team",
        "3.5",
    ),
    (defaults.MEASUREMENT, defaults.PRACTITIONER): (
        "Statistical process control for improvement",
        "Riverside quality improvement team",
        "7",
    ),
    (defaults.UNDERSTANDING_THE_PROBLEM, defaults.FOUNDATION): (
        "Process mapping workshop",
        "Riverside quality improvement team",
        "3.5",
    ),
    (defaults.HUMAN_FACTORS, defaults.FOUNDATION): (
        "Human factors in healthcare",
        "NHS Education for Scotland",
        "7",
    ),
    (defaults.CO_DESIGN, defaults.FOUNDATION): (
        "Experience-based co-design",
        "The Point of Care Foundation",
        "8",
    ),
    (defaults.LEADING_CHANGE, defaults.PRACTITIONER): (
        "Scottish Coaching and Leading for Improvement",
        "NHS Education for Scotland",
        "24",
    ),
}
TRAINING_DAYS = 730  # two years


def _staff(organisation: Unit) -> dict[int, tuple[Person, set[str], list[Unit]]]:
    """person id -> (person, requirable roles, units), for the board's active staff."""
    staff: dict[int, tuple[Person, set[str], list[Unit]]] = {}
    memberships = (
        Membership.objects.filter(
            unit__path__startswith=organisation.path,
            role__in=defaults.REQUIRABLE_ROLES,
            person__is_active=True,
        )
        .select_related("person", "unit")
        .order_by("person__username", "unit__path")
    )
    for membership in memberships:
        entry = staff.setdefault(membership.person_id, (membership.person, set(), []))
        entry[1].add(membership.role)
        entry[2].append(membership.unit)
    return staff


def _assessors(organisation: Unit) -> dict[int, list[Person]]:
    """unit id -> the leads and coaches who hold their role there."""
    found: dict[int, list[Person]] = defaultdict(list)
    for membership in (
        Membership.objects.filter(unit__path__startswith=organisation.path, role__in=ASSESSORS)
        .select_related("person")
        .order_by("person__username")
    ):
        found[membership.unit_id].append(membership.person)
    return found


def _assessor(person: Person, units: list[Unit], assessors) -> Person | None:
    """The nearest lead or coach above the person (in their own unit first), not themself."""
    for unit in units:
        for unit_id in reversed(unit.ancestor_ids):
            for candidate in assessors.get(unit_id, []):
                if candidate.pk != person.pk:
                    return candidate
    return None


def build(*, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    organisation = board()
    framework = framework_of(organisation)
    levels = framework.levels
    staff = _staff(organisation)
    assessors = _assessors(organisation)
    assessed = set(Assessment.objects.values_list("person_id", "skill_id"))
    trained = set(Training.objects.values_list("person_id", "course"))
    added = {"assessments": 0, "training records": 0}
    for person, held, units in staff.values():
        by = _assessor(person, units, assessors)
        codes = {unit.code for unit in units}
        for skill in framework.skills:
            needed = framework.need(held, skill)
            if needed is None:
                continue
            rng = random.Random(f"{person.username}:{skill.code}")
            own = SELF_ASSESSED.get(person.username)
            if own and own[0] == skill.code:
                level = framework.level_codes[own[1]]
                if (person.pk, skill.pk) not in assessed:
                    services.assessment_record(
                        by=person,
                        person=person,
                        skill=skill,
                        level=level,
                        assessed_on=today - dt.timedelta(days=12),
                        evidence="Took part in the discharge experience interviews with patients.",
                    )
                    added["assessments"] += 1
                continue
            bias = sum(BIAS.get((code, skill.code), 0) for code in codes)
            if rng.random() < NOT_ASSESSED and bias <= 0:  # a unit strong in it assesses all
                continue
            shift = rng.choice((0, 0, 0, 0, 1, -1, -1)) + bias
            rank = min(needed.rank + shift, len(levels))
            if rank < 1:
                continue  # below awareness: not assessed yet
            level = levels[rank - 1]
            on = today - dt.timedelta(days=rng.randint(20, TRAINING_DAYS))
            if (person.pk, skill.pk) not in assessed:
                services.assessment_record(
                    by=by,
                    person=person,
                    skill=skill,
                    level=level,
                    assessed_on=on,
                    evidence=_evidence(skill.code, level.code),
                )
                added["assessments"] += 1
            added["training records"] += _train(
                person, by, framework, skill, level, on, trained, rng
            )
    return added


def _evidence(skill: str, level: str) -> str:
    if level in (defaults.PRACTITIONER, defaults.EXPERT):
        return (
            "Led an improvement project using this from start to sustained change; reviewed "
            "with the coach."
        )
    if level == defaults.FOUNDATION:
        return "Course completed and used on the team's project."
    return "Awareness e-learning completed."


def _train(person, by, framework, skill, level, assessed_on, trained, rng) -> int:
    """The courses behind an assessed level: each course of the skill at or below it, before
    the assessment, within the last two years."""
    count = 0
    for other in framework.levels:
        if other.rank > level.rank:
            break
        course = COURSES.get((skill.code, other.code))
        if course is None:
            continue
        completed = assessed_on - dt.timedelta(days=rng.randint(7, 120))
        if (person.pk, course[0]) in trained:
            continue
        services.training_record(
            by=by,
            person=person,
            course=course[0],
            provider=course[1],
            hours=course[2],
            completed_on=completed,
            skill=skill,
            level=other,
            evidence="Certificate held in the person's e-portfolio.",
        )
        trained.add((person.pk, course[0]))
        count += 1
    return count
