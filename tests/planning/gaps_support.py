"""Measures with targets and stored results built directly, so the gaps page's cases are exact
(the centre line, limits and icons a test needs), and in bulk for the query counts."""

import datetime as dt
import itertools

from qms.control.models import Measure, MeasureResult

_codes = itertools.count()


def point(period, y, cl, lcl, ucl, *, trial=False):
    return {
        "period": period.isoformat(), "y": y, "n": None, "phase": 1, "cl": cl, "lcl": lcl,
        "ucl": ucl, "lcl_2s": None, "ucl_2s": None, "included": True, "outside": False,
        "shift": False, "trend": False, "two_of_three": False, "point_type": 0, "trial": trial,
    }  # fmt: skip


def measure(unit, name, *, target=None, direction="decrease", domain="safe", chart="i", **fields):
    return Measure.objects.create(
        unit=unit, name=name, code=f"gap-{next(_codes)}", kind="outcome", domain=domain,
        operational_definition="Defined.", frequency="month", chart=chart, direction=direction,
        target=target, target_source="Agreed" if target is not None else "", **fields,
    )  # fmt: skip


def result(measure, *, centre, lcl, ucl, last, assurance, variation="common_cause", points=3):
    """A stored result whose current phase has this centre line and these limits, ending on
    `last`."""
    periods = [dt.date(2026, month, 1) for month in range(1, points + 1)]
    values = [centre] * (points - 1) + [last]
    return MeasureResult.objects.create(
        measure=measure,
        computed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        last_period=periods[-1],
        last_value=last,
        last_centre=centre,
        last_lcl=lcl,
        last_ucl=ucl,
        variation_icon=variation,
        assurance_icon=assurance,
        points=[point(p, v, centre, lcl, ucl) for p, v in zip(periods, values, strict=True)],
    )


def measures_in_bulk(unit, count, *, prefix="bulk"):
    """`count` measures with targets and results, alternating fail, hit or miss and pass."""
    made = Measure.objects.bulk_create(
        Measure(
            unit=unit, name=f"{prefix} {n:05}", code=f"{prefix}-{unit.pk}-{n}", kind="outcome",
            domain="safe", operational_definition="Defined.", frequency="month", chart="i",
            direction="decrease", target=10.0, target_source="Agreed",
        )
        for n in range(count)
    )  # fmt: skip
    icons = itertools.cycle([(20.0, 14, 26, "fail"), (11.0, 5, 17, "hit_or_miss"),
                             (5.0, 2, 8, "pass")])  # fmt: skip
    MeasureResult.objects.bulk_create(
        MeasureResult(
            measure=m, computed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
            last_period=dt.date(2026, 10, 1), last_value=centre, assurance_icon=icon,
            last_centre=centre, last_lcl=lcl, last_ucl=ucl,
            variation_icon="common_cause",
            points=[point(dt.date(2026, 10, 1), centre, centre, lcl, ucl)],
        )
        for m, (centre, lcl, ucl, icon) in zip(made, icons, strict=False)
    )  # fmt: skip
    return made
