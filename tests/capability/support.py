"""Shared set-up of capability tests: the organisation's framework and a few records."""

from __future__ import annotations

import datetime as dt

from qms.capability.models import Level, Skill
from qms.capability.services import framework as framework_services
from qms.capability.services import records as record_services


def framework(org) -> tuple[dict[str, Level], dict[str, Skill]]:
    """The test board's default framework: levels and skills by code."""
    framework_services.framework_ensure(org["board"])
    levels = {level.code: level for level in Level.objects.filter(organisation=org["board"])}
    skills = {skill.code: skill for skill in Skill.objects.filter(organisation=org["board"])}
    return levels, skills


def assess(person, skill, level, *, by=None, on=None):
    return record_services.assessment_record(
        by=by, person=person, skill=skill, level=level, assessed_on=on or dt.date(2026, 1, 5)
    )
