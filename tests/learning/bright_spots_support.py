"""Data for the bright spots tests: measures whose stored charts show a sustained improvement,
a short one, or none."""

import datetime as dt

import pytest
from helpers import make_measure, record

START = dt.date(2023, 1, 1)
# A stable baseline around 10 falls a month (a c chart: limits about 0.5 to 19.5).
BASELINE = [9, 11, 10, 12, 8, 10, 11, 9, 10, 10, 8, 12]
LOW = [4, 5, 3, 4, 5, 4, 3, 5, 4, 4, 5, 3]
HIGH = [16, 17, 15, 16, 17, 16, 15, 17, 16, 16, 17, 15]


def falls(unit, code: str, values: list[int], *, baseline_points: int = 12, **fields):
    """A monthly falls measure (lower is better) with these counts from January 2023, its
    results computed as after a real save."""
    measure = make_measure(unit, code, baseline_points=baseline_points, **fields)
    record(measure, values, start=START)
    return measure


def sustained(unit, code: str = "falls-better"):
    """Twelve baseline months, then twelve months lower: improvement held for a baseline's
    worth of points (12)."""
    return falls(unit, code, BASELINE + LOW)


def short(unit, code: str = "falls-short"):
    """Twelve baseline months, then eight lower: special cause improvement, not yet held for a
    baseline's worth."""
    return falls(unit, code, BASELINE + LOW[:8])


def worse(unit, code: str = "falls-worse"):
    """Twelve baseline months, then twelve higher: a sustained shift the wrong way."""
    return falls(unit, code, BASELINE + HIGH)


@pytest.fixture
def candidate(org, quality_lead):
    """A candidate found in Ward 7's sustained improvement."""
    from qms.learning.services.bright_spots import bright_spots_find

    sustained(org["ward"])
    return bright_spots_find().raised[0]


@pytest.fixture
def accepted(candidate, quality_lead):
    from qms.learning.services.bright_spots import bright_spot_accept

    return bright_spot_accept(by=quality_lead, bright_spot=candidate, reason="Falls halved.")


def many_spots(measure, count: int, *, status: str = "accepted") -> None:
    """`count` decided bright spots of one measure, for lists at two sizes."""
    from qms.learning.models import BrightSpot

    BrightSpot.objects.bulk_create(
        BrightSpot(
            unit=measure.unit,
            measure=measure,
            kind="sustained",
            status=status,
            finding={"since": f"2020-01-{i % 28 + 1:02d}", "points": 12},
            period_end=START,
        )
        for i in range(count)
    )
