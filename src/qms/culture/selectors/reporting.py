"""Reads of the reporting culture: a unit's issues and concerns (its own and those of the units
below it) turned into the four monthly series its measures track.

Definitions (docs/culture.md says them in plain words):
- Raised: issues raised by a person (not by the system, as a chart signal's issue is) and
  concerns, named or anonymous, by the month they were raised.
- Front-line share: of the issues and named concerns raised by a named person, the share whose
  raiser held the team member role in the issue's unit (or a unit above it) when raising it,
  read from the memberships' history; when QMS has no record of that role from before the
  raising (the membership was recorded later, e.g. when the organisation was loaded), the
  role held now counts. Anonymous concerns are left out of this share, top and bottom:
  recording the raiser's role would narrow down who they are.
- First response: the first of a handler's reply on a concern's thread, an action added, a
  comment, or a change of status (in progress, escalated, closed) by anyone other than the
  person who raised it. The series is the median, in days, of the issues raised in the month
  that have had a response.
- Closed with feedback: of the issues raised by a person and closed in the month, the share
  whose handler sent the closing feedback to the person who raised them.
Only complete months are given: the current month is still filling.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from qms.comments.models import Comment
from qms.control import selectors as control_selectors
from qms.culture import roles
from qms.culture.models import ClosingFeedback, ConcernMessage, ReportingMeasure
from qms.culture.models import ReportingMeasureKind as Kind
from qms.issues.models import Action, Issue, IssueStatus
from qms.people import access
from qms.people.models import Membership, Unit
from qms.people.roles import Role
from qms.stats import SpcInputError, analyse, chart_spec

DAY_SECONDS = 86400.0


@dataclass(frozen=True)
class Point:
    """One month of a series: `value` over `denominator` (None for counts and days)."""

    month: dt.date
    value: float
    denominator: float | None = None


@dataclass(frozen=True)
class _Raised:
    pk: int
    unit_path: str
    created_at: dt.datetime
    raiser_id: int | None  # None for an anonymous concern
    closed_at: dt.datetime | None
    with_feedback: bool


def _month(moment: dt.datetime | dt.date) -> dt.date:
    day = timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment
    return day.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def _person_raised(unit: Unit):
    """The issues of the unit and below raised by a person: named, or an anonymous concern."""
    return Issue.objects.filter(unit__path__startswith=unit.path).filter(
        Q(created_by__isnull=False) | Q(concern__isnull=False)
    )


def _raised(unit: Unit) -> list[_Raised]:
    rows = (
        _person_raised(unit)
        .annotate(with_feedback=Exists(ClosingFeedback.objects.filter(issue=OuterRef("pk"))))
        .values_list(
            "pk",
            "unit__path",
            "created_at",
            "created_by_id",
            "status",
            "closed_at",
            "with_feedback",
        )
        .order_by("created_at", "pk")
    )
    return [
        _Raised(
            pk=pk,
            unit_path=path,
            created_at=created,
            raiser_id=raiser,
            closed_at=closed if status == IssueStatus.CLOSED else None,
            with_feedback=bool(feedback),
        )
        for pk, path, created, raiser, status, closed, feedback in rows
    ]


def _complete_months(first: dt.date, today: dt.date) -> list[dt.date]:
    months, month, end = [], first, today.replace(day=1)
    while month < end:
        months.append(month)
        month = _next_month(month)
    return months


def raised_per_month(unit: Unit, *, today: dt.date | None = None) -> list[Point]:
    """Issues and concerns raised by people in each complete month, from the first month with
    one (months with none count as 0: a fall to nothing is the signal that matters most)."""
    today = today or timezone.localdate()
    raised = _raised(unit)
    if not raised:
        return []
    counts: dict[dt.date, int] = defaultdict(int)
    for row in raised:
        counts[_month(row.created_at)] += 1
    return [Point(m, float(counts.get(m, 0))) for m in _complete_months(min(counts), today)]


def front_line_share(unit: Unit, *, today: dt.date | None = None) -> list[Point]:
    """Per complete month: issues raised by front-line staff over those raised by a named
    person (see the module's docstring for the rule)."""
    today = today or timezone.localdate()
    named = [row for row in _raised(unit) if row.raiser_id is not None]
    if not named:
        return []
    front = _front_line(named)
    totals: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for row in named:
        month = _month(row.created_at)
        totals[month][0] += row.pk in front
        totals[month][1] += 1
    return [
        Point(m, float(totals[m][0]), float(totals[m][1]))
        for m in _complete_months(min(totals), today)
        if totals.get(m, [0, 0])[1]
    ]


def _front_line(rows: list[_Raised]) -> set[int]:
    """The ids of the issues whose raiser held the team member role in the issue's unit or
    above when raising it."""
    people = {row.raiser_id for row in rows}
    history: dict[tuple[int, int], list[tuple[dt.datetime, bool]]] = defaultdict(list)
    for person, unit_id, when, kind in (
        Membership.history.filter(person_id__in=people, role=Role.TEAM_MEMBER)
        .order_by("history_date", "history_id")
        .values_list("person_id", "unit_id", "history_date", "history_type")
    ):
        history[(person, unit_id)].append((when, kind != "-"))
    now = set(
        Membership.objects.filter(person_id__in=people, role=Role.TEAM_MEMBER).values_list(
            "person_id", "unit_id"
        )
    )
    front = set()
    for row in rows:
        ancestors = [int(part) for part in row.unit_path.strip("/").split("/") if part]
        if any(
            _held(history, now, row.raiser_id, unit_id, row.created_at) for unit_id in ancestors
        ):
            front.add(row.pk)
    return front


def _held(history, now, person: int | None, unit_id: int, when: dt.datetime) -> bool:
    before = [held for moment, held in history.get((person, unit_id), []) if moment <= when]
    if before:
        return before[-1]
    return (person, unit_id) in now


def first_responses(unit: Unit) -> dict[int, dt.datetime]:
    """When each issue raised by a person in the unit (and below) was first responded to by
    someone other than the person who raised it (see the module's docstring)."""
    issues = _person_raised(unit)
    raisers = dict(issues.values_list("pk", "created_by_id"))
    first: dict[int, dt.datetime] = {}

    def seen(issue_id: int, actor_id: int | None, when: dt.datetime) -> None:
        raiser = raisers.get(issue_id)
        if raiser is not None and actor_id == raiser:
            return
        if issue_id not in first or when < first[issue_id]:
            first[issue_id] = when

    for issue_id, actor, when in ConcernMessage.objects.filter(
        concern__issue__in=issues, from_raiser=False
    ).values_list("concern__issue_id", "author_id", "written_at"):
        seen(issue_id, actor, when)
    for issue_id, actor, when in Action.objects.filter(issue__in=issues).values_list(
        "issue_id", "created_by_id", "created_at"
    ):
        seen(issue_id, actor, when)
    issue_type = ContentType.objects.get_for_model(Issue)
    for issue_id, actor, when in Comment.objects.filter(
        content_type=issue_type, object_id__in=issues.values("pk")
    ).values_list("object_id", "author_id", "created_at"):
        seen(issue_id, actor, when)
    for issue_id, actor, when in (
        Issue.history.filter(id__in=issues.values("pk"), history_type="~")
        .exclude(status=IssueStatus.OPEN)
        .values_list("id", "history_user_id", "history_date")
    ):
        seen(issue_id, actor, when)
    return first


def days_to_first_response(unit: Unit, *, today: dt.date | None = None) -> list[Point]:
    """Per complete month of raising: the median days from raising to first response of the
    issues raised that month that have had one."""
    today = today or timezone.localdate()
    raised = _raised(unit)
    first = first_responses(unit)
    # Waiting is counted from the issue's recorded creation (its first history row): the same
    # moment as `created_at`, unless an import or the demo dated the issue back without its
    # history, when the responses recorded with it would otherwise seem months late.
    recorded = dict(
        Issue.history.filter(
            id__in=_person_raised(unit).values("pk"), history_type="+"
        ).values_list("id", "history_date")
    )
    days: dict[dt.date, list[float]] = defaultdict(list)
    for row in raised:
        if row.pk in first:
            since = recorded.get(row.pk, row.created_at)
            waited = max((first[row.pk] - since).total_seconds(), 0.0) / DAY_SECONDS
            days[_month(row.created_at)].append(waited)
    if not days:
        return []
    return [
        Point(m, round(statistics.median(days[m]), 2))
        for m in _complete_months(min(days), today)
        if days.get(m)
    ]


def closed_with_feedback(unit: Unit, *, today: dt.date | None = None) -> list[Point]:
    """Per complete month: issues raised by people and closed that month with feedback to the
    person who raised them, over all such issues closed that month."""
    today = today or timezone.localdate()
    totals: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for row in _raised(unit):
        if row.closed_at is not None:
            month = _month(row.closed_at)
            totals[month][0] += row.with_feedback
            totals[month][1] += 1
    if not totals:
        return []
    return [
        Point(m, float(totals[m][0]), float(totals[m][1]))
        for m in _complete_months(min(totals), today)
        if totals.get(m, [0, 0])[1]
    ]


SERIES = {
    Kind.RAISED: raised_per_month,
    Kind.FRONT_LINE: front_line_share,
    Kind.FIRST_RESPONSE: days_to_first_response,
    Kind.FEEDBACK: closed_with_feedback,
}


def series(unit: Unit, kind: str, *, today: dt.date | None = None) -> list[Point]:
    """The monthly series of one kind of reporting measure for the unit."""
    return SERIES[Kind(kind)](unit, today=today)


def tracked_measures(unit: Unit) -> dict[str, ReportingMeasure]:
    """The unit's reporting measures by kind (those tracked), in the order of the kinds."""
    found = {
        item.kind: item
        for item in ReportingMeasure.objects.filter(unit=unit).select_related("measure")
    }
    return {kind.value: found[kind.value] for kind in Kind if kind.value in found}


# The charts of the reporting-culture page ----------------------------------------------------

# Limits from the first 20 months, as the feedback charts hold theirs; 7 in a row is a shift.
BASELINE_POINTS = 20
SHIFT_LENGTH = TREND_LENGTH = 7
# How each series is charted: (chart, direction, multiply, the y axis).
CHARTING = {
    Kind.RAISED: ("c", "increase", 1.0, "Raised a month"),
    Kind.FRONT_LINE: ("p", "increase", 100.0, "% raised by front-line staff"),
    Kind.FIRST_RESPONSE: ("i", "decrease", 1.0, "Median days to first response"),
    Kind.FEEDBACK: ("p", "increase", 100.0, "% closed with feedback"),
}


@dataclass(frozen=True)
class ChartRow:
    month: dt.date
    value: float | None
    denominator: float | None
    cl: float | None
    lcl: float | None
    ucl: float | None
    point_type: str

    @property
    def point_label(self) -> str:
        return self.point_type.replace("_", " ")


@dataclass
class Chart:
    """One side of the reporting culture on an SPC chart, with its measure when tracked."""

    kind: str
    title: str
    y_title: str
    unit_label: str
    rows: list[ChartRow]
    spec: str = ""
    variation_icon: str = ""
    problem: str = ""
    measure_url: str = ""

    @property
    def anchor(self) -> str:
        return f"reporting-{self.kind.replace('_', '-')}"

    @property
    def special(self) -> list[ChartRow]:
        return [row for row in self.rows if row.point_type.startswith("special")]

    @property
    def of_concern(self) -> list[ChartRow]:
        return [row for row in self.rows if row.point_type == "special_cause_concern"]

    @property
    def of_improvement(self) -> list[ChartRow]:
        return [row for row in self.rows if row.point_type == "special_cause_improvement"]

    @property
    def has_denominator(self) -> bool:
        return self.kind in (Kind.FRONT_LINE, Kind.FEEDBACK)


def reporting_charts(unit: Unit, *, today: dt.date | None = None) -> list[Chart]:
    """The four charts of the unit's reporting culture (its issues and those below it)."""
    today = today or timezone.localdate()
    tracked = tracked_measures(unit)
    charts = []
    for kind in Kind:
        chart_kind, direction, multiply, y_title = CHARTING[kind]
        points = series(unit, kind, today=today)
        chart = Chart(
            kind=kind.value,
            title=kind.label,
            y_title=y_title,
            unit_label="%" if multiply == 100.0 else "",
            rows=[],
        )
        if kind in tracked:
            chart.measure_url = reverse("control:measure-detail", args=[tracked[kind].measure_id])
        charts.append(chart)
        if not points:
            continue
        try:
            result = analyse(
                [p.value for p in points],
                n=[p.denominator for p in points] if chart_kind == "p" else None,
                x=[p.month.isoformat() for p in points],
                chart=chart_kind,
                baseline=BASELINE_POINTS,
                rules="mdc",
                direction=direction,
                multiply=multiply,
                shift_length=SHIFT_LENGTH,
                trend_length=TREND_LENGTH,
            )[0]
        except SpcInputError as error:
            chart.problem = str(error)
            continue

        def number(value) -> float | None:
            return None if value != value else float(value)

        chart.rows = [
            ChartRow(
                month=point.month,
                value=number(result.y[index]),
                denominator=point.denominator,
                cl=number(result.cl[index]),
                lcl=number(result.lcl[index]),
                ucl=number(result.ucl[index]),
                point_type=str(result.point_type[index]),
            )
            for index, point in enumerate(points)
        ]
        chart.variation_icon = result.variation_icon
        spec = chart_spec(result, title=chart.title, y_title=y_title, width=760, height=260)
        chart.spec = control_selectors.chart_json(spec)
    return charts


@dataclass(frozen=True)
class UnitPanel:
    """The unit page's way to its reporting culture."""

    unit: Unit
    tracked: dict[str, ReportingMeasure]
    raised_last_month: int
    may_track: bool


def unit_panel(user, unit: Unit, *, today: dt.date | None = None) -> UnitPanel:
    today = today or timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    raised = (
        _person_raised(unit)
        .filter(
            created_at__gte=timezone.make_aware(dt.datetime.combine(last_month, dt.time.min)),
            created_at__lt=timezone.make_aware(
                dt.datetime.combine(today.replace(day=1), dt.time.min)
            ),
        )
        .count()
    )
    tracked = tracked_measures(unit)
    return UnitPanel(
        unit=unit,
        tracked=tracked,
        raised_last_month=raised,
        may_track=len(tracked) < len(Kind) and access.can(user, unit, roles.REPORTING_TRACKERS),
    )
