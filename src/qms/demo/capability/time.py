"""The demo's protected time (see qms.demo.capability): for a year, each month's hours of
quality work planned and used by the board's leads, coaches, analysts and some of its front-line
staff. Used keeps up with planned most of the year and falls behind in winter
(December to February: staff moved to cover the front door), with the reason recorded; this
month is planned, not yet used.

Deterministic (a generator seeded by person and month; months counted back from `today`) and
idempotent: a month is found by person and month, and what exists is left alone."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from qms.capability.models import ProtectedTime
from qms.capability.selectors.gaps import last_months
from qms.capability.services import time as services
from qms.capability.services.time import far_below
from qms.demo.capability.framework import board
from qms.demo.capability.records import _staff
from qms.people.roles import Role

# Hours a month planned for each role (the most a person's roles give).
PLANNED = {
    Role.IMPROVEMENT_COACH: 60,
    Role.QUALITY_LEAD: 24,
    Role.ANALYST: 16,
    Role.TEAM_LEAD: 8,
    Role.EXECUTIVE: 4,
    Role.TEAM_MEMBER: 4,
}
WINTER = {12, 1, 2}
WINTER_REASON = "Winter pressures: protected time given up to cover the ward and the front door."
OTHER_REASON = "Staff sickness on the team; the project's meetings were cancelled."


def _protected(person, units, chooser) -> bool:
    """Ward 7's and the Emergency Department's staff have protected time (their projects),
    and about one in six of the other front-line staff."""
    if {unit.code for unit in units} & {"ward-7", "ed"}:
        return True
    return chooser.random() < 1 / 6


def build(*, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    months = last_months(today, 13)
    staff = _staff(board())
    recorded = set(ProtectedTime.objects.values_list("person_id", "month"))
    added = 0
    for person, held, units in staff.values():
        chooser = random.Random(f"time:{person.username}")
        if held == {Role.TEAM_MEMBER} and not _protected(person, units, chooser):
            continue
        planned = max(PLANNED.get(role, 0) for role in held)
        for month in months:
            if (person.pk, month) in recorded:
                continue
            rng = random.Random(f"time:{person.username}:{month.isoformat()}")
            used = None
            reason = ""
            if month < months[-1]:  # this month is not over: nothing used yet
                share = rng.uniform(0.25, 0.6) if month.month in WINTER else rng.uniform(0.7, 1.05)
                used = (Decimal(planned) * Decimal(str(round(share, 2)))).quantize(Decimal("0.5"))
                if far_below(Decimal(planned), used):
                    reason = WINTER_REASON if month.month in WINTER else OTHER_REASON
            services.time_record(
                by=person, person=person, month=month, planned=planned, used=used, reason=reason
            )
            added += 1
    return {"months of protected time": added}
