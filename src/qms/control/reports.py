"""Reads for the integrated quality report and the huddle board.

Both read the stored SPC results (MeasureResult: icons, last value and period) and never
recompute SPC, so a whole board of measures is a fixed, small number of queries: the measures with
their results in one, the open signals in one, and (for the huddle) the escalations in one. The
chart points, which are large, are read only for the charts of a PDF (`chart_inputs`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Count, Max, Sum
from django.urls import reverse
from django.utils import timezone

from qms.control.explain import explain_point
from qms.control.icons import (
    ASSURANCE_COLUMNS,
    ATTENTION_COLUMNS,
    ATTENTION_ROWS,
    ROW_OF,
    VARIATION_ROWS,
    Heading,
    Icon,
    assurance_icon,
    variation_icon,
)
from qms.control.models import (
    Annotation,
    Domain,
    Measure,
    MeasureKind,
    MeasureResult,
    Signal,
    SignalKind,
    SignalStatus,
)
from qms.control.periods import period_label
from qms.control.roles import VIEWERS
from qms.escalation.models import Escalation, EscalationStatus
from qms.people import access
from qms.people.models import Unit
from qms.stats import POINT_TYPES, PhaseSummary, SeriesResult

# Numbers -------------------------------------------------------------------------------------


def format_number(value: float | None) -> str:
    """About three significant figures, thousands separated, no trailing zeros: 6, 5.23,
    87.5, 1,234, 0.0123. Missing values are a dash."""
    if value is None or not math.isfinite(value):
        return "–"
    magnitude = abs(value)
    decimals = 0 if magnitude == 0 else min(6, max(0, 2 - math.floor(math.log10(magnitude))))
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def with_unit(value: float | None, unit_label: str) -> str:
    """A value with the measure's unit: '5.2 per 1,000 bed days', '92.3%'."""
    text = format_number(value)
    if value is None or not unit_label:
        return text
    if unit_label.startswith((" ", "%")):
        return f"{text}{unit_label}"
    return f"{text} {unit_label}"


# The matrix ----------------------------------------------------------------------------------


@dataclass
class MeasureSummary:
    """One measure as the report and the huddle board show it."""

    id: int
    name: str
    code: str
    unit_id: int
    unit_name: str
    kind: str
    domain: str
    frequency: str
    unit_label: str
    target: float | None
    last_period: dt.date | None
    last_value: float | None
    variation: Icon
    assurance: Icon
    computed_at: dt.datetime | None
    trial_limits: bool = False
    chart: str = ""
    open_signals: int = 0
    unit_path: str = ""

    @property
    def url(self) -> str:
        return reverse("control:measure-detail", args=[self.id])

    @property
    def limits_text(self) -> str:
        """How the current limits stand: held, trial, or none (no data, or a run chart)."""
        if self.last_period is None or self.chart == "run":
            return ""
        return "trial" if self.trial_limits else "held"

    @property
    def kind_label(self) -> str:
        return MeasureKind(self.kind).label if self.kind in MeasureKind.values else self.kind

    @property
    def domain_label(self) -> str:
        return Domain(self.domain).label if self.domain in Domain.values else self.domain

    @property
    def period_text(self) -> str:
        return period_label(self.last_period, self.frequency) if self.last_period else "No data"

    @property
    def value_text(self) -> str:
        return with_unit(self.last_value, self.unit_label)

    @property
    def number_text(self) -> str:
        """The latest value as the big number of a huddle board ('92.3%', '5.2')."""
        percent = self.last_value is not None and self.unit_label.startswith("%")
        return format_number(self.last_value) + ("%" if percent else "")

    @property
    def number_label(self) -> str:
        """The part of the unit that sits on a huddle board's big number: '%' or nothing."""
        return "%" if self.unit_label.startswith("%") else ""

    @property
    def unit_text(self) -> str:
        """What the big number counts, in smaller print (' per 1,000 bed days')."""
        if self.last_value is None:
            return ""
        label = self.unit_label[1:] if self.unit_label.startswith("%") else self.unit_label
        return label if not label or label.startswith(" ") else f" {label}"

    @property
    def target_text(self) -> str:
        return with_unit(self.target, self.unit_label) if self.target is not None else ""

    @property
    def row(self) -> str:
        return ROW_OF.get(self.variation.code, "none")

    @property
    def column(self) -> str:
        return self.assurance.code

    @property
    def needs_attention(self) -> bool:
        return self.row in ATTENTION_ROWS or self.column in ATTENTION_COLUMNS


@dataclass
class MatrixCell:
    row: Heading
    column: Heading
    measures: list[MeasureSummary] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.measures)


@dataclass
class MatrixRow:
    heading: Heading
    cells: list[MatrixCell]

    @property
    def count(self) -> int:
        return sum(cell.count for cell in self.cells)


@dataclass
class QualityMatrix:
    """The Making Data Count summary matrix of a unit's subtree: variation by assurance."""

    unit: Unit
    domain: str | None
    kind: str | None
    rows: list[MatrixRow]
    columns: tuple[Heading, ...]
    measures: list[MeasureSummary]

    @property
    def count(self) -> int:
        return len(self.measures)

    @property
    def column_counts(self) -> list[int]:
        return [sum(row.cells[i].count for row in self.rows) for i in range(len(self.columns))]

    @property
    def open_signals(self) -> int:
        return sum(m.open_signals for m in self.measures)

    @property
    def attention(self) -> list[MeasureSummary]:
        return [m for m in self.measures if m.needs_attention]

    @property
    def computed_at(self) -> dt.datetime | None:
        return max((m.computed_at for m in self.measures if m.computed_at), default=None)

    def cell(self, row: str, column: str) -> MatrixCell:
        for matrix_row in self.rows:
            if matrix_row.heading.key == row:
                for cell in matrix_row.cells:
                    if cell.column.key == column:
                        return cell
        raise KeyError((row, column))


_SUMMARY_FIELDS = (
    "id", "name", "code", "unit_id", "unit__name", "unit__path", "kind", "domain", "frequency",
    "unit_label", "target", "result__last_period", "result__last_value",
    "result__variation_icon", "result__assurance_icon", "result__computed_at",
    "result__trial_limits", "chart",
)  # fmt: skip


def _viewable(user):
    """A test of whether the user may see a unit's measures, answered once per unit path
    (from the memberships already read for the request: no query)."""
    answers: dict[str, bool] = {}

    def test(path: str) -> bool:
        if path not in answers:
            # Roles are decided on the unit's path alone, so an unsaved Unit carrying it will do.
            answers[path] = access.can(user, Unit(path=path), VIEWERS)
        return answers[path]

    return test


def _summaries(
    user, unit: Unit, *, domain=None, kind=None, count_signals=True
) -> list[MeasureSummary]:
    """Active measures of the unit and below that the user may see, with stored results and
    (unless the caller counts them itself) open signals: two queries, whatever the number of
    measures."""
    query = Measure.objects.filter(unit__path__startswith=unit.path, is_active=True)
    if domain:
        query = query.filter(domain=domain)
    if kind:
        query = query.filter(kind=kind)
    rows = list(query.order_by("unit__path", "name").values_list(*_SUMMARY_FIELDS))
    viewable = _viewable(user)
    summaries = [
        MeasureSummary(
            id=row[0],
            name=row[1],
            code=row[2],
            unit_id=row[3],
            unit_name=row[4],
            kind=row[6],
            domain=row[7],
            frequency=row[8],
            unit_label=row[9],
            target=row[10],
            last_period=row[11],
            last_value=row[12],
            variation=variation_icon(row[13]),
            assurance=assurance_icon(row[14]),
            computed_at=row[15],
            unit_path=row[5],
            trial_limits=bool(row[16]),
            chart=row[17],
        )
        for row in rows
        if viewable(row[5])
    ]
    if summaries and count_signals:
        counts = dict(
            _open_signals()
            .filter(measure__unit__path__startswith=unit.path, measure__is_active=True)
            .values("measure_id")
            .annotate(count=Count("id"))
            .values_list("measure_id", "count")
        )
        for summary in summaries:
            summary.open_signals = counts.get(summary.id, 0)
    return summaries


def _open_signals():
    from qms.control.selectors import open_signals  # selectors reads this module

    return open_signals()


def _check_choice(name: str, value: str | None, choices) -> None:
    if value and value not in choices.values:
        raise ValueError(f"{value!r} is not a {name}: choose one of {', '.join(choices.values)}")


def quality_matrix(user, unit: Unit, *, domain: str | None = None, kind: str | None = None):
    """Every active measure of the unit and the units below it that the user may see, placed in
    the Making Data Count summary matrix: rows by variation icon (improvement, common cause,
    concern, neutral, none; high and low together), columns by assurance icon (pass, hit or
    miss, fail, none). Optionally only one quality domain or kind of measure.

    Reads stored results only: two queries however many measures there are.
    """
    _check_choice("quality domain", domain, Domain)
    _check_choice("kind of measure", kind, MeasureKind)
    measures = _summaries(user, unit, domain=domain or None, kind=kind or None)
    return _matrix_of(unit, measures, domain=domain or None, kind=kind or None)


def _matrix_of(unit: Unit, measures: list[MeasureSummary], *, domain=None, kind=None):
    """The measures placed in the matrix's cells by their icons."""
    rows = [
        MatrixRow(heading, [MatrixCell(heading, column) for column in ASSURANCE_COLUMNS])
        for heading in VARIATION_ROWS
    ]
    row_index = {row.heading.key: row for row in rows}
    column_index = {column.key: i for i, column in enumerate(ASSURANCE_COLUMNS)}
    for measure in measures:
        row = row_index[measure.row]
        row.cells[column_index.get(measure.column, column_index["none"])].measures.append(measure)
    return QualityMatrix(unit, domain, kind, rows, ASSURANCE_COLUMNS, measures)


def report_version(unit: Unit, *, domain: str | None = None, kind: str | None = None) -> str:
    """A short digest that changes whenever the integrated report of the unit would: the
    measures in scope and the newest time of their stored results, their open signals, and
    any change to a measure's or a unit's definition (their history). Three aggregate queries,
    a fraction of building the report, so a built report can be kept in the cache under it and
    never be shown stale."""
    measures = Measure.objects.filter(unit__path__startswith=unit.path, is_active=True)
    if domain:
        measures = measures.filter(domain=domain)
    if kind:
        measures = measures.filter(kind=kind)
    in_scope = measures.aggregate(
        count=Count("id"), ids=Sum("id"), results=Max("result__computed_at")
    )
    signals = (
        _open_signals()
        .filter(measure__in=measures)
        .aggregate(count=Count("id"), ids=Sum("id"), newest=Max("id"))
    )
    edits = [
        Measure.history.aggregate(newest=Max("history_id"))["newest"],
        Unit.history.aggregate(newest=Max("history_id"))["newest"],
    ]
    parts = (unit.pk, domain or "", kind or "", in_scope, signals, edits)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


# Charts for the PDF --------------------------------------------------------------------------


@dataclass
class ChartInput:
    """What a report needs to draw one measure's chart: the stored points as a SeriesResult,
    the annotations that fall on plotted periods, and why the chart is worth a look."""

    series: SeriesResult
    annotations: list[dict]
    explanations: list[str]
    # Other areas' records marked on the chart (tests of change), drawn as markers.
    markers: list[dict] = field(default_factory=list)


def series_from_points(name: str, points: list[dict], variation: str, assurance: str):
    """A `qms.stats.SeriesResult` rebuilt from the points stored in a MeasureResult, for
    `qms.stats.vega.chart_spec` (no SPC is recomputed)."""

    def floats(key: str) -> np.ndarray:
        return np.array([np.nan if p[key] is None else p[key] for p in points], dtype=float)

    def flags(key: str) -> np.ndarray:
        return np.array([bool(p[key]) for p in points], dtype=bool)

    return SeriesResult(
        series=name,
        x=np.array([p["period"] for p in points], dtype=object),
        y=floats("y"),
        n=floats("n") if points and "n" in points[0] else np.full(len(points), np.nan),
        phase=np.array([p["phase"] for p in points], dtype=np.int32),
        cl=floats("cl"),
        lcl=floats("lcl"),
        ucl=floats("ucl"),
        lcl_2s=floats("lcl_2s"),
        ucl_2s=floats("ucl_2s"),
        included=flags("included"),
        outside=flags("outside"),
        shift=flags("shift"),
        trend=flags("trend"),
        two_of_three=flags("two_of_three"),
        point_type_code=np.array(
            [POINT_TYPES.index(p["point_type"]) for p in points], dtype=np.int8
        ),
        phases=_phases_from_points(points),
        variation_icon=variation,
        assurance_icon=assurance,
    )


def _phases_from_points(points: list[dict]) -> tuple[PhaseSummary, ...]:
    """Which stored phases have trial limits (the runs counts are not needed for drawing)."""
    trial: dict[int, bool] = {}
    for point in points:
        trial[point["phase"]] = bool(point.get("trial"))
    return tuple(
        PhaseSummary(phase, None, None, None, None, None, False, trial=is_trial)
        for phase, is_trial in trial.items()
    )


def chart_inputs(measures: list[MeasureSummary]) -> dict[int, ChartInput]:
    """Chart inputs for these measures (those with stored points): three queries in all."""
    ids = [m.id for m in measures]
    by_id = {m.id: m for m in measures}
    points = dict(
        MeasureResult.objects.filter(measure_id__in=ids).values_list("measure_id", "points")
    )
    explanations: dict[int, list[str]] = defaultdict(list)
    for measure_id, kind, status, text in (
        _open_signals()
        .filter(measure_id__in=ids)
        .order_by("raised_at", "pk")
        .values_list("measure_id", "kind", "status", "explanation")
    ):
        kind_label = SignalKind(kind).label if kind in SignalKind.values else kind
        status_label = SignalStatus(status).label.lower()
        explanations[measure_id].append(f"{kind_label} ({status_label}): {text}")
    notes: dict[int, list[tuple[str, str, bool]]] = defaultdict(list)
    for measure_id, period, text, source_type in (
        Annotation.objects.filter(measure_id__in=ids)
        .order_by("period", "pk")
        .values_list("measure_id", "period", "text", "source_type_id")
    ):
        notes[measure_id].append((period.isoformat(), text, source_type is not None))
    inputs = {}
    for measure_id in ids:
        stored = points.get(measure_id) or []
        if not stored:
            continue
        summary = by_id[measure_id]
        labels = {p["period"] for p in stored}
        last = explain_point(stored, len(stored) - 1, summary.frequency)
        inputs[measure_id] = ChartInput(
            series=series_from_points(
                summary.name, stored, summary.variation.code, summary.assurance.code
            ),
            annotations=[
                {"x": period, "text": text[:60]}
                for period, text, marker in notes[measure_id]
                if period in labels and not marker
            ],
            markers=[
                {"x": period, "text": text}
                for period, text, marker in notes[measure_id]
                if period in labels and marker
            ],
            explanations=explanations[measure_id] + ([f"Latest point: {last}"] if last else []),
        )
    return inputs


# The huddle board ----------------------------------------------------------------------------


@dataclass
class Action:
    """Something the team should do at the huddle, oldest first. A signal waits from the first
    period of its run (the problem began then, not when QMS noticed it)."""

    what: str
    subject: str
    detail: str
    since: dt.date
    url: str


@dataclass
class HuddleBoard:
    unit: Unit
    measures: list[MeasureSummary]
    signals: list[Signal]
    escalations: list[Escalation]
    actions: list[Action]
    generated_at: dt.datetime

    @property
    def attention(self) -> list[MeasureSummary]:
        return [m for m in self.measures if m.needs_attention]


def huddle_board(user, unit: Unit) -> HuddleBoard:
    """The team's measures with their latest values and icons, its open signals, the
    escalations of its signals (up the tree) and to it (from below), and the actions due:
    open signals awaiting acknowledgement and escalations to the team awaiting a response,
    oldest first. Three queries, whatever the number of measures."""
    measures = _summaries(user, unit, count_signals=False)
    viewable = _viewable(user)
    signals = [
        signal
        for signal in _open_signals()
        .filter(measure__unit__path__startswith=unit.path)
        .select_related("measure__unit")
        .order_by("first_period", "pk")
        if viewable(signal.measure.unit.path)
    ]
    escalations = [
        escalation
        for escalation in Escalation.objects.filter(
            signal__measure__unit__path__startswith=unit.path
        )
        .exclude(status=EscalationStatus.RESOLVED)
        .exclude(signal__status=SignalStatus.CLOSED)
        .select_related("from_unit", "to_unit")
        .prefetch_related(
            GenericPrefetch("subject", [Signal.objects.select_related("measure__unit")])
        )
        .order_by("created_at", "pk")
        if viewable(escalation.subject.measure.unit.path)
    ]
    counts: dict[int, int] = defaultdict(int)
    for signal in signals:
        counts[signal.measure_id] += 1
        signal.period_text = _signal_periods(signal)
        signal.url = signal.get_absolute_url()
    actions = [
        Action(
            what="Acknowledge the signal",
            subject=signal.measure.name,
            detail=f"{signal.get_kind_display()}, {signal.measure.unit.name}: {signal.explanation}",
            since=signal.first_period,
            url=signal.url,
        )
        for signal in signals
        if signal.status == SignalStatus.OPEN
    ]
    for escalation in escalations:
        escalation.url = escalation.subject.get_absolute_url()
        if escalation.status == EscalationStatus.OPEN and escalation.to_unit.path.startswith(
            unit.path
        ):
            actions.append(
                Action(
                    what=f"Respond to the escalation from {escalation.from_unit.name}",
                    subject=escalation.subject.measure.name,
                    detail=escalation.reason,
                    since=timezone.localdate(escalation.created_at),
                    url=escalation.url,
                )
            )
    for measure in measures:
        measure.open_signals = counts[measure.id]
    actions.sort(key=lambda action: action.since)
    return HuddleBoard(unit, measures, signals, escalations, actions, timezone.now())


def _signal_periods(signal: Signal) -> str:
    frequency = signal.measure.frequency
    first = period_label(signal.first_period, frequency)
    last = period_label(signal.last_period, frequency)
    return first if first == last else f"{first} to {last}"


# The huddle board above team level: a summary -------------------------------------------------

ATTENTION_LIMIT = 20  # measures listed by name on a summary board; the report lists them all


@dataclass
class SubUnitSummary:
    """One unit directly below, as a line of a summary huddle board."""

    unit: Unit
    measures: int = 0
    attention: int = 0
    open_signals: int = 0
    awaiting: int = 0  # open signals nobody has acknowledged yet

    @property
    def url(self) -> str:
        return reverse("control:huddle-board", args=[self.unit.pk])


@dataclass
class HuddleSummary:
    """A division's or a board's huddle: the escalations first, the summary matrix counts,
    the measures that need attention, and each unit below with its counts."""

    unit: Unit
    matrix: QualityMatrix
    board: HuddleBoard
    sub_units: list[SubUnitSummary]

    @property
    def escalations(self) -> list[Escalation]:
        return self.board.escalations

    @property
    def attention(self) -> list[MeasureSummary]:
        ranked = sorted(self.board.attention, key=lambda m: (-m.open_signals, m.unit_name, m.name))
        return ranked[:ATTENTION_LIMIT]


def huddle_is_summary(unit: Unit) -> bool:
    """A unit with units below it gets the summary board; a team gets its own full board."""
    return unit.children.exists()


def huddle_summary(user, unit: Unit) -> HuddleSummary:
    """The summary board of a unit with units below it (a few queries, however many
    measures: the board's three, and one for the units below)."""
    board = huddle_board(user, unit)
    # The board's measures, with their open signals counted, are the matrix's too.
    matrix = _matrix_of(unit, board.measures)
    viewable = _viewable(user)
    children = [
        SubUnitSummary(child) for child in unit.children.order_by("name") if viewable(child.path)
    ]
    for measure in board.measures:
        child = _child_holding(children, measure.unit_path)
        if child is not None:
            child.measures += 1
            child.attention += measure.needs_attention
            child.open_signals += measure.open_signals
    for signal in board.signals:
        child = _child_holding(children, signal.measure.unit.path)
        if child is not None and signal.status == SignalStatus.OPEN:
            child.awaiting += 1
    return HuddleSummary(unit, matrix, board, children)


def _child_holding(children: list[SubUnitSummary], path: str) -> SubUnitSummary | None:
    return next((child for child in children if path.startswith(child.unit.path)), None)
