"""Quality planning's reads: gaps between current performance and targets.

Current performance is the centre line of the current phase, read from quality control's stored
results (`control.selectors.current_performance`), never recomputed; whether a target is a gap is
decided by the pure `qms.stats.gaps.target_gap`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.urls import reverse

from qms.control import selectors as control_selectors
from qms.control.selectors import CurrentPerformance
from qms.people import access
from qms.people.models import Unit
from qms.planning import roles
from qms.planning.models import Aim
from qms.stats import gaps as target_gaps

__all__ = ["GAPS_PAGE_SIZE", "Gap", "GapsPage", "gap_aims", "gap_units", "gaps", "gaps_page"]

GAPS_PAGE_SIZE = 100

_STATUS_WORDS = {
    target_gaps.FAIL: "The process will not meet the target unless it changes.",
    target_gaps.HIT_OR_MISS: "The process will meet the target only some of the time.",
    target_gaps.WRONG_SIDE: "The centre line falls short of the target.",
    target_gaps.PASS: "The process reliably meets the target.",
    target_gaps.NO_LIMITS: "Not enough data yet for control limits.",
    target_gaps.NO_DIRECTION: "No direction of improvement, so the gap is not judged.",
    target_gaps.NO_DATA: "Not enough data yet.",
}
MISLEADING = "The last point met the target, but the process does not reliably meet it."


class Gap:
    """A measure with a target against it: its current performance (quality control's stored
    results) and the judgement of `qms.stats.gaps`. `gap` is signed, in the measure's units:
    positive is a shortfall in its direction of improvement; `relative` is that as a share of
    the target (None for a target of 0). A light wrapper: a board ranks thousands of these per
    request, so nothing is copied."""

    __slots__ = ("performance", "judgement", "rank")

    def __init__(self, performance: CurrentPerformance, judgement: target_gaps.TargetGap):
        self.performance = performance
        self.judgement = judgement
        self.rank = (*target_gaps.rank_key(judgement), performance.unit_path, performance.name)

    def __repr__(self) -> str:
        return f"<Gap {self.name}: {self.status} {self.gap}>"

    def __getattr__(self, name: str):
        # The measure's fields (name, unit_name, target, centre, icons...) are its performance's.
        if name in _PERFORMANCE_FIELDS:
            return getattr(self.performance, name)
        raise AttributeError(name)

    @property
    def status(self) -> str:
        return self.judgement.status

    @property
    def gap(self) -> float | None:
        return self.judgement.shortfall

    @property
    def relative(self) -> float | None:
        return self.judgement.relative

    @property
    def is_gap(self) -> bool:
        return self.judgement.is_gap

    @property
    def met_by_last_point(self) -> bool | None:
        return self.judgement.met_by_last_point

    @property
    def judged(self) -> bool:
        return self.judgement.judged

    @property
    def url(self) -> str:
        # Reversed only for the rows a page shows, not for every measure ranked.
        return reverse("control:measure-detail", args=[self.performance.measure_id])

    @property
    def status_words(self) -> str:
        if self.status == target_gaps.NO_LIMITS and self.chart == "run" and self.centre is not None:
            return "A run chart: no control limits to judge how reliably it meets the target."
        return _STATUS_WORDS[self.status]

    @property
    def misleading_last_point(self) -> bool:
        """The last point met the target, but the process does not reliably meet it."""
        return self.judgement.misleading_last_point

    @property
    def misleading_words(self) -> str:
        return MISLEADING if self.misleading_last_point else ""

    @property
    def surplus(self) -> float | None:
        """How far the centre line is better than the target (the gap with its sign turned)."""
        return None if self.gap is None else -self.gap

    @property
    def relative_percent(self) -> float | None:
        return None if self.relative is None else self.relative * 100

    @property
    def relative_abs_percent(self) -> float | None:
        return None if self.relative is None else abs(self.relative) * 100


_PERFORMANCE_FIELDS = frozenset(
    {"measure_id", "name", "unit_id", "unit_name", "unit_path", "domain", "domain_label",
     "direction", "chart", "unit_label", "target", "last_period", "last_value", "centre", "lcl",
     "ucl", "trial_limits", "variation", "assurance"}
)  # fmt: skip


def _gap_of(row: CurrentPerformance) -> Gap:
    return Gap(
        row,
        target_gaps.target_gap(
            centre=row.centre,
            target=row.target,
            direction=row.direction,
            assurance=row.assurance.code,
            last_value=row.last_value,
            has_limits=row.lcl is not None or row.ucl is not None,
        ),
    )


def gaps(
    user, unit: Unit, *, domain: str = "", aim: Aim | None = None, sub_unit: Unit | None = None,
    gaps_only: bool = False,
) -> list[Gap]:  # fmt: skip
    """Every active measure with a target in the unit and below (or only below `sub_unit`, in
    one quality domain, or serving `aim`), against its target, worst first: gaps by relative
    shortfall (fail before hit and miss), then targets met, then measures that cannot be judged
    yet. `gaps_only` leaves out the targets reliably met and those not judged.

    The caller has checked that `user` sees the unit's planning (roles reach down the tree).
    Two queries at most, whatever the number of measures."""
    if sub_unit is not None and not sub_unit.path.startswith(unit.path):
        return []
    measure_ids = None
    if aim is not None:
        measure_ids = list(Aim.measures.through.objects.filter(aim=aim).values_list("measure_id"))
        measure_ids = [pk for (pk,) in measure_ids]
    rows = control_selectors.current_performance(
        unit, domain=domain, measure_ids=measure_ids, below=sub_unit
    )
    found = sorted((_gap_of(row) for row in rows), key=lambda gap: gap.rank)
    if gaps_only:
        found = [gap for gap in found if gap.is_gap]
    return found


@dataclass(frozen=True)
class GapsPage:
    """A page of gaps with the counts over every page."""

    page: Page
    total: int
    gap_count: int
    fail_count: int
    hit_or_miss_count: int
    misleading_count: int
    unjudged_count: int


def gaps_page(
    user, unit: Unit, *, domain: str = "", aim: Aim | None = None, sub_unit: Unit | None = None,
    gaps_only: bool = False, page: int | str = 1,
) -> GapsPage:  # fmt: skip
    """`gaps` paged by 100, with counts over every measure with a target in the selection."""
    every = gaps(user, unit, domain=domain, aim=aim, sub_unit=sub_unit)
    judgements = [gap.judgement for gap in every]
    statuses = Counter(judgement.status for judgement in judgements)
    shown = [gap for gap in every if gap.judgement.is_gap] if gaps_only else every
    return GapsPage(
        page=Paginator(shown, GAPS_PAGE_SIZE).get_page(page),
        total=len(every),
        gap_count=sum(1 for judgement in judgements if judgement.is_gap),
        fail_count=statuses[target_gaps.FAIL],
        hit_or_miss_count=statuses[target_gaps.HIT_OR_MISS],
        misleading_count=sum(1 for judgement in judgements if judgement.misleading_last_point),
        unjudged_count=len(every) - sum(statuses[status] for status in target_gaps.JUDGED),
    )


def gap_units(user, unit: Unit) -> list[Unit]:
    """The unit and the units below it whose planning the user sees, in tree order, each with
    an `indent` for a select list."""
    units = list(
        access.units_with_role(user, roles.VIEWERS)
        .filter(path__startswith=unit.path)
        .order_by("path")
    )
    for each in units:
        each.indent = "\u2003" * (each.depth - unit.depth)
    return units


def gap_aims(unit: Unit) -> list[Aim]:
    """The active aims of the unit and the units below it, for the aim filter."""
    return list(
        Aim.objects.filter(unit__path__startswith=unit.path, is_active=True)
        .select_related("unit")
        .order_by("unit__path", "due_on", "pk")
    )
