"""Quality planning's reads: needs assessments with their needs, evidence and assets, evidence
tables shown as tables and bar charts, and the equity gaps of measures broken down by
population group (`equity_gap` for the other parts: gaps, priorities)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Count, QuerySet

from qms.control import selectors as control_selectors
from qms.people import access
from qms.planning import roles
from qms.planning.models import (
    Asset,
    AssetKind,
    GroupObservation,
    Need,
    NeedEvidence,
    NeedsAssessment,
)
from qms.stats.charts import PROPORTIONS
from qms.stats.equity import equity_gap as _gap
from qms.stats.equity import proportion_difference_interval

__all__ = [
    "TABLE_SHOWN_ROWS",
    "AssessmentPage",
    "DimensionView",
    "EquityGap",
    "EquityPage",
    "EvidenceTable",
    "assessment_page",
    "assessments_given",
    "assessments_of",
    "cell_number",
    "equity_gap",
    "equity_gaps",
    "equity_page",
    "evidence_table",
    "measures_with_groups",
    "numeric_columns",
]

# Rows of an evidence table shown on its page (the download has them all).
TABLE_SHOWN_ROWS = 100
# Bars an evidence chart draws at most (more are unreadable; the table has them).
CHART_MAX_BARS = 60
_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_FONT = "Arial, Helvetica, sans-serif"
_PERIOD_AXIS = {
    "field": "period",
    "type": "temporal",
    "title": "Period",
    "timeUnit": "yearmonthdate",
    "axis": {"format": "%b %Y"},
}


# Numbers in tables -------------------------------------------------------------------------------


def cell_number(cell) -> float | None:
    """A table cell as a number (1,234 and 12.5% read as numbers), or None."""
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, (int, float)):
        return float(cell) if math.isfinite(cell) else None
    text = str(cell).strip().replace(",", "").removesuffix("%").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def numeric_columns(columns: list[str], rows: list[list]) -> list[str]:
    """The columns whose every filled cell is a number (and at least one is filled)."""
    numeric = []
    for index, name in enumerate(columns):
        filled = [row[index] for row in rows if index < len(row) and row[index] not in (None, "")]
        if filled and all(cell_number(cell) is not None for cell in filled):
            numeric.append(name)
    return numeric


# Assessments -------------------------------------------------------------------------------------


def assessments_of(user, unit) -> QuerySet[NeedsAssessment]:
    """The needs assessments of the unit and the units below it that the person sees (as staff
    of the unit, or given a role on the assessment), with their counts, newest first."""
    queryset = access.in_subtree(NeedsAssessment.objects.select_related("unit"), unit)
    return access.visible(user, queryset, roles.VIEWERS).annotate(
        need_count=Count("needs", distinct=True),
        evidence_count=Count("evidence", distinct=True),
        asset_count=Count("assets", distinct=True),
    )


def assessments_given(user) -> list[NeedsAssessment]:
    """The assessments the person was given a role on (a partner from a community group who
    co-writes one), for a home page card: they have no role in the unit to find it by."""
    from django.contrib.contenttypes.models import ContentType

    from qms.people.models import ObjectGrant

    ids = ObjectGrant.objects.filter(
        person_id=getattr(user, "pk", None),
        content_type=ContentType.objects.get_for_model(NeedsAssessment),
    ).values("object_id")
    return list(NeedsAssessment.objects.filter(pk__in=ids).select_related("unit"))


@dataclass(frozen=True)
class AssetGroup:
    kind: str
    label: str
    assets: list[Asset]


@dataclass(frozen=True)
class AssessmentPage:
    assessment: NeedsAssessment
    needs: list[Need]
    evidence: list[NeedEvidence]  # all of it, each with `need` loaded
    general_evidence: list[NeedEvidence]  # attached to the assessment, not a need
    evidence_by_need: dict[int, list[NeedEvidence]]
    asset_groups: list[AssetGroup]


def _light_evidence():
    # The page lists evidence; its rows are read only on the evidence's own page.
    return NeedEvidence.objects.select_related("need").defer("rows").order_by("pk")


def assessment_page(assessment: NeedsAssessment) -> AssessmentPage:
    """What the assessment's page shows, in a fixed number of queries."""
    needs = list(assessment.needs.order_by("position", "pk"))
    evidence = list(_light_evidence().filter(assessment=assessment))
    by_need: dict[int, list[NeedEvidence]] = defaultdict(list)
    general = []
    for item in evidence:
        if item.need_id is None:
            general.append(item)
        else:
            by_need[item.need_id].append(item)
    for need in needs:
        need.evidence_items = by_need.get(need.pk, [])
    assets = list(assessment.assets.all())
    groups = [
        AssetGroup(kind, label, [a for a in assets if a.kind == kind])
        for kind, label in AssetKind.choices
    ]
    return AssessmentPage(
        assessment=assessment,
        needs=needs,
        evidence=evidence,
        general_evidence=general,
        evidence_by_need=dict(by_need),
        asset_groups=[g for g in groups if g.assets],
    )


# Evidence tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceTable:
    columns: list[str]
    numeric: list[str]
    rows: list[list]  # the first TABLE_SHOWN_ROWS
    total: int
    chart: dict | None
    charted_rows: int


def _theme() -> dict:
    return {
        "font": _FONT,
        "view": {"stroke": None},
        "background": "white",
        "axis": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 220},
        "legend": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 220},
    }


def bar_spec(title: str, x: str, y: str, pairs: list[tuple[str, float]]) -> dict:
    """A horizontal bar chart of labels against numbers (Vega-Lite), bars in the table's
    order, each labelled with its value so colour carries nothing."""
    values = [{"label": label, "value": value} for label, value in pairs]
    return {
        "$schema": _SCHEMA,
        "title": title,
        "description": f"Bar chart of {y} by {x}: "
        + "; ".join(f"{p['label']} {p['value']:g}" for p in values[:20]),
        "data": {"values": values},
        "height": {"step": 22},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "title": x, "sort": None},
            "x": {"field": "value", "type": "quantitative", "title": y},
            "tooltip": [
                {"field": "label", "type": "nominal", "title": x},
                {"field": "value", "type": "quantitative", "title": y},
            ],
        },
        "layer": [
            {"mark": {"type": "bar", "color": "#005EB8"}},
            {
                "mark": {"type": "text", "align": "left", "dx": 3, "color": "#212B32"},
                "encoding": {"text": {"field": "value", "type": "quantitative", "format": ",.4~g"}},
            },
        ],
        "config": _theme(),
    }


def evidence_table(evidence: NeedEvidence) -> EvidenceTable:
    """An evidence table's first rows, its columns of numbers and its bar chart."""
    columns, rows = list(evidence.columns), list(evidence.rows)
    numeric = numeric_columns(columns, rows)
    chart, charted = None, 0
    if evidence.chart_x in columns and evidence.chart_y in numeric:
        ix, iy = columns.index(evidence.chart_x), columns.index(evidence.chart_y)
        pairs = []
        for row in rows:
            number = cell_number(row[iy])
            if number is not None:
                pairs.append(("" if row[ix] is None else str(row[ix]), number))
        charted = min(len(pairs), CHART_MAX_BARS)
        if pairs:
            chart = bar_spec(evidence.title, evidence.chart_x, evidence.chart_y, pairs[:charted])
    return EvidenceTable(
        columns=columns,
        numeric=numeric,
        rows=rows[:TABLE_SHOWN_ROWS],
        total=len(rows),
        chart=chart,
        charted_rows=charted,
    )


# Equity ------------------------------------------------------------------------------------------


def _measure_model():
    return apps.get_model("control", "Measure")


@dataclass(frozen=True)
class GroupRow:
    group: str
    position: int
    value: float
    denominator: float | None
    rate: float | None  # what the measure shows: value / denominator × multiply, or value


@dataclass(frozen=True)
class EquityGap:
    """A measure's equity gap in one dimension's latest period: the worst and the best group
    in the measure's direction, the difference (worst minus best), its size, the ratio worst
    over best, and for proportions the 95% interval of the difference (in the measure's units).
    `directional` is False for a measure without a direction (then lowest and highest)."""

    measure_id: int
    dimension: str
    period: dt.date
    period_label: str
    worst: str
    worst_value: float
    best: str
    best_value: float
    difference: float
    gap: float
    ratio: float | None
    directional: bool
    groups: int
    interval: tuple[float, float] | None = None

    @property
    def relative(self) -> float | None:
        """The gap as a share of the best group's value."""
        return None if not self.best_value else self.gap / abs(self.best_value)


def _rate(measure, value: float, denominator: float | None) -> float | None:
    if denominator is None:
        return value
    if denominator <= 0:
        return None
    return value / denominator * measure.multiply


def _gap_of(measure, dimension: str, period: dt.date, rows: list[GroupRow]) -> EquityGap | None:
    values = {row.group: row.rate for row in rows if row.rate is not None}
    found = _gap(values, direction=measure.direction)
    if found is None:
        return None
    interval = None
    if measure.chart in PROPORTIONS:
        by_group = {row.group: row for row in rows}
        worst, best = by_group[found.worst], by_group[found.best]
        if worst.denominator and best.denominator:
            try:
                _, low, high = proportion_difference_interval(
                    worst.value, worst.denominator, best.value, best.denominator
                )
            except ValueError:
                interval = None
            else:
                interval = (low * measure.multiply, high * measure.multiply)
    return EquityGap(
        measure_id=measure.pk,
        dimension=dimension,
        period=period,
        period_label=control_selectors.period_label(period, measure.frequency),
        worst=found.worst,
        worst_value=found.worst_value,
        best=found.best,
        best_value=found.best_value,
        difference=found.difference,
        gap=found.gap,
        ratio=found.ratio,
        directional=found.directional,
        groups=found.groups,
        interval=interval,
    )


def _series(measure, observations) -> dict[str, dict[dt.date, list[GroupRow]]]:
    """Rows by dimension and period, groups in their order."""
    by: dict[str, dict[dt.date, list[GroupRow]]] = defaultdict(lambda: defaultdict(list))
    for o in observations:
        by[o.dimension][o.period].append(
            GroupRow(
                o.group, o.position, o.value, o.denominator, _rate(measure, o.value, o.denominator)
            )
        )
    for periods in by.values():
        for rows in periods.values():
            rows.sort(key=lambda row: (row.position, row.group))
    return by


def _widest(gaps: list[EquityGap]) -> EquityGap | None:
    """Of a measure's dimensions' latest gaps, the latest period's, widest relative to the best."""
    if not gaps:
        return None
    return max(gaps, key=lambda g: (g.period, math.inf if g.relative is None else g.relative))


def equity_gaps(measures) -> dict[int, EquityGap]:
    """The equity gap of each measure that has a group breakdown (its latest period; of several
    dimensions, the widest), by measure id: for pages listing many measures, in one query."""
    measures = {m.pk: m for m in measures}
    if not measures:
        return {}
    rows = GroupObservation.objects.filter(measure_id__in=list(measures)).order_by(
        "measure_id", "dimension", "period", "position"
    )
    by_measure: dict[int, list] = defaultdict(list)
    for row in rows:
        by_measure[row.measure_id].append(row)
    found = {}
    for pk, observations in by_measure.items():
        measure = measures[pk]
        gaps = []
        for dimension, periods in _series(measure, observations).items():
            latest = max(periods)
            gap = _gap_of(measure, dimension, latest, periods[latest])
            if gap is not None:
                gaps.append(gap)
        widest = _widest(gaps)
        if widest is not None:
            found[pk] = widest
    return found


def equity_gap(measure) -> EquityGap | None:
    """The measure's equity gap in its latest period (of several dimensions, the widest
    relative to the best group), or None when it has no breakdown of two groups or more."""
    return equity_gaps([measure]).get(measure.pk)


def measures_with_groups(measure_ids) -> set[int]:
    """Which of these measures have a group breakdown."""
    return set(
        GroupObservation.objects.filter(measure_id__in=list(measure_ids))
        .values_list("measure_id", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class PeriodRow:
    period: dt.date
    label: str
    cells: list[float | None]  # by group, in `groups` order
    gap: EquityGap | None


@dataclass(frozen=True)
class DimensionView:
    name: str
    slug: str
    groups: list[str]
    latest: list[GroupRow]
    latest_label: str
    gap: EquityGap | None
    periods: list[PeriodRow]  # newest first
    chart: dict
    gap_chart: dict | None

    @property
    def chart_id(self) -> str:
        return f"{self.slug}-spec"

    @property
    def gap_chart_id(self) -> str:
        return f"{self.slug}-gap-spec"


@dataclass(frozen=True)
class EquityPage:
    measure: object
    dimensions: list[DimensionView] = field(default_factory=list)
    uses_denominators: bool = False


def _slug(index: int) -> str:
    return f"dimension-{index}"


def _lines_spec(measure, dimension: str, groups: list[str], points: list[dict]) -> dict:
    """Each group's values over time, one line each, told apart by dash and point shape as
    well as colour."""
    unit = measure.unit_label or "Value"
    return {
        "$schema": _SCHEMA,
        "title": f"{measure.name} by {dimension}",
        "description": (
            f"Line chart of {measure.name} over time, one line per group of {dimension}: "
            + ", ".join(groups) + ". The same values are in the table below."
        ),
        "data": {"values": points},
        "mark": {"type": "line", "point": {"size": 50, "filled": True}, "strokeWidth": 2},
        "encoding": {
            "x": _PERIOD_AXIS,
            "y": {"field": "value", "type": "quantitative", "title": unit},
            "color": {"field": "group", "type": "nominal", "title": dimension, "sort": groups},
            "strokeDash": {"field": "group", "type": "nominal", "sort": groups, "legend": None},
            "shape": {"field": "group", "type": "nominal", "sort": groups, "legend": None},
            "tooltip": [
                {"field": "group", "type": "nominal", "title": dimension},
                {"field": "label", "type": "nominal", "title": "Period"},
                {"field": "value", "type": "quantitative", "title": unit, "format": ",.4~g"},
            ],
        },
        "config": _theme(),
    }  # fmt: skip


def _gap_spec(measure, dimension: str, points: list[dict]) -> dict:
    unit = measure.unit_label or "value"
    return {
        "$schema": _SCHEMA,
        "title": f"Equity gap over time: {dimension}",
        "description": (
            f"Line chart of the gap between the worst and the best group of {dimension} in "
            "each period. The same values are in the table below."
        ),
        "data": {"values": points},
        "mark": {"type": "line", "point": {"size": 50, "filled": True}, "color": "#330072"},
        "encoding": {
            "x": _PERIOD_AXIS,
            "y": {"field": "gap", "type": "quantitative", "title": f"Gap ({unit})"},
            "tooltip": [
                {"field": "label", "type": "nominal", "title": "Period"},
                {"field": "gap", "type": "quantitative", "title": "Gap", "format": ",.4~g"},
                {"field": "between", "type": "nominal", "title": "Between"},
            ],
        },
        "config": _theme(),
    }  # fmt: skip


def _dimension(measure, index: int, name: str, periods: dict[dt.date, list[GroupRow]]):
    order: dict[str, int] = {}
    for rows in periods.values():
        for row in rows:
            order[row.group] = min(order.get(row.group, row.position), row.position)
    groups = sorted(order, key=lambda g: (order[g], g))
    table, points, gap_points = [], [], []
    for period in sorted(periods, reverse=True):
        rows = periods[period]
        label = control_selectors.period_label(period, measure.frequency)
        by_group = {row.group: row.rate for row in rows}
        gap = _gap_of(measure, name, period, rows)
        table.append(PeriodRow(period, label, [by_group.get(g) for g in groups], gap))
        for row in rows:
            if row.rate is not None:
                points.append(
                    {
                        "period": period.isoformat(),
                        "label": label,
                        "group": row.group,
                        "value": row.rate,
                    }
                )
        if gap is not None:
            gap_points.append(
                {"period": period.isoformat(), "label": label, "gap": gap.gap,
                 "between": f"{gap.worst} and {gap.best}"}
            )  # fmt: skip
    latest = max(periods)
    points.sort(key=lambda p: (p["period"], groups.index(p["group"])))
    gap_points.sort(key=lambda p: p["period"])
    return DimensionView(
        name=name,
        slug=_slug(index),
        groups=groups,
        latest=periods[latest],
        latest_label=control_selectors.period_label(latest, measure.frequency),
        gap=table[0].gap,
        periods=table,
        chart=_lines_spec(measure, name, groups, points),
        gap_chart=_gap_spec(measure, name, gap_points) if len(gap_points) > 1 else None,
    )


def equity_page(measure) -> EquityPage:
    """A measure's breakdowns for its equity page: for each dimension the latest period's
    groups, the gap, every period as a table, and the charts (two queries)."""
    observations = list(
        GroupObservation.objects.filter(measure=measure).order_by("dimension", "period", "position")
    )
    series = _series(measure, observations)
    dimensions = [
        _dimension(measure, index, name, periods)
        for index, (name, periods) in enumerate(sorted(series.items()), start=1)
    ]
    return EquityPage(
        measure=measure,
        dimensions=dimensions,
        uses_denominators=any(o.denominator is not None for o in observations),
    )


def measure_for_equity(user, measure_id):
    """The measure whose equity page is asked for, if the person sees it (404 otherwise)."""
    queryset = _measure_model().objects.select_related("unit")
    return access.object_or_404(user, queryset, measure_id, roles.VIEWERS)


def assessment_queryset() -> QuerySet[NeedsAssessment]:
    return NeedsAssessment.objects.select_related("unit", "created_by")


def evidence_queryset() -> QuerySet[NeedEvidence]:
    return NeedEvidence.objects.select_related("assessment__unit", "need")


def need_queryset() -> QuerySet[Need]:
    return Need.objects.select_related("assessment__unit")


def asset_queryset() -> QuerySet[Asset]:
    return Asset.objects.select_related("assessment__unit")
