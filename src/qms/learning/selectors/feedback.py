"""Reads of feedback: a unit's comments (its own and the units' below it) filtered for the list,
counts and top themes, monthly shares as p charts with the same engine, rules and drawing as
any measure, the "what people say" panel beside a unit's measures, and the Learn home's counts.
Every read makes a bounded number of queries, whatever the number of comments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length, TruncMonth
from django.urls import reverse
from django.utils.text import slugify

from qms.control import selectors as control_selectors
from qms.learning.models import NEGATIVE_SENTIMENT, Feedback, FeedbackMeasure, FeedbackTheme
from qms.people.models import Unit
from qms.stats import SpcInputError, analyse, chart_spec

# As a new measure's: limits from the first 20 points of a phase, Making Data Count's rules.
BASELINE_POINTS = 20
SHIFT_LENGTH = TREND_LENGTH = 7
# Shown on the panel and the unit's page.
TOP_THEMES = 5
PANEL_THEMES = 3
PANEL_COMMENTS = 3
PANEL_MONTHS = 3
SHORT_COMMENT = 200
POSITIVE_THEME = "Positive experience & gratitude"


@dataclass(frozen=True)
class FeedbackFilters:
    month: dt.date | None = None
    theme: str = ""
    sentiment: str = ""  # "1" ... "5", or "negative"
    service: str = ""
    source: str = ""
    text: str = ""

    @property
    def any(self) -> bool:
        return any((self.month, self.theme, self.sentiment, self.service, self.source, self.text))

    def query(self, **changes) -> str:
        """The list's query string for these filters (with `changes`), for links."""
        values = {
            "month": self.month.strftime("%Y-%m") if self.month else "",
            "theme": self.theme,
            "sentiment": self.sentiment,
            "service": self.service,
            "source": self.source,
            "text": self.text,
        }
        values |= changes
        return urlencode({key: value for key, value in values.items() if value})


def in_subtree(unit: Unit) -> QuerySet[Feedback]:
    """The comments of the unit and of the units below it."""
    return Feedback.objects.filter(unit__path__startswith=unit.path)


def feedback_list(unit: Unit, filters: FeedbackFilters | None = None) -> QuerySet[Feedback]:
    """The unit's comments, newest first, filtered; each with its unit and themes."""
    filters = filters or FeedbackFilters()
    comments = in_subtree(unit).select_related("unit").prefetch_related("themes")
    if filters.month:
        comments = comments.filter(
            received_on__gte=filters.month, received_on__lt=_next_month(filters.month)
        )
    if filters.theme:
        comments = comments.filter(themes__label=filters.theme)
    if filters.sentiment == "negative":
        comments = comments.filter(sentiment__gte=NEGATIVE_SENTIMENT)
    elif filters.sentiment:
        comments = comments.filter(sentiment=int(filters.sentiment))
    if filters.service:
        comments = comments.filter(service=filters.service)
    if filters.source:
        comments = comments.filter(source=filters.source)
    if filters.text:
        comments = comments.filter(text__icontains=filters.text)
    return comments.order_by("-received_on", "-pk")


def services_of(unit: Unit) -> list[str]:
    """The services the unit's comments name, for the list's filter (at most 200)."""
    return list(
        in_subtree(unit)
        .exclude(service="")
        .values_list("service", flat=True)
        .distinct()
        .order_by("service")[:200]
    )


@dataclass(frozen=True)
class Summary:
    total: int
    negative: int
    themes: list[tuple[str, int]]

    @property
    def negative_share(self) -> float | None:
        return 100 * self.negative / self.total if self.total else None


def summary(unit: Unit, *, since: dt.date | None = None, until: dt.date | None = None,
            themes: int = TOP_THEMES) -> Summary:  # fmt: skip
    """How many comments, how many negative, and the most frequent themes (two queries)."""
    comments = in_subtree(unit)
    if since:
        comments = comments.filter(received_on__gte=since)
    if until:
        comments = comments.filter(received_on__lt=until)
    counts = comments.aggregate(
        total=Count("pk"), negative=Count("pk", filter=Q(sentiment__gte=NEGATIVE_SENTIMENT))
    )
    top = []
    if counts["total"] and themes:
        top = list(
            FeedbackTheme.objects.filter(feedback__in=comments)
            .values("label")
            .annotate(count=Count("pk"))
            .order_by("-count", "label")
            .values_list("label", "count")[:themes]
        )
    return Summary(counts["total"], counts["negative"], top)


def imports_of(unit: Unit, *, limit: int = 5) -> list:
    """The unit's latest imports (its own), with who made them."""
    return list(unit.feedback_imports.select_related("imported_by")[:limit])


def tracked(unit: Unit) -> dict[str, FeedbackMeasure]:
    """The measures tracking the unit's feedback, by theme ("" for negative comments)."""
    return {
        item.theme: item
        for item in FeedbackMeasure.objects.filter(unit=unit).select_related("measure")
    }


# Monthly shares and their p charts -----------------------------------------------------------


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def monthly_counts(unit: Unit, *, themes: bool = True):
    """Per month from the first comment's to the last: (month, comments, negative comments,
    {theme: comments}); months without comments hold zeros. Two queries."""
    rows = (
        in_subtree(unit)
        .annotate(month=TruncMonth("received_on"))
        .values("month")
        .annotate(total=Count("pk"), negative=Count("pk", filter=Q(sentiment__gte=4)))
        .order_by("month")
    )
    totals = {_as_date(row["month"]): (row["total"], row["negative"]) for row in rows}
    if not totals:
        return []
    by_theme: dict[dt.date, dict[str, int]] = {}
    if themes:
        for row in (
            FeedbackTheme.objects.filter(feedback__unit__path__startswith=unit.path)
            .annotate(month=TruncMonth("feedback__received_on"))
            .values("month", "label")
            .annotate(count=Count("pk"))
        ):
            by_theme.setdefault(_as_date(row["month"]), {})[row["label"]] = row["count"]
    return [
        (month, *totals.get(month, (0, 0)), by_theme.get(month, {}))
        for month in _months(min(totals), max(totals))
    ]


def monthly_share(unit: Unit, *, theme: str = "") -> list[tuple[dt.date, int, int]]:
    """Per month: (month, comments that are negative or have `theme`, all comments), for the
    measures tracking the unit's feedback."""
    counted = monthly_counts(unit, themes=bool(theme))
    return [
        (month, by_theme.get(theme, 0) if theme else negative, total)
        for month, total, negative, by_theme in counted
    ]


@dataclass(frozen=True)
class ChartRow:
    month: dt.date
    total: int
    count: int
    share: float | None
    cl: float | None
    lcl: float | None
    ucl: float | None
    point_type: str
    url: str

    @property
    def point_label(self) -> str:
        """The point type in words: "special cause concern", "common cause"."""
        return self.point_type.replace("_", " ") if self.total else "no comments"


@dataclass
class ShareChart:
    """A p chart of the monthly share of negative comments (`theme` blank) or of a theme."""

    theme: str
    title: str
    rows: list[ChartRow] = field(default_factory=list)
    spec: str = ""
    variation_icon: str = ""
    problem: str = ""

    @property
    def anchor(self) -> str:
        return "chart-" + (slugify(self.theme) or "negative")

    @property
    def latest(self) -> ChartRow | None:
        return next((row for row in reversed(self.rows) if row.total), None)

    @property
    def special(self) -> list[ChartRow]:
        return [row for row in self.rows if row.point_type.startswith("special")]


def share_charts(unit: Unit, themes: list[str]) -> list[ShareChart]:
    """The p chart of negative comments, then one for each of `themes` (two queries for all)."""
    counted = monthly_counts(unit)
    charts = [_share_chart(unit, "", counted)]
    charts += [_share_chart(unit, theme, counted) for theme in themes]
    return charts


def _share_chart(unit: Unit, theme: str, counted) -> ShareChart:
    title = f"Comments about {theme.lower()}" if theme else "Negative comments"
    chart = ShareChart(theme=theme, title=f"{title}, % of comments a month")
    if not counted:
        return chart
    months = [row[0] for row in counted]
    totals = [row[1] for row in counted]
    counts = [row[3].get(theme, 0) if theme else row[2] for row in counted]
    direction = "decrease" if not theme else "increase" if theme == POSITIVE_THEME else "neutral"
    try:
        result = analyse(
            counts,
            n=totals,
            x=[month.isoformat() for month in months],
            chart="p",
            baseline=BASELINE_POINTS,
            rules="mdc",
            direction=direction,
            multiply=100.0,
            shift_length=SHIFT_LENGTH,
            trend_length=TREND_LENGTH,
        )[0]
    except SpcInputError as error:
        chart.problem = str(error)
        return chart
    list_url = reverse("learning:feedback-list", args=[unit.pk])
    urls = []
    for month in months:
        query = {"month": month.strftime("%Y-%m")}
        if theme:
            query["theme"] = theme
        else:
            query["sentiment"] = "negative"
        urls.append(f"{list_url}?{urlencode(query)}")

    def number(value) -> float | None:
        return None if value != value else float(value)  # NaN: no comments that month

    chart.rows = [
        ChartRow(
            month=month,
            total=totals[index],
            count=counts[index],
            share=number(result.y[index]),
            cl=number(result.cl[index]),
            lcl=number(result.lcl[index]),
            ucl=number(result.ucl[index]),
            point_type=str(result.point_type[index]),
            url=urls[index],
        )
        for index, month in enumerate(months)
    ]
    chart.variation_icon = result.variation_icon
    spec = chart_spec(result, title=chart.title, y_title="% of comments", width=760, height=280)
    _link_points(spec, urls)
    chart.spec = control_selectors.chart_json(spec)
    return chart


def _link_points(spec: dict, urls: list[str]) -> None:
    """Selecting a point opens the list of the comments behind it."""
    for row, url in zip(spec["data"]["values"], urls, strict=False):
        row["href"] = url
    for layer in spec.get("layer", []):
        if layer.get("name") == "points":
            layer["encoding"]["href"] = {"field": "href", "type": "nominal"}
            layer["mark"]["cursor"] = "pointer"


# What people say: the panel beside a unit's measures ----------------------------------------


@dataclass(frozen=True)
class Panel:
    unit: Unit
    since: dt.date
    summary: Summary
    previous_share: float | None
    recent: list[Feedback]

    @property
    def trend(self) -> str:
        """Whether the negative share rose or fell from the three months before (by more than
        five points: smaller moves are noise at these counts)."""
        now, before = self.summary.negative_share, self.previous_share
        if now is None or before is None:
            return ""
        if now - before > 5:
            return "up"
        if before - now > 5:
            return "down"
        return "same"


def panel(unit: Unit, *, today: dt.date) -> Panel:
    """The last three months' feedback of the unit (this month and the two before): comments,
    negative share and its change from the three months before, top themes and three recent
    short comments. Five queries."""
    this_month = today.replace(day=1)
    since = this_month
    for _ in range(PANEL_MONTHS - 1):
        since = (since - dt.timedelta(days=1)).replace(day=1)
    before = since
    for _ in range(PANEL_MONTHS):
        before = (before - dt.timedelta(days=1)).replace(day=1)
    now = summary(unit, since=since, themes=PANEL_THEMES)
    previous = summary(unit, since=before, until=since, themes=0)
    recent = list(
        in_subtree(unit)
        .filter(received_on__gte=since)
        .annotate(length=Length("text"))
        .filter(length__lte=SHORT_COMMENT)
        .select_related("unit")
        .order_by("-received_on", "-pk")[:PANEL_COMMENTS]
    )
    return Panel(unit, since, now, previous.negative_share, recent)


# The Learn home --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeRow:
    unit: Unit
    total: int
    negative: int

    @property
    def negative_share(self) -> float | None:
        return 100 * self.negative / self.total if self.total else None


def home_rows(units: list[Unit], *, since: dt.date, limit: int = 12) -> list[HomeRow]:
    """For each of `units` whose feedback (with the units' below) has comments since `since`:
    counts, in the order given; at most `limit`. One query."""
    counts = (
        Feedback.objects.filter(received_on__gte=since)
        .values("unit__path")
        .annotate(total=Count("pk"), negative=Count("pk", filter=Q(sentiment__gte=4)))
    )
    by_path = [(row["unit__path"], row["total"], row["negative"]) for row in counts]
    rows = []
    for unit in units:
        total = sum(t for path, t, _ in by_path if path.startswith(unit.path))
        if total:
            negative = sum(n for path, _, n in by_path if path.startswith(unit.path))
            rows.append(HomeRow(unit, total, negative))
        if len(rows) >= limit:
            break
    return rows
