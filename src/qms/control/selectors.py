"""Reads for the measure pages and signals, shaped for the page that shows them.
Everything comes from stored results (MeasureResult): pages never recompute SPC."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

from django.core.cache import cache
from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from qms.control.charts import compact_spec, spec_json
from qms.control.explain import explain_point
from qms.control.icons import VARIATION_CODES, Icon, assurance_icon, variation_icon
from qms.control.models import (
    Annotation,
    BaselineSuggestion,
    Domain,
    Frequency,
    Measure,
    MeasureDefinition,
    MeasureResult,
    Observation,
    Phase,
    Signal,
    SignalStatus,
    SuggestionStatus,
)
from qms.control.periods import (
    EARLIEST_PERIOD,
    last_completed_period,
    period_label,
    period_start,
)
from qms.control.reports import series_from_points
from qms.control.roles import DATA_ENTRY, VIEWERS
from qms.escalation.models import Escalation, EscalationStatus
from qms.escalation.selectors import with_subjects
from qms.people import access
from qms.stats.charts import EVENT_CHARTS
from qms.stats.vega import chart_spec

# How long a built page part stays cached; entries are keyed on the results' version, so this
# only bounds the memory old versions hold.
PAGE_CACHE_SECONDS = 60 * 60
# A signal is open until someone closes it: acknowledging or escalating it is handling it, not
# ending it. Every count of open signals (pages, report, huddle, demo output) uses open_signals().
OPEN_STATUSES = [SignalStatus.OPEN, SignalStatus.ACKNOWLEDGED, SignalStatus.ESCALATED]


def open_signals() -> QuerySet[Signal]:
    """Signals not yet closed, of measures still in use: the one definition of "open"."""
    return Signal.objects.filter(status__in=OPEN_STATUSES, measure__is_active=True)


def measures_with_results(measure_ids) -> dict[int, Measure]:
    """Measures by id with their unit, stored results (latest value and icons, not the chart
    data) and counts of open signals: for another area's page that lists a few (a project's
    measures). One query."""
    measures = (
        Measure.objects.filter(pk__in=list(measure_ids))
        .select_related("unit", "result")
        .defer("result__points", "result__phases")
        .annotate(open_signals=Count("signals", filter=Q(signals__status__in=OPEN_STATUSES)))
    )
    return {measure.pk: measure for measure in measures}


def window_sums(measure_ids, *, months: int = 12, today: dt.date | None = None) -> dict:
    """For each measure, (events, cases or exposure, periods): its values and denominators
    added up over the periods that started in the last `months` whole months before the current
    one (periods with a denominator only). For another area comparing measures it has already
    checked (a learning network's funnel plot). One query."""
    first = (today or timezone.localdate()).replace(day=1)
    year, month = divmod(first.year * 12 + first.month - 1 - months, 12)
    start = dt.date(year, month + 1, 1)
    rows = (
        Observation.objects.filter(
            measure_id__in=list(measure_ids),
            period__gte=start,
            period__lt=first,
            denominator__gt=0,
        )
        .values("measure_id")
        .annotate(events=Sum("value"), cases=Sum("denominator"), periods=Count("pk"))
        .order_by()
    )
    return {
        row["measure_id"]: (float(row["events"] or 0), float(row["cases"] or 0), row["periods"])
        for row in rows
    }


def active_measures_below(
    unit_paths, *, text: str = "", exclude=(), limit: int = 50
) -> list[Measure]:
    """Active measures of the units at `unit_paths` and below, by unit and name, with their
    unit, at most `limit`, `text` in their name or code, those in `exclude` left out: for another
    area that offers measures of units it has already checked (a learning network's teams).
    One query."""
    condition = Q(pk__in=[])
    for path in unit_paths:
        condition |= Q(unit__path__startswith=path)
    query = Measure.objects.filter(condition, is_active=True).exclude(pk__in=list(exclude))
    if text.strip():
        words = text.strip()
        query = query.filter(Q(name__icontains=words) | Q(code__icontains=words))
    return list(query.select_related("unit").order_by("unit__path", "name", "pk")[:limit])


def signal_seen(user, signal_id) -> Signal:
    """A signal the user may see, with its measure and unit, for another area's page that starts
    work from it (a project started from a signal); Http404 when unseen or missing."""
    signals = Signal.objects.select_related("measure__unit")
    return access.object_or_404(user, signals, signal_id, VIEWERS)


# Sort orders of the measure list: (label, ordering). Attention first is the default: the
# measures with open signals, then those of concern, then the rest by unit and name.
MEASURE_SORTS = {
    "attention": ("Open signals first", ("-open_signals", "unit__path", "name")),
    "name": ("Name", ("name", "unit__path")),
    "unit": ("Unit", ("unit__path", "name")),
    "latest": ("Latest period, oldest first", ("result__last_period", "unit__path", "name")),
    "owner": ("Owner", ("owner__display_name", "unit__path", "name")),
}


@dataclass(frozen=True)
class MeasureFilters:
    """What the measure list is narrowed to; empty fields do not narrow it."""

    unit: int | None = None
    domain: str = ""
    variation: str = ""
    assurance: str = ""
    owner: int | None = None
    text: str = ""
    sort: str = "attention"


def measures_in(user, unit, filters: MeasureFilters | None = None) -> QuerySet[Measure]:
    """Active measures of the unit and the units below it that the user may see, with their
    stored results and counts of open signals, narrowed and sorted by `filters`: one query
    (and one more to count them when the list is paged)."""
    filters = filters or MeasureFilters()
    subtree = access.units_with_role(user, VIEWERS).filter(path__startswith=unit.path)
    if filters.unit:
        chosen = subtree.filter(pk=filters.unit).first()
        subtree = subtree.filter(path__startswith=chosen.path) if chosen else subtree.none()
    query = Measure.objects.filter(unit__in=subtree, is_active=True)
    if filters.domain:
        query = query.filter(domain=filters.domain)
    if filters.variation:  # a row of the summary matrix: high and low together
        codes = VARIATION_CODES.get(filters.variation, [filters.variation])
        condition = Q(result__variation_icon__in=codes)
        if filters.variation == "none":
            condition |= Q(result__isnull=True)
        query = query.filter(condition)
    if filters.assurance:
        query = query.filter(_icon_condition("assurance_icon", filters.assurance))
    if filters.owner:
        query = query.filter(owner_id=filters.owner)
    if filters.text:
        words = filters.text.strip()
        query = query.filter(Q(name__icontains=words) | Q(code__icontains=words))
    ordering = MEASURE_SORTS.get(filters.sort, MEASURE_SORTS["attention"])[1]
    return (
        query.select_related("unit", "result", "owner")
        .defer("result__points", "result__phases")  # the chart data is not needed in a list
        .annotate(open_signals=Count("signals", filter=Q(signals__status__in=OPEN_STATUSES)))
        .order_by(*ordering, "pk")
    )


def units_below(user, unit) -> list:
    """The unit and the units below it where the user sees measures, in tree order, each
    with an `indent` for a select list."""
    units = list(
        access.units_with_role(user, VIEWERS).filter(path__startswith=unit.path).order_by("path")
    )
    for each in units:
        each.indent = "\u2003" * (each.depth - unit.depth)
    return units


def measure_owners(user, unit) -> list:
    """People who own an active measure of the unit or below, for the owner filter."""
    from qms.people.models import Person

    subtree = access.units_with_role(user, VIEWERS).filter(path__startswith=unit.path)
    return list(
        Person.objects.filter(owned_measures__unit__in=subtree, owned_measures__is_active=True)
        .distinct()
        .order_by("display_name", "username")
    )


def _icon_condition(field: str, code: str) -> Q:
    """A measure with this stored icon; "none" also matches one with no results yet."""
    condition = Q(**{f"result__{field}": code})
    return condition | Q(result__isnull=True) if code == "none" else condition


@dataclass(frozen=True)
class PointRow:
    period: dt.date
    label: str
    value: float | None
    denominator: float | None
    cl: float | None
    lcl: float | None
    ucl: float | None
    point_type: str
    explanation: str
    observation: Observation | None
    trial: bool = False


@dataclass(frozen=True)
class Marker:
    """A record of another area marked on a measure's chart (a PDSA cycle): where, what it
    says and the page it links to ("" when the record is gone)."""

    period: dt.date
    label: str
    text: str
    url: str


def _annotations_of(measure_ids) -> QuerySet[Annotation]:
    """Annotations with the records markers come from: one query, and one per kind of record
    (a GenericForeignKey prefetch), however many."""
    return (
        Annotation.objects.filter(measure_id__in=measure_ids)
        .prefetch_related("source")
        .order_by("measure_id", "period", "pk")
    )


def _marker_url(annotation: Annotation) -> str:
    """The page of the record a marker comes from; "" when it is gone or has no page."""
    source = annotation.source  # prefetched
    url = getattr(source, "get_absolute_url", None)
    if source is None or url is None:
        return ""
    try:
        return url()
    except NoReverseMatch:
        return ""


def _markers(annotations: list[Annotation], frequency: str) -> list[Marker]:
    return [
        Marker(a.period, period_label(a.period, frequency), a.text, _marker_url(a))
        for a in annotations
        if a.is_marker
    ]


@dataclass(frozen=True)
class MeasurePage:
    measure: Measure
    result: MeasureResult | None
    rows: list[PointRow]
    chart: str  # the chart's Vega-Lite JSON (charts.compact_spec), "" without data
    signals: list[Signal]
    phases: list[Phase]
    annotations: list[Annotation]
    suggestion: BaselineSuggestion | None = None
    # Records of other areas marked on the chart (tests of change), by period.
    markers: list[Marker] = field(default_factory=list)

    @property
    def suggestion_start(self) -> str:
        """Where the suggested new limits would start, as people name the period."""
        if self.suggestion is None:
            return ""
        return period_label(self.suggestion.starts_on, self.measure.frequency)

    @property
    def trial_baseline(self) -> int | None:
        """Points the current phase's trial limits come from, or None when they are held."""
        phases = self.result.phases if self.result else []
        if phases and phases[-1].get("trial"):
            return phases[-1].get("baseline")
        return None

    @property
    def refresh_failed(self) -> bool:
        """The last refresh failed: what is shown predates it."""
        result = self.result
        return bool(
            result
            and result.failed_at
            and (result.computed_at is None or result.failed_at > result.computed_at)
        )


def measure_page(measure: Measure, *, recent: int | None = None) -> MeasurePage:
    """A measure's page: its stored points as table rows, its chart, signals, phases and
    annotations. Only the `recent` newest rows (None: all) get their observation (the note,
    the denominator, the remove button): the rest are not shown.

    The rows and the chart are built once per version of the stored results and kept in the
    cache (see `_points_and_chart`); the observations, signals and who may do what are read
    fresh every time."""
    result = MeasureResult.objects.filter(measure=measure).defer("points").first()
    phases = list(measure.phases.select_related("created_by"))
    annotations = list(_annotations_of([measure.pk]))
    rows, chart = _points_and_chart(measure, result, phases, annotations)
    shown = rows if recent is None else rows[-recent:] if recent > 0 else []
    if shown:
        observations = {
            o.period: o for o in measure.observations.filter(period__gte=shown[0].period)
        }
        shown = [
            replace(
                row,
                observation=observations.get(row.period),
                denominator=getattr(observations.get(row.period), "denominator", None),
            )
            for row in shown
        ]
        rows = rows[: len(rows) - len(shown)] + shown
    signals = list(
        measure.signals.select_related("handled_by", "issue").prefetch_related(
            Prefetch(
                "escalations",
                queryset=Escalation.objects.select_related(
                    "from_unit", "to_unit", "created_by", "responded_by"
                ).order_by("created_at", "pk"),
            )
        )
    )
    suggestion = measure.baseline_suggestions.filter(status=SuggestionStatus.OPEN).first()
    return MeasurePage(
        measure,
        result,
        rows,
        chart,
        signals,
        phases,
        [a for a in annotations if not a.is_marker],
        suggestion,
        _markers(annotations, measure.frequency),
    )


# Bump when what `_points_and_chart` caches changes shape, so a shared cache (Redis) that
# outlives a deployment never serves the old shape.
_PAGE_CACHE_VERSION = 4


def _points_and_chart(
    measure, result, phases, annotations, points: list[dict] | None = None
) -> tuple[list[PointRow], str]:
    """The table rows (without observations) and the chart's JSON, from the cache when the
    stored results, the chart's definition, phases and annotations are those they were built
    from: the key holds the results' `computed_at` and a digest of the rest, so a page never
    shows a chart older than its results."""
    if result is None or result.computed_at is None:
        return [], ""
    key = _page_cache_key(measure, result, phases, annotations)
    built = _BUILT.get(key)
    if built is not None:
        return built
    cached = cache.get(key)
    if cached is None:
        if points is None:
            points = MeasureResult.objects.filter(pk=result.pk).values_list("points", flat=True)[0]
        periods = [dt.date.fromisoformat(point["period"]) for point in points]
        rows = [
            (
                periods[index],
                period_label(periods[index], measure.frequency),
                point["y"],
                point["cl"],
                point["lcl"],
                point["ucl"],
                point["point_type"],
                explain_point(points, index, measure.frequency),
                bool(point.get("trial")),
            )
            for index, point in enumerate(points)
        ]
        chart = spec_json(compact_spec(_chart(measure, result, points, phases, annotations)))
        cached = (rows, chart if points else "")
        cache.set(key, cached, timeout=PAGE_CACHE_SECONDS)
    rows, chart = cached
    point_rows = []
    for period, label, value, cl, lcl, ucl, point_type, explanation, trial in rows:
        point_rows.append(
            PointRow(
                period=period,
                label=label,
                value=value,
                denominator=None,
                cl=cl,
                lcl=lcl,
                ucl=ucl,
                point_type=point_type,
                explanation=explanation,
                observation=None,
                trial=trial,
            )
        )
    _BUILT.put(key, (point_rows, chart))
    return point_rows, chart


class _Built:
    """The rows and charts this process built last, ready to use: the shared cache holds them
    as data, which costs unpacking 730 rows on every read. PointRow is frozen, so one list
    serves every request and thread; a few dozen pages are kept, the least recent dropped."""

    def __init__(self, size: int = 64):
        self.size, self.entries, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: str):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry) -> None:
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_BUILT = _Built()


def _page_cache_key(measure, result, phases, annotations) -> str:
    definition = (
        measure.name,
        measure.unit_label,
        measure.target,
        measure.frequency,
        result.variation_icon,
        result.assurance_icon,
        [(p.starts_on.isoformat(), p.reason) for p in phases],
        [(a.period.isoformat(), a.text, a.source_type_id, a.source_id) for a in annotations],
        [_marker_url(a) for a in annotations if a.is_marker],
    )
    digest = hashlib.sha256(repr(definition).encode()).hexdigest()[:24]
    stamp = result.computed_at.isoformat()
    return f"qms:measure-page:{_PAGE_CACHE_VERSION}:{measure.pk}:{stamp}:{digest}"


def _chart(measure, result, points, phases, annotations) -> dict:
    """The Vega-Lite specification of the stored chart, with phases and annotations marked."""
    series = series_from_points(measure.name, points, result.variation_icon, result.assurance_icon)
    labels = {point["period"] for point in points}
    notes = [
        {"x": phase.starts_on.isoformat(), "text": f"New limits: {phase.reason}"[:60]}
        for phase in phases
        if phase.starts_on.isoformat() in labels
    ]
    notes += [
        {"x": note.period.isoformat(), "text": note.text[:60]}
        for note in annotations
        if note.period.isoformat() in labels and not note.is_marker
    ]
    markers = [
        {"x": note.period.isoformat(), "text": note.text, "href": _marker_url(note) or None}
        for note in annotations
        if note.period.isoformat() in labels and note.is_marker
    ]
    y_title = measure.unit_label.strip() or None
    return chart_spec(
        series,
        title=measure.name,
        y_title=y_title,
        target=measure.target,
        annotations=notes,
        markers=markers,
        width=760,
        height=300,
    )


def chart_json(spec: dict) -> str:
    """A Vega-Lite specification (from `qms.stats.vega.chart_spec`) as the measure pages send it
    to the browser: compacted and serialised the same way, for other areas' SPC charts."""
    return spec_json(compact_spec(spec))


def standards_library(user) -> list:
    """The national standards and the local standards of units the user can see, and of the
    units above their own (a division's standard applies to its wards), with the measures of
    the user's units that serve each and the library's definitions of measures for it. Another
    organisation's local standards are its own."""
    from qms.control.models import Standard, StandardScope
    from qms.people.models import Unit

    visible = access.units_visible_to(user)
    own_paths = Unit.objects.filter(memberships__person=user).values_list("path", flat=True)
    above = {int(part) for path in own_paths for part in path.strip("/").split("/")}
    measures = Measure.objects.filter(unit__in=visible, is_active=True).select_related("unit")
    return list(
        Standard.objects.filter(
            Q(scope=StandardScope.NATIONAL) | Q(unit__in=visible) | Q(unit_id__in=above)
        )
        .select_related("unit")
        .prefetch_related(
            Prefetch("measures", queryset=measures.order_by("unit__path", "name")),
            Prefetch("definitions", queryset=MeasureDefinition.objects.order_by("name")),
        )
    )


# Home: what needs this person ------------------------------------------------------------------

HOME_LIMIT = 8  # rows per list on the home page; each list links to the whole of it


@dataclass(frozen=True)
class ValueDue:
    measure: Measure
    period: dt.date
    last_period: dt.date | None

    @property
    def period_text(self) -> str:
        return period_label(self.period, self.measure.frequency)

    @property
    def last_text(self) -> str:
        return period_label(self.last_period, self.measure.frequency) if self.last_period else ""


@dataclass(frozen=True)
class HomeWork:
    """What needs the person: each list its first HOME_LIMIT rows and how many in all."""

    signals: list[Signal]
    signal_count: int
    escalations: list[Escalation]
    escalation_count: int
    values_due: list[ValueDue]
    values_due_count: int

    @property
    def anything(self) -> bool:
        """Whether anything waits (home says "Nothing is waiting for you" when no card has)."""
        return bool(self.signal_count or self.escalation_count or self.values_due_count)


def home_work(user, *, today: dt.date | None = None) -> HomeWork:
    """Open signals and escalations in the units where the person sees measures, values due
    where they record data (or of measures they own)."""
    today = today or timezone.localdate()
    viewable = access.units_with_role(user, VIEWERS)
    signals = (
        open_signals()
        .filter(measure__unit__in=viewable)
        .select_related("measure__unit")
        .order_by("first_period", "pk")
    )
    escalations = with_subjects(
        Escalation.objects.filter(to_unit__in=viewable, status=EscalationStatus.OPEN)
        .exclude(signal__status=SignalStatus.CLOSED)
        .select_related("from_unit", "to_unit")
        .order_by("created_at", "pk")
    )
    due = values_due(user, today=today)
    return HomeWork(
        signals=list(signals[:HOME_LIMIT]),
        signal_count=signals.count(),
        escalations=list(escalations[:HOME_LIMIT]),
        escalation_count=escalations.count(),
        values_due=due[:HOME_LIMIT],
        values_due_count=len(due),
    )


def values_due(user, *, today: dt.date) -> list[ValueDue]:
    """Active measures the person records data for (or owns) whose last completed period
    (yesterday, last week, last month or last quarter, by the measure's frequency) has no
    value yet, the longest overdue first."""
    entry_units = access.units_with_role(user, DATA_ENTRY)
    measures = (
        Measure.objects.filter(Q(unit__in=entry_units) | Q(owner=user), is_active=True)
        # g and t charts record an event when it happens, not a value every period.
        .exclude(chart__in=EVENT_CHARTS)
        .annotate(last_period=Max("observations__period"))
        .select_related("unit")
    )
    overdue = Q()
    for frequency in Frequency.values:
        period = last_completed_period(frequency, today)
        overdue |= Q(frequency=frequency) & (
            Q(last_period__lt=period) | Q(last_period__isnull=True)
        )
    due = [
        ValueDue(m, last_completed_period(m.frequency, today), m.last_period)
        for m in measures.filter(overdue)
    ]
    due.sort(key=lambda d: (d.last_period or dt.date.min, d.measure.unit.path, d.measure.name))
    return due


# What control offers other areas: charts, and improvement after a change ----------------------


@dataclass(frozen=True)
class MeasureChart:
    """A measure's stored chart as another area's page shows it (a project, a PDSA cycle's
    study, a change package): the compact Vega-Lite JSON with its markers, and its icons."""

    measure: Measure
    chart: str  # "" without data
    variation: Icon
    assurance: Icon
    last_value: float | None
    last_period: dt.date | None
    markers: list[Marker]

    @property
    def last_label(self) -> str:
        return period_label(self.last_period, self.measure.frequency) if self.last_period else ""


def measure_charts(measures) -> list[MeasureChart]:
    """The charts of `measures` (already checked by the caller: the person may see them), in
    their order, from stored results and through the measure page's code and cache: five
    queries at most (results, phases, annotations, the records their markers come from by
    kind, and the points of charts not yet cached), however many measures."""
    measures = list(measures)
    ids = [m.pk for m in measures]
    if not ids:
        return []
    results = {
        r.measure_id: r for r in MeasureResult.objects.filter(measure_id__in=ids).defer("points")
    }
    phases: dict[int, list[Phase]] = {pk: [] for pk in ids}
    for phase in Phase.objects.filter(measure_id__in=ids).order_by("starts_on"):
        phases[phase.measure_id].append(phase)
    annotations: dict[int, list[Annotation]] = {pk: [] for pk in ids}
    for annotation in _annotations_of(ids):
        annotations[annotation.measure_id].append(annotation)
    missing = [
        pk
        for pk in ids
        if (result := results.get(pk)) is not None
        and result.computed_at is not None
        and _BUILT.get(key := _page_cache_key(_by_pk(measures, pk), result, phases[pk],
                                              annotations[pk])) is None
        and cache.get(key) is None
    ]  # fmt: skip
    points = dict(
        MeasureResult.objects.filter(measure_id__in=missing).values_list("measure_id", "points")
    ) if missing else {}  # fmt: skip
    charts = []
    for measure in measures:
        result = results.get(measure.pk)
        _, chart = _points_and_chart(
            measure, result, phases[measure.pk], annotations[measure.pk], points.get(measure.pk)
        )
        charts.append(
            MeasureChart(
                measure=measure,
                chart=chart,
                variation=variation_icon(result.variation_icon if result else None),
                assurance=assurance_icon(result.assurance_icon if result else None),
                last_value=result.last_value if result else None,
                last_period=result.last_period if result else None,
                markers=_markers(annotations[measure.pk], measure.frequency),
            )
        )
    return charts


def _by_pk(measures: list[Measure], pk: int) -> Measure:
    return next(m for m in measures if m.pk == pk)


IMPROVEMENT = "special_cause_improvement"
CONCERN = "special_cause_concern"


@dataclass(frozen=True)
class ImprovementFinding:
    """What a measure's stored chart says about improvement since a date (a change tested, a
    package adopted): read from the stored points, never recomputed.

    `improved`: special cause improvement in a period on or after `since` (the period that
    contains it counts), or new limits from then with a better centre line. `holds`: the
    improvement is still there at the latest period: its latest points are still special cause
    improvement, or the current phase began on or after `since` with a centre line better than
    the one before. `held_points` and `held_since` say for how long."""

    measure_id: int
    since: dt.date
    has_data: bool
    direction: str
    improved: bool = False
    first_period: dt.date | None = None
    latest_period: dt.date | None = None
    holds: bool = False
    held_since: dt.date | None = None
    held_points: int = 0
    centre_before: float | None = None
    centre_after: float | None = None
    explanation: str = ""


def improvement_since(measure_ids, since) -> dict[int, ImprovementFinding]:
    """For each measure, whether its stored chart shows special cause improvement since
    `since` (a date, or a mapping of measure id to date), whether it holds now and for how
    long, and the centre lines before and after, with a sentence saying so. Three queries
    however many measures (their results, phases and suggested new limits)."""
    ids = list(dict.fromkeys(measure_ids))
    if not ids:
        return {}
    measures = list(
        Measure.objects.filter(pk__in=ids)
        .select_related("result")
        .only("pk", "name", "frequency", "direction", "unit_label", "result__points")
    )
    phase_starts: dict[int, list[dt.date]] = {pk: [] for pk in ids}
    for measure_id, starts_on in Phase.objects.filter(measure_id__in=ids).values_list(
        "measure_id", "starts_on"
    ):
        phase_starts[measure_id].append(starts_on)
    suggested: dict[int, list[tuple[dt.date, float]]] = {pk: [] for pk in ids}
    for measure_id, starts_on, centre in (
        BaselineSuggestion.objects.filter(measure_id__in=ids)
        .exclude(status=SuggestionStatus.DISMISSED)
        .order_by("starts_on")
        .values_list("measure_id", "starts_on", "new_centre")
    ):
        suggested[measure_id].append((starts_on, centre))
    findings = {}
    for measure in measures:
        day = since.get(measure.pk) if isinstance(since, dict) else since
        if day is None:
            continue
        result = getattr(measure, "result", None)
        findings[measure.pk] = _finding(
            measure,
            day,
            result.points if result is not None else [],
            sorted(phase_starts[measure.pk]),
            suggested[measure.pk],
        )
    return findings


def _better(direction: str, new: float, old: float) -> bool:
    return new > old if direction == "increase" else new < old


def _finding(measure, since, points, phase_starts, suggested) -> ImprovementFinding:
    from qms.control.periods import period_start
    from qms.control.reports import with_unit

    def label(day):
        return period_label(day, measure.frequency)

    def value(number):
        return with_unit(number, measure.unit_label)

    start = period_start(since, measure.frequency)
    base = ImprovementFinding(measure.pk, since, bool(points), measure.direction)
    valued = [p for p in points if p["y"] is not None]
    if not valued:
        return replace(base, has_data=False, explanation=f"{measure.name} has no data yet.")
    periods = [dt.date.fromisoformat(p["period"]) for p in valued]
    latest = periods[-1]
    before = [p for p, day in zip(valued, periods, strict=True) if day < start]
    after = [(p, day) for p, day in zip(valued, periods, strict=True) if day >= start]
    centre_before = before[-1]["cl"] if before else None
    base = replace(base, latest_period=latest, centre_before=centre_before)
    if measure.direction not in ("increase", "decrease"):
        return replace(
            base,
            explanation=f"{measure.name} has no direction of improvement, so no change in it "
            "reads as improvement.",
        )
    if not after:
        return replace(
            base,
            explanation=f"{measure.name} has no data from {label(start)} yet (latest: "
            f"{label(latest)}).",
        )
    first = next((day for p, day in after if p["point_type"] == IMPROVEMENT), None)
    # New limits from on or after the date, better than the centre line before it (and every
    # later phase too): the improvement lasted long enough for a lead to recalculate them.
    phase_holds, held_since, held_points, centre_after = False, None, 0, None
    if centre_before is not None:
        for starts_on in sorted(s for s in phase_starts if start <= s <= latest):
            centres = [p["cl"] for p, day in after if day >= starts_on and p["cl"] is not None]
            if centres and all(_better(measure.direction, c, centre_before) for c in centres):
                phase_holds, held_since, centre_after = True, starts_on, centres[-1]
                held_points = sum(1 for _, day in after if day >= starts_on)
                first = min(first or starts_on, starts_on)
                break
    trailing = []
    for point, day in reversed(after):
        if point["point_type"] != IMPROVEMENT:
            break
        trailing.append(day)
    ends_in_concern = valued[-1]["point_type"] == CONCERN
    run_holds = bool(trailing)
    if not phase_holds and run_holds:
        held_since, held_points = trailing[-1], len(trailing)
    if centre_after is None:
        later = [c for s, c in suggested if s >= start]
        centre_after = later[-1] if later else None
    holds = (phase_holds or run_holds) and not ends_in_concern
    improved = first is not None
    finding = replace(
        base,
        improved=improved,
        first_period=first,
        holds=holds,
        held_since=held_since if holds else None,
        held_points=held_points if holds else 0,
        centre_after=centre_after,
    )
    name = measure.name
    if not improved:
        text = (
            f"{name} shows no special cause improvement from {label(start)} to "
            f"{label(latest)} ({len(after)} point{'s' if len(after) != 1 else ''})."
        )
    elif holds:
        how = (
            f"new limits from {label(held_since)} have a centre line of "
            f"{value(centre_after)}, against {value(centre_before)} before"
            if phase_holds
            else f"the latest {held_points} point{'s' if held_points != 1 else ''}, from "
            f"{label(held_since)}, are special cause improvement"
        )
        text = (
            f"{name} shows special cause improvement from {label(first)}, and it holds: "
            f"{how} (latest: {label(latest)})."
        )
    else:
        text = (
            f"{name} showed special cause improvement from {label(first)}, but it has not held: "
            f"the latest point ({label(latest)}) is "
            + ("special cause concern." if ends_in_concern else "common cause variation.")
        )
    return replace(finding, explanation=text)


@dataclass(frozen=True)
class SustainedImprovement:
    """A measure whose stored chart shows special cause improvement that still holds and has
    held for at least a baseline's worth of points (`measure.baseline_points`): the latest run
    of special cause improvement points, or a current phase whose centre line is better than
    the one before it (a lead recalculated the limits after the shift)."""

    measure: Measure
    finding: ImprovementFinding
    # Held as a new phase with a better centre line (rather than as a run of points).
    new_phase: bool = False
    # The current phase's centre line at the latest point (a run lies beyond it).
    held_centre: float | None = None


def sustained_improvements(
    *, unit_paths: list[str] | None = None, measure_ids=None
) -> list[SustainedImprovement]:
    """Every active measure with a direction of improvement whose improvement has held for a
    baseline's worth of points, in the units at or below `unit_paths` (None: everywhere) or
    among `measure_ids`, read from stored results in one pass: five queries however many
    measures. Each is judged from the start of its current phase (the centre line before it is
    the previous phase's), or from its first point when it has one phase."""
    chosen = Measure.objects.filter(
        is_active=True, direction__in=("increase", "decrease"), result__computed_at__isnull=False
    )
    if unit_paths is not None:
        below = Q(pk__in=[])
        for path in unit_paths:
            below |= Q(unit__path__startswith=path)
        chosen = chosen.filter(below)
    if measure_ids is not None:
        chosen = chosen.filter(pk__in=list(measure_ids))
    by_pk = {
        m.pk: m
        for m in chosen.select_related("unit", "result").defer(
            "unit__description", "result__points", "result__phases"
        )
    }
    if not by_pk:
        return []
    latest_phase = dict(
        Phase.objects.filter(measure_id__in=list(by_pk))
        .values_list("measure_id")
        .annotate(latest=Max("starts_on"))
    )
    since = {pk: latest_phase.get(pk, EARLIEST_PERIOD) for pk in by_pk}
    found = []
    for pk, finding in improvement_since(list(by_pk), since).items():
        measure = by_pk[pk]
        if finding.holds and finding.held_points >= measure.baseline_points:
            new_phase = pk in latest_phase and finding.held_since == latest_phase[pk]
            found.append(
                SustainedImprovement(measure, finding, new_phase, measure.result.last_centre)
            )
    found.sort(key=lambda item: (item.measure.unit.path, item.measure.name))
    return found


# Current performance against targets (quality planning's gaps) ---------------------------------


@dataclass(slots=True)
class CurrentPerformance:
    """A measure with a target as its stored results stand now: the centre line and limits of
    its current phase (at its last point with a value), its latest value and its icons."""

    measure_id: int
    name: str
    unit_id: int
    unit_name: str
    unit_path: str
    domain: str
    domain_label: str
    direction: str
    chart: str
    unit_label: str
    target: float
    last_period: dt.date | None
    last_value: float | None
    centre: float | None
    lcl: float | None
    ucl: float | None
    trial_limits: bool
    variation: Icon
    assurance: Icon

    @property
    def has_limits(self) -> bool:
        return self.lcl is not None or self.ucl is not None

    @property
    def url(self) -> str:
        return reverse("control:measure-detail", args=[self.measure_id])


def quality_domains() -> list[tuple[str, str]]:
    """The quality domains measures are grouped in, as (value, label), for another area's
    filters."""
    return list(Domain.choices)


def current_performance(
    unit, *, domain: str = "", measure_ids=None, below=None
) -> list[CurrentPerformance]:
    """Every active measure with a target in the unit and the units below it (or only in
    `below`, a unit of that subtree; only one quality domain; only `measure_ids`), with the
    centre line and limits of its current phase, its latest value and its icons, in tree
    order. The caller has checked that the person sees the unit's measures (roles reach down).

    One query whatever the number of measures: the centre line and limits stored beside the
    last value are read, never the points themselves."""
    query = Measure.objects.filter(
        unit__path__startswith=unit.path, is_active=True, target__isnull=False
    )
    if below is not None:
        query = query.filter(unit__path__startswith=below.path)
    if domain:
        query = query.filter(domain=domain)
    if measure_ids is not None:
        query = query.filter(pk__in=list(measure_ids))
    # Sorted here, not by the database: PostgreSQL's collation makes sorting thousands of
    # names there take longer than everything else the query does.
    rows = query.order_by().values_list(
        "pk", "name", "unit_id", "unit__name", "unit__path", "domain", "direction", "chart",
        "unit_label", "target", "result__last_period", "result__last_value",
        "result__trial_limits", "result__variation_icon", "result__assurance_icon",
        "result__last_centre", "result__last_lcl", "result__last_ucl",
    )  # fmt: skip
    labels = dict(Domain.choices)
    found = [
        CurrentPerformance(
            measure_id=row[0],
            name=row[1],
            unit_id=row[2],
            unit_name=row[3],
            unit_path=row[4],
            domain=row[5],
            domain_label=labels.get(row[5], row[5]),
            direction=row[6],
            chart=row[7],
            unit_label=row[8],
            target=row[9],
            last_period=row[10],
            last_value=row[11],
            trial_limits=bool(row[12]),
            variation=variation_icon(row[13]),
            assurance=assurance_icon(row[14]),
            centre=row[15],
            lcl=row[16],
            ucl=row[17],
        )
        for row in rows
    ]
    found.sort(key=lambda row: (row.unit_path, row.name))
    return found


def period_containing(day: dt.date, frequency: str) -> dt.date:
    """The first day of the period of `frequency` that contains `day`: for other areas that
    record a value for a span of dates (a clinical audit's period must fall in one period of
    the measure it feeds). Name it with `period_label`."""
    return period_start(day, frequency)


# Periods, for other areas that read periods of a measure -----------------------------------


def period_read(raw, frequency: str) -> dt.date | str:
    """A period as typed or read from a file for a measure of this frequency (2025-03,
    2025-Q1, 2025-W10 or a date), as the observations' upload reads it: its first day, or
    what is wrong with it (before 1990, not begun yet, not a period of this frequency)."""
    from qms.control import imports  # imports reads through services; read it when asked

    return imports._period(raw, frequency)


# The first period any measure may have (1990): dates before it are typing slips.
FIRST_PERIOD = EARLIEST_PERIOD


# Units measuring the same library definition (learning's funnel plots) -----------------------

# Which charts' data can be compared on a funnel, as what: proportions (events out of cases) as
# proportions, rates (events per exposure) as indirectly standardised ratios.
COMPARABLE_CHARTS = {"p": "proportion", "pp": "proportion", "u": "ratio", "up": "ratio"}
COMPARE_WINDOWS = (6, 12, 24)  # months


@dataclass(frozen=True)
class ComparableMeasure:
    """A measure of a library definition with its events (`numerator`) and cases or exposure
    (`denominator`) added up over a window, and how many periods that took."""

    measure: Measure
    numerator: float
    denominator: float
    periods: int
    first_period: dt.date | None
    last_period: dt.date | None


def comparable_kind(chart: str) -> str | None:
    """ "proportion" or "ratio" when measures on this chart can be compared on a funnel."""
    return COMPARABLE_CHARTS.get(chart)


def definition_of(code: str) -> MeasureDefinition | None:
    """The library definition with this code, or None."""
    return MeasureDefinition.objects.filter(code=code).first()


def compare_window(today: dt.date, months: int, frequency: str) -> tuple[dt.date, dt.date]:
    """The first and the last day of the window of `months` whole months before the current
    one; periods that start in it and have ended by `today` are compared."""
    first = today.replace(day=1)
    year, month = divmod(first.year * 12 + first.month - 1 - months, 12)
    start = dt.date(year, month + 1, 1)
    current = period_start(today, frequency)
    return start, current - dt.timedelta(days=1)


def _comparable_query(user, definition_id: int, kind: str | None) -> QuerySet[Measure]:
    """Active measures made from the definition that the user may see, on a chart of the
    definition's kind (a unit that adapted a rate into a count is not comparable)."""
    charts = [chart for chart, of in COMPARABLE_CHARTS.items() if of == kind]
    query = Measure.objects.filter(definition_id=definition_id, is_active=True, chart__in=charts)
    return access.visible(user, query, VIEWERS)


def comparable_measures(
    user, definition: MeasureDefinition, *, months: int = 12, today: dt.date | None = None
) -> list[ComparableMeasure]:
    """The measures of `definition` in the units the user may see, each with its numerators
    and denominators added up over the last `months` months: one query whatever the number
    of measures and observations (with the user's roles, which are cached). Empty when the
    definition's chart is not a proportion or a rate."""
    if comparable_kind(definition.chart) is None:
        return []
    start, end = compare_window(today or timezone.localdate(), months, definition.frequency)
    in_window = Q(
        observations__period__gte=start,
        observations__period__lte=end,
        observations__denominator__gt=0,
    )
    rows = (
        _comparable_query(user, definition.pk, comparable_kind(definition.chart))
        .select_related("unit")
        .annotate(
            events=Sum("observations__value", filter=in_window),
            cases=Sum("observations__denominator", filter=in_window),
            periods=Count("observations", filter=in_window),
            first=Min("observations__period", filter=in_window),
            last=Max("observations__period", filter=in_window),
        )
        .order_by()
    )
    # Tree order, the same on every database (collations order "/" differently).
    rows = sorted(rows, key=lambda row: (_path_key(row.unit.path), row.pk))
    return [
        ComparableMeasure(
            measure=row,
            numerator=float(row.events or 0),
            denominator=float(row.cases or 0),
            periods=row.periods,
            first_period=row.first,
            last_period=row.last,
        )
        for row in rows
    ]


def _path_key(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in path.strip("/").split("/") if part.isdigit())


def has_comparable(user, measure: Measure) -> bool:
    """Whether the measure can be compared with another unit's measure of its library
    definition that the user may see (for the "Compare with other units" link)."""
    if measure.definition_id is None or comparable_kind(measure.chart) is None:
        return False
    others = _comparable_query(user, measure.definition_id, comparable_kind(measure.chart))
    return others.exclude(unit_id=measure.unit_id).exists()


@dataclass(frozen=True)
class ComparableTotal:
    """A measure of a library definition with its numerators and denominators added up over
    the window of its frequency (`window_start` to `window_end`), for the whole organisation's
    funnel plots (learning's bright spots)."""

    measure: Measure
    numerator: float
    denominator: float
    periods: int
    first_period: dt.date | None
    last_period: dt.date | None
    window_start: dt.date
    window_end: dt.date


def comparable_totals(
    *, months: int = 12, today: dt.date | None = None, user=None
) -> list[ComparableTotal]:
    """Every active measure made from a library definition on a chart a funnel compares, with
    its numerators and denominators added up over the last `months` months (`compare_window`
    for its frequency), with its unit and definition: one query however many measures and
    definitions. `user`: only the measures they may see (None: all, for the nightly run)."""
    today = today or timezone.localdate()
    windows = {f: compare_window(today, months, f) for f in Frequency.values}
    in_window = Q(pk__in=[])
    for frequency, (start, end) in windows.items():
        in_window |= Q(
            frequency=frequency, observations__period__gte=start, observations__period__lte=end
        )
    in_window &= Q(observations__denominator__gt=0)
    query = Measure.objects.filter(
        definition__isnull=False, is_active=True, chart__in=list(COMPARABLE_CHARTS)
    )
    if user is not None:
        query = access.visible(user, query, VIEWERS)
    rows = (
        query.select_related("unit", "definition")
        .annotate(
            events=Sum("observations__value", filter=in_window),
            cases=Sum("observations__denominator", filter=in_window),
            periods=Count("observations", filter=in_window),
            first=Min("observations__period", filter=in_window),
            last=Max("observations__period", filter=in_window),
        )
        .order_by("definition_id", "unit__path", "pk")
    )
    return [
        ComparableTotal(
            measure=row,
            numerator=float(row.events or 0),
            denominator=float(row.cases or 0),
            periods=row.periods,
            first_period=row.first,
            last_period=row.last,
            window_start=windows[row.frequency][0],
            window_end=windows[row.frequency][1],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class ComparableDefinition:
    definition: MeasureDefinition
    measures: int
    units: int


def comparable_definitions(user) -> list[ComparableDefinition]:
    """The library definitions of proportions and rates that at least two units the user may
    see measure, with how many: two queries."""
    rows = (
        access.visible(
            user,
            Measure.objects.filter(
                definition__isnull=False, is_active=True, chart__in=list(COMPARABLE_CHARTS)
            ),
            VIEWERS,
        )
        .values("definition_id")
        .annotate(measures=Count("pk"), units=Count("unit_id", distinct=True))
        .filter(units__gte=2)
        .order_by()
    )
    counts = {row["definition_id"]: row for row in rows}
    definitions = MeasureDefinition.objects.filter(
        pk__in=list(counts), chart__in=list(COMPARABLE_CHARTS)
    ).order_by("name")
    return [
        ComparableDefinition(
            definition=definition,
            measures=counts[definition.pk]["measures"],
            units=counts[definition.pk]["units"],
        )
        for definition in definitions
    ]
