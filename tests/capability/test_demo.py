"""The demo's staff capability: most staff assessed, with Ward 7 strong in PDSA and weak in
SPC and the Emergency Department short of practitioners, training behind the levels,
protected time for a year falling behind in winter; built the same way every time and never
twice."""

import datetime as dt
import random

import pytest

from qms.capability.models import Assessment, AssessmentStatus, ProtectedTime, Training
from qms.capability.selectors import gaps
from qms.demo import capability, organisation
from qms.people.models import Unit

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def demo(db):
    organisation.build(random.Random(2026))
    return capability.build(today=TODAY), capability.build(today=TODAY)


def _gap(code: str, skill: str) -> tuple[int, int]:
    gap = gaps.unit_gap(Unit.objects.get(code=code), today=TODAY)
    row = next(row for row in gap.rows if row.skill.code == skill)
    return row.needed, row.gap


def test_it_builds_the_demo_story_once(demo):
    first, second = demo
    assert first["assessments"] > 500 and first["training records"] > 200
    assert first["months of protected time"] > 300
    assert {k: v for k, v in second.items() if k not in ("skills", "levels")} == {
        "assessments": 0,
        "training records": 0,
        "months of protected time": 0,
    }
    # Ward 7: strong in PDSA, weak in SPC; the Emergency Department short of practitioners.
    needed, gap = _gap("ward-7", "model-for-improvement")
    assert gap == 0 or gap < needed / 3
    needed, gap = _gap("ward-7", "measurement")
    assert gap > needed / 2
    ed = Unit.objects.get(code="ed")
    gap = gaps.unit_gap(ed, today=TODAY)
    practitioner = [row.cells[2] for row in gap.rows]
    assert sum(cell.gap for cell in practitioner) >= sum(cell.have for cell in practitioner)
    # The demo member's own assessment waits for the lead.
    own = Assessment.objects.get(person__username="member", skill__code="co-design")
    assert own.status == AssessmentStatus.PENDING
    # Training in the last two years; protected time falling behind in winter, saying why.
    dates = Training.objects.values_list("completed_on", flat=True)
    assert min(dates) >= TODAY - dt.timedelta(days=730 + 130) and max(dates) <= TODAY
    winter = ProtectedTime.objects.filter(month__month__in=[12, 1, 2], used__isnull=False)
    summer = ProtectedTime.objects.filter(month__month__in=[6, 7, 8], used__isnull=False)

    def share(rows):
        return sum(r.used for r in rows) / sum(r.planned for r in rows)

    assert share(winter) < 0.7 < share(summer)
    assert all(r.reason for r in winter if r.used < r.planned / 2)
    assert not ProtectedTime.objects.filter(month=TODAY.replace(day=1), used__isnull=False).exists()
